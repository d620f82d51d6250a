/**
 * TypeScript reference of the fused analog tile forward (contract in ../types.ts, analogTileForward; native:
 * native/isa/analog_tile.h). Written as the composition it replaces: gather the input vectors (from x, or
 * cut from analogIm2colJs's conv patches in tap-major order, with the weight columns permuted to match),
 * the DAC stage (analogInputPeripheryJs), one sgemm per tile, the ADC stage with inline output noise
 * (analogOutputPeripheryJs), then the finishing step of src/analog/periphery/analog-mvm.ts per vector.
 */
import { KirchhoffError } from "../../errors.js";
import type { AnalogTileArgs, AnalogTileParams, Conv2dParams } from "../types.js";
import {
  analogIm2colJs,
  analogInputPeripheryJs,
  analogOutputPeripheryJs,
  checkAnalogInput,
  checkAnalogOutput,
} from "./analog.js";
import { sgemmJs } from "./gemm.js";
import { checkConvParams, checkDim, checkLen, checkStream } from "./validate.js";

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
  if (a.patches) checkPatches(a);
  if (a.rows > 0) {
    if (!a.patches) checkLen(OP, "x", a.x, a.xOffset + (a.rows - 1) * a.ldx + G * a.k);
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

/** The patch source of a conv-gathering call: geometry, group range, column slice and pixel range. */
function checkPatches(a: AnalogTileArgs): void {
  const { conv, group0, k0, row0 } = a.patches!;
  const [cg] = checkConvParams(OP, conv);
  for (const [f, v] of [
    ["patches.group0", group0],
    ["patches.k0", k0],
    ["patches.row0", row0],
  ] as const)
    checkDim(OP, f, v);
  if (a.xOffset !== 0) fail(`xOffset: expected 0 with patches, got ${a.xOffset}`);
  if (group0 + a.groups > conv.groups) fail(`patches: groups ${group0}+${a.groups} exceed ${conv.groups}`);
  const kFull = cg * conv.kH * conv.kW;
  if (k0 + a.k > kFull) fail(`patches: columns ${k0}+${a.k} exceed the patch size ${kFull}`);
  const pixels = conv.n * conv.outH * conv.outW;
  if (row0 + a.rows > pixels) fail(`patches: rows ${row0}+${a.rows} exceed ${pixels} output pixels`);
  checkLen(OP, "x", a.x, conv.n * conv.inH * conv.inW * conv.inC);
}

/**
 * The tap-major order of a conv tile's columns [k0, k0 + K) (contract of AnalogTilePatches): perm[i] is the
 * (c, ki, kj) column, relative to k0, at position i — taps in order, each with its channels ascending.
 */
function tapMajorOrder(conv: Conv2dParams, k0: number, K: number): Int32Array {
  const kk = conv.kH * conv.kW;
  const cg = conv.inC / conv.groups;
  const perm = new Int32Array(K);
  let i = 0;
  for (let t = 0; t < kk; t++)
    for (let c = 0; c < cg; c++) {
      const q = c * kk + t;
      if (q >= k0 && q < k0 + K) perm[i++] = q - k0;
    }
  return perm;
}

/** The input vectors in unit order, [rows·G, K]: read from x, or cut from the conv patches (tap-major). */
function gatherVectors(a: AnalogTileArgs, perm: Int32Array | null): Float32Array {
  const { rows, groups: G, k: K } = a;
  const xs = new Float32Array(rows * G * K);
  if (a.patches && perm) {
    const { conv, group0, k0, row0 } = a.patches;
    const kFull = (conv.inC / conv.groups) * conv.kH * conv.kW;
    const full = new Float32Array(rows * G * kFull);
    analogIm2colJs(conv, a.x, group0, G, row0, rows, full);
    for (let u = 0; u < rows * G; u++)
      for (let i = 0; i < K; i++) xs[u * K + i] = full[u * kFull + k0 + perm[i]!]!;
    return xs;
  }
  for (let r = 0; r < rows; r++)
    for (let g = 0; g < G; g++) {
      const s = a.xOffset + r * a.ldx + g * K;
      xs.set(a.x.subarray(s, s + K), (r * G + g) * K);
    }
  return xs;
}

export function analogTileForwardJs(a: AnalogTileArgs, p: AnalogTileParams): number {
  checkAnalogTile(a, p);
  const { rows, groups: G, k: K, m: M } = a;
  const units = rows * G;
  if (units === 0) return 0;
  const perm = a.patches ? tapMajorOrder(a.patches.conv, a.patches.k0, K) : null;
  const xs = gatherVectors(a, perm);
  // conv patches: the weight columns in the vectors' tap-major order
  let w = a.w;
  if (perm) {
    w = new Float32Array(G * M * K);
    for (let o = 0; o < G * M; o++) for (let i = 0; i < K; i++) w[o * K + i] = a.w[o * K + perm[i]!]!;
  }
  const v = new Float32Array(units * K);
  const scales = new Float32Array(units);
  analogInputPeripheryJs(xs, units, K, p.input, a.nm, null, v, scales);
  const yy = new Float32Array(units * M);
  for (let g = 0; g < G; g++)
    sgemmJs(false, true, rows, M, K, 1, v, G * K, w, K, 0, yy, G * M, g * K, g * M * K, g * M);
  const failed = new Uint8Array(units);
  analogOutputPeripheryJs(yy, units, M, p.output, a.noise, failed);
  const { post, bias, biasAfter, y } = a;
  let flagged = 0;
  for (let u = 0; u < units; u++) {
    const s = scales[u]!;
    const again = s !== 0 && p.retryClipped && failed[u] === 1;
    a.retry[u] = again ? 1 : 0;
    if (again) {
      flagged++;
      continue;
    }
    const f = s === 0 ? 0 : Math.fround(p.outScale / s);
    const g = u % G;
    const o = a.yOffset + ((u - g) / G) * a.ldy + g * M;
    for (let i = 0; i < M; i++) {
      const prev = a.accumulate ? y[o + i]! : null;
      y[o + i] = finishOutput(Math.fround(yy[u * M + i]! * f), g * M + i, post, bias, prev, biasAfter);
    }
  }
  return flagged;
}

/**
 * The fused tile's finishing step for output j of a vector, t = fround(ADC output · fround(outScale/s)):
 * fround(t·post_j) then + bias_j (two float32 steps, as aihwkit's float tile), added onto `prev` when the tile
 * accumulates into the layer output (null: it does not), then + biasAfter_j; every step rounded to float32.
 */
export function finishOutput(
  t: number,
  j: number,
  post: Float32Array | null,
  bias: Float32Array | null,
  prev: number | null,
  biasAfter: Float32Array | null,
): number {
  let val = t;
  if (post) val = Math.fround(val * post[j]!);
  if (bias) val = Math.fround(val + bias[j]!);
  let out = prev === null ? val : Math.fround(prev + val);
  if (biasAfter) out = Math.fround(out + biasAfter[j]!);
  return out;
}
