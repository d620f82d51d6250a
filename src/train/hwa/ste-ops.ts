/**
 * Differentiable periphery ops for HWA training, built with `customOp` (straight-through estimators):
 * - `quantizeSte`: uniform quantiser with an identity gradient inside the range and zero outside;
 * - `dacQuantize`: per-sample abs-max noise management + DAC quantisation (aihwkit ABS_MAX NM, SPEC 7.2);
 * - `adcQuantize`: output noise + ADC quantisation (and optional clipping) in normalised tile units, then the
 *   digital bias;
 * - `weightView`: a noisy / rescaled copy of the weights whose gradient flows back to the clean weights.
 * Rounding is round-half-to-even like aihwkit's IO path (`rint`). The DAC and ADC run as the backend's kernels
 * (hwaDac, hwaAdc, hwaAdcBackward: vectorised and threaded on the native backend).
 */
import { getBackend, type Rng, shapeError } from "../../core/index.js";
import { allocActivation, customOp, gradAllocUninit, type Tensor } from "../../tensor/index.js";

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
  const xd = x.data;
  const s = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    let m = 0;
    for (let i = k * per, e = i + per; i < e; i++) m = Math.max(m, Math.abs(xd[i]!));
    s[k] = m > 0 ? m : 1;
  }
  return s;
}

/**
 * DAC: x_q = s·(2/steps)·rint(x/s/(2/steps)) with s = max|x| per sample, so inputs are never clipped and the
 * gradient is the identity. Returns the quantised input and the per-sample scales s.
 */
export function dacQuantize(x: Tensor, steps: number): { y: Tensor; scales: Float32Array } {
  if (steps <= 0) return { y: x, scales: sampleAbsMax(x) };
  const n = x.shape[0]!;
  const scales = new Float32Array(n);
  const out = allocActivation(x.size); // the kernels write every element: recycled storage, as other ops' outputs
  getBackend().hwaDac(x.data, n, 2 / steps, out, scales);
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
  /** Digital bias [output channels] added after the ADC (its gradient: the sum of the upstream gradient). */
  bias?: Tensor;
}

/**
 * ADC in normalised units v = y/(wScale·s_n): v' = Q(v + outNoise·N), clipped at ±bound when `clip`;
 * returns v'·wScale·s_n (+ bias). Gradient: identity where not clipped, zero where clipped.
 */
export function adcQuantize(y: Tensor, o: AdcOptions): Tensor {
  const n = y.shape[0]!;
  const outC = y.shape[y.shape.length - 1]!;
  const ws = typeof o.wScale === "number" ? new Float32Array(outC).fill(o.wScale) : o.wScale;
  if (ws.length !== outC) throw shapeError("adcQuantize", "wScale length (output channels)", outC, ws.length);
  const bias = o.bias;
  if (bias && bias.size !== outC)
    throw shapeError("adcQuantize", "bias length (output channels)", outC, bias.size);
  const out = allocActivation(y.size);
  const mask = new Uint8Array(y.size);
  const p = {
    samples: n,
    channels: outC,
    outNoise: o.outNoise,
    step: o.steps > 0 ? (2 * (o.bound > 0 ? o.bound : 1)) / o.steps : 0,
    bound: o.clip && o.bound > 0 ? o.bound : Number.POSITIVE_INFINITY,
  };
  const noise = o.outNoise > 0 ? o.rng.takeStream(y.size) : null;
  getBackend().hwaAdc(y.data, p, o.inputScales, ws, noise, bias?.data ?? null, out, mask);
  return customOp("hwa.adc", bias ? [y, bias] : [y], out, y.shape, (g) => {
    const gy = gradAllocUninit(y.size);
    const gb = bias ? new Float32Array(outC) : null;
    getBackend().hwaAdcBackward(g, outC, mask, gy, gb);
    return gb ? [gy, gb] : [gy];
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
