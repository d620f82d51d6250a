/**
 * The `js` kernel backend: plain TypeScript reference implementations of the whole contract in
 * ../types.ts. Always available; single-threaded; the oracle the native backend is tested against.
 */
import { philoxFillNormalJs, philoxFillUniformJs } from "../../philox.js";
import type { KernelBackend } from "../types.js";
import { analogIm2colJs, analogInputPeripheryJs, analogOutputPeripheryJs } from "./analog.js";
import { analogTileForwardJs } from "./analog-tile.js";
import { conv2dBackwardInputJs, conv2dBackwardWeightJs, conv2dForwardJs } from "./conv.js";
import { sgemmJs } from "./gemm.js";
import { hwaAdcBackwardJs, hwaAdcJs, hwaDacJs } from "./hwa.js";
import { batchNormBackwardJs, channelAffineJs, channelStatsJs } from "./norm.js";
import { checkDim, checkStream } from "./validate.js";

export { checkAnalogIm2col, checkAnalogInput, checkAnalogOutput } from "./analog.js";
export { checkAnalogTile } from "./analog-tile.js";
export { activate, applyEpilogue } from "./epilogue.js";
export { checkHwaAdc, checkHwaAdcBackward, checkHwaDac } from "./hwa.js";
export * from "./validate.js";

export const jsBackend: KernelBackend = {
  name: "js",
  isa: "typescript",
  getThreads: () => 1,
  setThreads: (threads: number) => checkDim("setThreads", "threads", threads, 1),
  sgemm: sgemmJs,
  conv2dForward: conv2dForwardJs,
  conv2dBackwardInput: conv2dBackwardInputJs,
  conv2dBackwardWeight: conv2dBackwardWeightJs,
  channelStats: channelStatsJs,
  channelAffine: channelAffineJs,
  batchNormBackward: batchNormBackwardJs,
  fillUniform: (out, s, lo, hi) => {
    checkStream("fillUniform", out, s);
    philoxFillUniformJs(out, s, lo, hi);
  },
  fillNormal: (out, s, mean, std) => {
    checkStream("fillNormal", out, s);
    philoxFillNormalJs(out, s, mean, std);
  },
  analogInputPeriphery: analogInputPeripheryJs,
  analogOutputPeriphery: analogOutputPeripheryJs,
  analogIm2col: analogIm2colJs,
  analogTileForward: analogTileForwardJs,
  hwaDac: hwaDacJs,
  hwaAdc: hwaAdcJs,
  hwaAdcBackward: hwaAdcBackwardJs,
};
