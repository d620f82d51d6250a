/**
 * Per-channel normalisation (x − mean) / std over the last axis of channels-last data (NHWC images,
 * [T, F] features where F plays the channel role).
 */
import { KirchhoffError } from "../core/index.js";
import type { Dataset } from "./types.js";

export interface ChannelStats {
  /** Mean per channel (length = size of the last sample axis). */
  mean: number[];
  /** Standard deviation per channel (population, never below `1e-8`). */
  std: number[];
}

/** Per-channel mean and standard deviation of a dataset (computed in float64). */
export function channelStats(ds: Pick<Dataset, "x" | "sampleShape">): ChannelStats {
  const c = ds.sampleShape[ds.sampleShape.length - 1] ?? 1;
  const sum = new Float64Array(c);
  const sq = new Float64Array(c);
  const x = ds.x;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    const k = i % c;
    sum[k]! += v;
    sq[k]! += v * v;
  }
  const count = x.length / c;
  const mean: number[] = [];
  const std: number[] = [];
  for (let k = 0; k < c; k++) {
    const m = count > 0 ? sum[k]! / count : 0;
    mean.push(m);
    std.push(Math.max(1e-8, Math.sqrt(Math.max(0, count > 0 ? sq[k]! / count - m * m : 0))));
  }
  return { mean, std };
}

/** Normalises `x` in place: channel = index mod channels. */
export function normalizeInPlace(x: Float32Array, stats: ChannelStats): Float32Array {
  const c = stats.mean.length;
  if (stats.std.length !== c || c === 0) {
    throw new KirchhoffError("config", `normalisation: mean has ${c} channels, std has ${stats.std.length}`);
  }
  if (x.length % c !== 0) {
    throw new KirchhoffError(
      "shape",
      `normalisation: ${x.length} values are not a multiple of ${c} channels`,
    );
  }
  const inv = stats.std.map((s) => {
    if (!(s > 0)) throw new KirchhoffError("config", `normalisation: std must be > 0, got ${s}`);
    return 1 / s;
  });
  for (let i = 0; i < x.length; i += c) {
    for (let k = 0; k < c; k++) x[i + k] = (x[i + k]! - stats.mean[k]!) * inv[k]!;
  }
  return x;
}
