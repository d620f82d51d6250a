/**
 * The hardware-aware training part of the kernel backend contract (types.ts: KernelBackend extends it): the
 * straight-through DAC / ADC of src/train/hwa/ste-ops.ts. Reference: js/hwa.ts; native: native/isa/hwa.h.
 */
import type { RandomStream } from "./types.js";

/** The ADC of one hardware-aware training forward (hwaAdc). */
export interface HwaAdcParams {
  /** Samples n: y is viewed as [n, rows, channels], each sample with its own input scale. */
  samples: number;
  /** Output channels m (the last axis), each with its own weight scale. */
  channels: number;
  /** Output noise std in normalised units (0: none). */
  outNoise: number;
  /** ADC quantisation step in normalised units (0: none). */
  step: number;
  /** Clip bound in normalised units (Infinity: no clipping). */
  bound: number;
}

/**
 * Straight-through periphery of hardware-aware training (src/train/hwa/ste-ops.ts), in float64 arithmetic,
 * each result rounded once to float32, rint = round half to even; the native backend gives the reference's
 * bits (noise: the backend's own fillNormal normals).
 */
export interface HwaKernels {
  /**
   * DAC with per-sample abs-max noise management on x viewed as [samples, per]: scales[k] = max|x| of sample k
   * (1 where that is not > 0: all zeros, or a NaN); step > 0: y = b·rint(x·a) with a = 1/(s·step), b = s·step;
   * step = 0: y = x.
   */
  hwaDac(x: Float32Array, samples: number, step: number, y: Float32Array, scales: Float32Array): void;
  /**
   * ADC of y viewed as [samples, rows, channels]: with norm = wScale[c]·inputScales[k], v = y/norm, plus
   * outNoise·z (z: the normals fillNormal(y.length values) would draw from `noise`), then step·rint(v/step)
   * (as v·(1/step)), then clipped to ±bound; mask = 1 where not clipped, else 0; out = fround(v·norm), plus
   * bias[c] (a float32 add) when given.
   */
  hwaAdc(
    y: Float32Array,
    p: HwaAdcParams,
    inputScales: Float32Array,
    wScale: Float32Array,
    noise: RandomStream | null,
    bias: Float32Array | null,
    out: Float32Array,
    mask: Uint8Array,
  ): void;
  /**
   * Backward of hwaAdc for the upstream gradient g ([rows, channels]): gy = mask ? g : 0; biasGrad (when given,
   * [channels]) = the float32 sum of g over the rows, in row order (the bias is added after the ADC).
   */
  hwaAdcBackward(
    g: Float32Array,
    channels: number,
    mask: Uint8Array,
    gy: Float32Array,
    biasGrad: Float32Array | null,
  ): void;
}
