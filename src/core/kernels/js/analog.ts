/**
 * TypeScript reference of the fused analog periphery kernels (contract in ../types.ts, AnalogKernels):
 * the DAC stage (noise management, quantise, clip), the ADC stage (asymmetry, output noise, quantise, clip,
 * saturation flags) and the analog-order im2col. Semantics follow aihwkit's C++ tile (SPEC 7.1-7.2):
 * float32 values, quantisation q(v) = rint(v/step)·step with round half to EVEN, applied before clipping.
 * The native backend (native/isa/analog.h) must give bit-identical results.
 */
import { philoxFillNormalJs } from "../../philox.js";
import type { AnalogInputParams, AnalogOutputParams, Conv2dParams, RandomStream } from "../types.js";
import { checkConvParams, checkDim, checkLen, checkStream, fail } from "./validate.js";

/** 1.5·2^52: adding then subtracting it rounds a double to an integer, ties to even. */
export const MAGIC = 6755399441055744;
/** Beyond 2^51 every double is already an integer (and the magic trick would be inexact). */
const LIMIT = 2251799813685248;

const NM_MODES = ["none", "absMax", "max", "constant"] as const;

/** Validates analogInputPeriphery arguments (shared with the native wrapper). */
export function checkAnalogInput(
  x: Float32Array,
  rows: number,
  k: number,
  p: AnalogInputParams,
  nm: Float64Array,
  red: Float64Array | null,
  v: Float32Array,
  scales: Float32Array,
): void {
  const op = "analogInputPeriphery";
  checkDim(op, "rows", rows);
  checkDim(op, "k", k);
  checkLen(op, "x", x, rows * k);
  checkLen(op, "v", v, rows * k);
  checkLen(op, "scales", scales, rows);
  if (!(nm instanceof Float64Array) || nm.length < rows)
    fail(op, `nm: expected a Float64Array of >= ${rows}`);
  if (red !== null && (!(red instanceof Float64Array) || red.length < rows))
    fail(op, `red: expected null or a Float64Array of >= ${rows}`);
  if (!NM_MODES.includes(p.noiseManagement))
    fail(op, `noiseManagement: expected one of ${NM_MODES.join(", ")}, got ${String(p.noiseManagement)}`);
  if (!(p.step >= 0) || !(p.bound > 0) || Number.isNaN(p.nmCap))
    fail(op, `params: expected step >= 0, bound > 0, nmCap a number, got ${p.step}, ${p.bound}, ${p.nmCap}`);
}

/** Validates analogOutputPeriphery arguments (shared with the native wrapper). */
export function checkAnalogOutput(
  y: Float32Array,
  rows: number,
  m: number,
  p: AnalogOutputParams,
  z: Float32Array | RandomStream | null,
  failed: Uint8Array,
): void {
  const op = "analogOutputPeriphery";
  checkDim(op, "rows", rows);
  checkDim(op, "m", m);
  checkLen(op, "y", y, rows * m);
  if (z instanceof Float32Array) checkLen(op, "z", z, rows * m);
  else if (z !== null) checkStream(op, y.subarray(0, rows * m), z);
  if (!(failed instanceof Uint8Array) || failed.length < rows)
    fail(op, `failed: expected a Uint8Array of >= ${rows} elements`);
  if (!(p.step >= 0) || !(p.bound > 0) || !(p.outNoise >= 0) || !Number.isFinite(p.outAsymmetry))
    fail(op, `params: expected step >= 0, bound > 0, outNoise >= 0, finite asymmetry`);
}

/** Validates analogIm2col arguments (shared with the native wrapper). */
export function checkAnalogIm2col(
  p: Conv2dParams,
  x: Float32Array,
  g0: number,
  ng: number,
  row0: number,
  nRows: number,
  out: Float32Array,
): void {
  const op = "analogIm2col";
  checkConvParams(op, p);
  checkDim(op, "g0", g0);
  checkDim(op, "ng", ng, 1);
  checkDim(op, "row0", row0);
  checkDim(op, "nRows", nRows);
  if (g0 + ng > p.groups) fail(op, `groups ${g0}..${g0 + ng - 1}: expected < ${p.groups}`);
  if (row0 + nRows > p.n * p.outH * p.outW) fail(op, `rows ${row0}+${nRows} exceed ${p.n * p.outH * p.outW}`);
  checkLen(op, "x", x, p.n * p.inH * p.inW * p.inC);
  checkLen(op, "out", out, nRows * (p.inC / p.groups) * ng * p.kH * p.kW);
}

export function analogInputPeripheryJs(
  x: Float32Array,
  rows: number,
  k: number,
  p: AnalogInputParams,
  nm: Float64Array,
  red: Float64Array | null,
  v: Float32Array,
  scales: Float32Array,
): void {
  checkAnalogInput(x, rows, k, p, nm, red, v, scales);
  const useNm = p.noiseManagement !== "none";
  const useMax = p.noiseManagement === "max";
  const computeNm = p.computeNm && (p.noiseManagement === "absMax" || useMax);
  const step = p.step;
  const invStep = 1 / step;
  const hi = p.bound;
  const lo = -hi;
  for (let r = 0; r < rows; r++) {
    const o = r * k;
    if (computeNm) {
      let m = useMax ? Number.NEGATIVE_INFINITY : 0;
      if (useMax) {
        for (let j = 0; j < k; j++) if (x[o + j]! > m) m = x[o + j]!;
      } else {
        for (let j = 0; j < k; j++) {
          const a = Math.abs(x[o + j]!);
          if (a > m) m = a;
        }
      }
      nm[r] = Math.min(m, p.nmCap);
      // an exact-zero row: m is not > 0 (a NaN never wins the maximum) and no element is NaN (a NaN among
      // zeros must reach the output, not become a zero)
      if (!(m > 0) && p.zeroRowsExact && !hasNaN(x, o, k)) {
        scales[r] = 0;
        v.fill(0, o, o + k);
        continue;
      }
    }
    const s = Math.fround((useNm && nm[r]! > 0 ? 1 / nm[r]! : 1) / (red ? red[r]! : 1));
    scales[r] = s;
    for (let j = 0; j < k; j++) {
      let q = Math.fround(x[o + j]! * s);
      if (step !== 0) {
        // × the double reciprocal equals float32 division except within ~1e-16 of a float midpoint
        let t = Math.fround(q * invStep);
        if (t < LIMIT && t > -LIMIT) t = t + MAGIC - MAGIC;
        q = Math.fround(t * step);
      }
      if (q > hi) q = Math.fround(hi);
      else if (q < lo) q = Math.fround(lo);
      v[o + j] = q;
    }
  }
}

/** Whether x[o .. o + k) holds a NaN. */
function hasNaN(x: Float32Array, o: number, k: number): boolean {
  for (let j = 0; j < k; j++) if (Number.isNaN(x[o + j]!)) return true;
  return false;
}

export function analogOutputPeripheryJs(
  y: Float32Array,
  rows: number,
  m: number,
  p: AnalogOutputParams,
  zIn: Float32Array | RandomStream | null,
  failed: Uint8Array,
): void {
  checkAnalogOutput(y, rows, m, p, zIn, failed);
  const { step, bound: hi, outNoise: sigma, outAsymmetry: asym, testNegativeBound: testNeg } = p;
  const invStep = 1 / step;
  const noise = zIn !== null && sigma > 0;
  let z = zIn instanceof Float32Array ? zIn : null;
  if (noise && z === null) {
    z = new Float32Array(rows * m);
    philoxFillNormalJs(z, zIn as RandomStream);
  }
  for (let r = 0; r < rows; r++) {
    const o = r * m;
    let f = 0;
    for (let i = 0; i < m; i++) {
      let t = y[o + i]!;
      if (asym !== 0 && t < 0) t = Math.fround(t * (1 - asym));
      if (noise) t = Math.fround(t + sigma * z![o + i]!);
      if (step !== 0) {
        t = Math.fround(t * invStep);
        if (t < LIMIT && t > -LIMIT) t = t + MAGIC - MAGIC;
        t = Math.fround(t * step);
      }
      if (t > hi) {
        f = 1;
        t = hi;
      } else if (t < -hi) {
        if (testNeg) f = 1;
        t = -hi;
      }
      y[o + i] = t;
    }
    failed[r] = f;
  }
}

export function analogIm2colJs(
  p: Conv2dParams,
  x: Float32Array,
  g0: number,
  ng: number,
  row0: number,
  nRows: number,
  out: Float32Array,
): void {
  checkAnalogIm2col(p, x, g0, ng, row0, nRows, out);
  const cg = (p.inC / p.groups) * ng;
  const kk = p.kH * p.kW;
  const K = cg * kk;
  const c0 = g0 * (p.inC / p.groups);
  const hw = p.outH * p.outW;
  for (let r = 0; r < nRows; r++) {
    const row = row0 + r;
    const n = Math.floor(row / hw);
    const oh = Math.floor((row - n * hw) / p.outW);
    const ow = row - n * hw - oh * p.outW;
    const base = r * K;
    for (let ki = 0; ki < p.kH; ki++) {
      const ih = oh * p.strideH - p.padTop + ki * p.dilationH;
      for (let kj = 0; kj < p.kW; kj++) {
        const iw = ow * p.strideW - p.padLeft + kj * p.dilationW;
        const d = base + ki * p.kW + kj;
        if (ih < 0 || ih >= p.inH || iw < 0 || iw >= p.inW) {
          for (let c = 0; c < cg; c++) out[d + c * kk] = 0;
        } else {
          const s = ((n * p.inH + ih) * p.inW + iw) * p.inC + c0;
          for (let c = 0; c < cg; c++) out[d + c * kk] = x[s + c]!;
        }
      }
    }
  }
}
