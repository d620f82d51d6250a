/**
 * TypeScript reference of the fused analog tile forward (contract in ../types.ts, analogTileForward; native:
 * native/isa/analog_tile.h). Written as the composition it replaces: gather the input vectors, the DAC stage
 * (analogInputPeripheryJs), one sgemm per tile, the ADC stage with inline output noise
 * (analogOutputPeripheryJs), then the finishing step of src/analog/periphery/analog-mvm.ts per vector.
 */
import { KirchhoffError } from "../../errors.js";
import type { AnalogTileArgs, AnalogTileParams } from "../types.js";
import {
  analogInputPeripheryJs,
  analogOutputPeripheryJs,
  checkAnalogInput,
  checkAnalogOutput,
} from "./analog.js";
import { sgemmJs } from "./gemm.js";
import { checkDim, checkLen, checkStream } from "./validate.js";

const OP = "analogTileForward";

function fail(msg: string): never {
  throw new KirchhoffError("shape", `${OP}: ${msg}`);
}

/** Validates analogTileForward arguments (shared with the native wrapper). */
export function checkAnalogTile(a: AnalogTileArgs, p: AnalogTileParams): void {
  for (const f of ["rows", "xOffset", "yOffset"] as const) checkDim(OP, f, a[f]);
  for (const f of ["groups", "k", "m"] as const) checkDim(OP, f, a[f], 1);
  const G = a.groups;
  checkDim(OP, "ldx", a.ldx, G * a.k);
  checkDim(OP, "ldy", a.ldy, G * a.m);
  const units = a.rows * G;
  const gm = G * a.m;
  if (a.rows > 0) {
    checkLen(OP, "x", a.x, a.xOffset + (a.rows - 1) * a.ldx + G * a.k);
    checkLen(OP, "y", a.y, a.yOffset + (a.rows - 1) * a.ldy + gm);
  }
  checkLen(OP, "w", a.w, G * a.m * a.k);
  if (!(a.nm instanceof Float64Array) || a.nm.length < units)
    fail(`nm: expected a Float64Array of >= ${units}`);
  if (!(a.retry instanceof Uint8Array) || a.retry.length < units)
    fail(`retry: expected a Uint8Array of >= ${units}`);
  if (a.post !== null) checkLen(OP, "post", a.post, gm);
  if (a.bias !== null) checkLen(OP, "bias", a.bias, gm);
  if (a.biasAfter !== null) checkLen(OP, "biasAfter", a.biasAfter, gm);
  if (a.noise !== null) checkStream(OP, a.y, a.noise);
  if (!Number.isFinite(p.outScale)) fail(`outScale: expected a finite number, got ${p.outScale}`);
  // the periphery parameters, checked as the two stage kernels check them (one vector of each size)
  const one = new Float32Array(Math.max(a.k, a.m));
  checkAnalogInput(one, 1, a.k, p.input, new Float64Array(1), null, one, one);
  checkAnalogOutput(one, 1, a.m, p.output, null, new Uint8Array(1));
}

export function analogTileForwardJs(a: AnalogTileArgs, p: AnalogTileParams): void {
  checkAnalogTile(a, p);
  const { rows, groups: G, k: K, m: M } = a;
  const units = rows * G;
  if (units === 0) return;
  // input vectors in unit order, [units, K]
  const xs = new Float32Array(units * K);
  for (let r = 0; r < rows; r++)
    for (let g = 0; g < G; g++) {
      const s = a.xOffset + r * a.ldx + g * K;
      xs.set(a.x.subarray(s, s + K), (r * G + g) * K);
    }
  const v = new Float32Array(units * K);
  const scales = new Float32Array(units);
  analogInputPeripheryJs(xs, units, K, p.input, a.nm, null, v, scales);
  const yy = new Float32Array(units * M);
  for (let g = 0; g < G; g++)
    sgemmJs(false, true, rows, M, K, 1, v, G * K, a.w, K, 0, yy, G * M, g * K, g * M * K, g * M);
  const failed = new Uint8Array(units);
  analogOutputPeripheryJs(yy, units, M, p.output, a.noise, failed);
  const { post, bias, biasAfter, y } = a;
  for (let u = 0; u < units; u++) {
    const s = scales[u]!;
    const again = s !== 0 && p.retryClipped && failed[u] === 1;
    a.retry[u] = again ? 1 : 0;
    if (again) continue;
    const f = s === 0 ? 0 : Math.fround(p.outScale / s);
    const g = u % G;
    const o = a.yOffset + ((u - g) / G) * a.ldy + g * M;
    for (let i = 0; i < M; i++) {
      const t = Math.fround(yy[u * M + i]! * f);
      const j = g * M + i;
      let val = t;
      if (post && bias) val = Math.fround(t * post[j]! + bias[j]!);
      else if (post) val = Math.fround(t * post[j]!);
      else if (bias) val = Math.fround(t + bias[j]!);
      let out = a.accumulate ? Math.fround(y[o + i]! + val) : val;
      if (biasAfter) out = Math.fround(out + biasAfter[j]!);
      y[o + i] = out;
    }
  }
}
