/**
 * Differentiable periphery ops for HWA training, built with `customOp` (straight-through estimators):
 * - `quantizeSte`: uniform quantiser with an identity gradient inside the range and zero outside;
 * - `dacQuantize`: per-sample abs-max noise management + DAC quantisation (aihwkit ABS_MAX NM, SPEC 7.2);
 * - `adcQuantize`: output noise + ADC quantisation (and optional clipping) in normalised tile units;
 * - `weightView`: a noisy / rescaled copy of the weights whose gradient flows back to the clean weights.
 * Rounding is round-half-to-even like aihwkit's IO path (`rint`), inlined in the hot loops.
 */
import { type Rng, shapeError } from "../../core/index.js";
import { customOp, type Tensor } from "../../tensor/index.js";

/** 1.5·2^52: (v + M) − M rounds a double of magnitude < 2^51 to an integer, ties to even (IEEE default). */
const RINT_MAGIC = 6755399441055744;

/** Round half to even for |v| < 2^51 (all quantiser inputs here are far smaller). */
function rint(v: number): number {
  return v + RINT_MAGIC - RINT_MAGIC;
}

/**
 * q = clamp(step·rint(x/step), −bound, bound) (no rounding when step = 0, no clamp when bound ≤ 0);
 * dq/dx = 1 where |x| ≤ bound, 0 where the value was clipped.
 */
export function quantizeSte(x: Tensor, step: number, bound: number): Tensor {
  const n = x.size;
  const out = new Float32Array(n);
  const mask = new Uint8Array(n);
  const b = bound > 0 ? bound : Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const v = x.data[i]!;
    const q = step > 0 ? step * rint(v / step) : v;
    if (q > b) out[i] = b;
    else if (q < -b) out[i] = -b;
    else {
      out[i] = q;
      mask[i] = 1;
    }
  }
  return customOp("hwa.quantizeSte", [x], out, x.shape, (g) => {
    const gx = new Float32Array(n);
    for (let i = 0; i < n; i++) gx[i] = mask[i] ? g[i]! : 0;
    return [gx];
  });
}

/** Per-sample abs-max of x viewed as `[N, rest]` (1 for all-zero samples). */
export function sampleAbsMax(x: Tensor): Float32Array {
  const n = x.shape[0]!;
  const per = x.size / n;
  const s = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    let m = 0;
    for (let i = k * per, e = i + per; i < e; i++) m = Math.max(m, Math.abs(x.data[i]!));
    s[k] = m > 0 ? m : 1;
  }
  return s;
}

/**
 * DAC: x_q = s·(2/steps)·rint(x/s/(2/steps)) with s = max|x| per sample, so inputs are never clipped and the
 * gradient is the identity. Returns the quantised input and the per-sample scales s.
 */
export function dacQuantize(x: Tensor, steps: number): { y: Tensor; scales: Float32Array } {
  const scales = sampleAbsMax(x);
  if (steps <= 0) return { y: x, scales };
  const n = x.shape[0]!;
  const per = x.size / n;
  const step = 2 / steps;
  const out = new Float32Array(x.size);
  const xd = x.data;
  for (let k = 0; k < n; k++) {
    const inv = 1 / (scales[k]! * step);
    const back = scales[k]! * step;
    for (let i = k * per, e = i + per; i < e; i++) out[i] = back * (xd[i]! * inv + RINT_MAGIC - RINT_MAGIC);
  }
  return { y: customOp("hwa.dac", [x], out, x.shape, (g) => [g]), scales };
}

export interface AdcOptions {
  /** Per-sample input scales from dacQuantize. */
  inputScales: Float32Array;
  /**
   * Weight scale: max|W| of the tiles feeding each output (normalised weight = W / wScale); one number for the
   * whole layer or one per output channel (the last axis of y).
   */
  wScale: number | Float32Array;
  /** Output noise std in normalised units (already combined over input tiles). */
  outNoise: number;
  steps: number;
  bound: number;
  clip: boolean;
  rng: Rng;
}

/**
 * ADC in normalised units v = y/(wScale·s_n): v' = Q(v + outNoise·N), clipped at ±bound when `clip`;
 * returns v'·wScale·s_n. Gradient: identity where not clipped, zero where clipped.
 */
export function adcQuantize(y: Tensor, o: AdcOptions): Tensor {
  const n = y.shape[0]!;
  const per = y.size / n;
  const step = o.steps > 0 ? (2 * (o.bound > 0 ? o.bound : 1)) / o.steps : 0;
  const b = o.clip && o.bound > 0 ? o.bound : Number.POSITIVE_INFINITY;
  const z = o.outNoise > 0 ? o.rng.fillNormal(new Float32Array(y.size)) : null;
  const out = new Float32Array(y.size);
  const mask = new Uint8Array(y.size);
  const yd = y.data;
  const sigma = o.outNoise;
  const invStep = step > 0 ? 1 / step : 0;
  const outC = y.shape[y.shape.length - 1]!;
  const ws = typeof o.wScale === "number" ? new Float32Array(outC).fill(o.wScale) : o.wScale;
  if (ws.length !== outC) throw shapeError("adcQuantize", "wScale length (output channels)", outC, ws.length);
  for (let k = 0; k < n; k++) {
    const xs = o.inputScales[k]!;
    for (let i = k * per, e = i + per; i < e; i++) {
      const norm = ws[i % outC]! * xs;
      let v = yd[i]! / norm;
      if (z) v += sigma * z[i]!;
      if (step > 0) v = step * (v * invStep + RINT_MAGIC - RINT_MAGIC);
      if (v > b) v = b;
      else if (v < -b) v = -b;
      else mask[i] = 1;
      out[i] = v * norm;
    }
  }
  return customOp("hwa.adc", [y], out, y.shape, (g) => {
    const gy = new Float32Array(y.size);
    for (let i = 0; i < gy.length; i++) gy[i] = mask[i] ? g[i]! : 0;
    return [gy];
  });
}

/**
 * A tensor holding `values` (e.g. noisy effective weights) whose gradient w.r.t. `w` is `gradScale ⊙ g`
 * (identity when gradScale is null): the straight-through weight path of noise injection and remapping.
 */
export function weightView(w: Tensor, values: Float32Array, gradScale: Float32Array | null): Tensor {
  return customOp("hwa.weight", [w], values, w.shape, (g) => {
    if (!gradScale) return [g];
    const gw = new Float32Array(g.length);
    for (let i = 0; i < g.length; i++) gw[i] = g[i]! * gradScale[i]!;
    return [gw];
  });
}
