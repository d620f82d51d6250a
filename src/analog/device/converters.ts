/**
 * Weight ↔ conductance converters (aihwkit `inference/converter/conductance.py`, SPEC section 1).
 * A converter maps a whole tile matrix to one or more conductance "slices" (µS) with ONE tile-wide scale,
 * and back. Slices are ordered as in aihwkit (e.g. [G+, G−], or [G+_1, G−_1, G+_2, G−_2, ...]).
 */
import type { ConverterConfig } from "../config/device.js";

/** Conductance slices of one tile plus the scale needed to convert them back. */
export interface ConductanceMap {
  /** One Float32Array (µS) per device slice, each the size of the weight matrix. */
  slices: Float32Array[];
  /** Weight units → µS factor (aihwkit `scale_ratio`). */
  scaleRatio: number;
  /** Weight offset (only the single-device affine converter uses it: min W). */
  offset: number;
}

export interface Converter {
  readonly gMaxMicroSiemens: number;
  readonly gMinMicroSiemens: number;
  /** Number of conductance slices per weight. */
  readonly numSlices: number;
  toConductances(w: Float32Array): ConductanceMap;
  /** Writes the weights represented by `map.slices` into `out`. */
  toWeights(map: ConductanceMap, out: Float32Array): Float32Array;
}

function absMax(w: Float32Array): number {
  let m = 0;
  for (let i = 0; i < w.length; i++) {
    const a = Math.abs(w[i]!);
    if (a > m) m = a;
  }
  return m;
}

/** N differential pairs (N = 1 is aihwkit's default SinglePairConductanceConverter). */
class PairConverter implements Converter {
  readonly numSlices: number;
  private readonly fSum: number;
  constructor(
    private readonly significance: readonly number[],
    readonly gMaxMicroSiemens: number,
    readonly gMinMicroSiemens: number,
  ) {
    this.numSlices = 2 * significance.length;
    this.fSum = significance.reduce((a, b) => a + b, 0);
  }

  toConductances(w: Float32Array): ConductanceMap {
    const { gMaxMicroSiemens: gMax, gMinMicroSiemens: gMin } = this;
    const range = gMax - gMin;
    const scaleRatio = Math.fround((this.fSum * range) / Math.max(absMax(w), 1e-7));
    const slices: Float32Array[] = [];
    let lower = 0;
    for (const f of this.significance) {
      const gp = new Float32Array(w.length);
      const gm = new Float32Array(w.length);
      for (let i = 0; i < w.length; i++) {
        const wus = Math.fround(w[i]! * scaleRatio);
        if (this.significance.length === 1) {
          // SinglePairConductanceConverter: clamp(±Sw, 0, g_max) + g_min (SPEC 1.1)
          gp[i] = Math.min(Math.max(wus, 0), gMax) + gMin;
          gm[i] = Math.min(Math.max(-wus, 0), gMax) + gMin;
        } else {
          gp[i] = Math.min(Math.max((Math.max(wus, 0) - lower) / f + gMin, gMin), gMax);
          gm[i] = Math.min(Math.max((Math.max(-wus, 0) - lower) / f + gMin, gMin), gMax);
        }
      }
      lower += f * range;
      slices.push(gp, gm);
    }
    return { slices, scaleRatio, offset: 0 };
  }

  toWeights(map: ConductanceMap, out: Float32Array): Float32Array {
    const gMin = this.gMinMicroSiemens;
    out.fill(0);
    const acc = new Float64Array(out.length);
    for (let k = 0; k < this.significance.length; k++) {
      const f = this.significance.length === 1 ? 1 : this.significance[k]!;
      const gp = map.slices[2 * k]!;
      const gm = map.slices[2 * k + 1]!;
      for (let i = 0; i < out.length; i++) acc[i]! += f * (gp[i]! - gMin - (gm[i]! - gMin));
    }
    for (let i = 0; i < out.length; i++) out[i] = acc[i]! / map.scaleRatio;
    return out;
  }
}

/** One device per weight: affine map of [min W, max W] onto [gMin, gMax] (SingleDeviceConductanceConverter). */
class SingleDeviceConverter implements Converter {
  readonly numSlices = 1;
  constructor(
    readonly gMaxMicroSiemens: number,
    readonly gMinMicroSiemens: number,
  ) {}

  toConductances(w: Float32Array): ConductanceMap {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < w.length; i++) {
      if (w[i]! < lo) lo = w[i]!;
      if (w[i]! > hi) hi = w[i]!;
    }
    if (w.length === 0) lo = hi = 0;
    const scaleRatio = (this.gMaxMicroSiemens - this.gMinMicroSiemens) / Math.max(hi - lo, 1e-7);
    const g = new Float32Array(w.length);
    for (let i = 0; i < w.length; i++) g[i] = (w[i]! - lo) * scaleRatio + this.gMinMicroSiemens;
    return { slices: [g], scaleRatio, offset: lo };
  }

  toWeights(map: ConductanceMap, out: Float32Array): Float32Array {
    const g = map.slices[0]!;
    for (let i = 0; i < out.length; i++)
      out[i] = (g[i]! - this.gMinMicroSiemens) / map.scaleRatio + map.offset;
    return out;
  }
}

/** Builds the converter described by a validated config. */
export function makeConverter(cfg: ConverterConfig): Converter {
  switch (cfg.type) {
    case "singlePair":
      return new PairConverter([1], cfg.gMaxMicroSiemens, cfg.gMinMicroSiemens);
    case "nPair":
      return new PairConverter(cfg.significance, cfg.gMaxMicroSiemens, cfg.gMinMicroSiemens);
    case "singleDevice":
      return new SingleDeviceConverter(cfg.gMaxMicroSiemens, cfg.gMinMicroSiemens);
  }
}
