// PLACEHOLDER — the kernels helper replaces this file with the real TypeScript reference backend.
import { philoxFillNormalJs, philoxFillUniformJs } from "../../philox.js";
import type { KernelBackend } from "../types.js";

const todo = (): never => {
  throw new Error("js kernel not implemented yet");
};
export const jsBackend: KernelBackend = {
  name: "js",
  isa: "typescript",
  getThreads: () => 1,
  setThreads: () => {},
  sgemm: todo,
  conv2dForward: todo,
  conv2dBackwardInput: todo,
  conv2dBackwardWeight: todo,
  channelStats: todo,
  channelAffine: todo,
  batchNormBackward: todo,
  fillUniform: (out, s, lo, hi) => philoxFillUniformJs(out, s, lo, hi),
  fillNormal: (out, s, mean, std) => philoxFillNormalJs(out, s, mean, std),
};
