/**
 * Keyword-spotting augmentation on raw-audio batches ([B, 16000], samples in [-1, 1)), following the
 * MLPerf Tiny / TF speech_commands recipe: random time shift (±100 ms, zero fill), background-noise mixing
 * (random noise clip and offset, volume uniform in a range, applied with a probability, result clamped to
 * [-1, 1]), then the MFCC front end as the last transform.
 */
import { configError, KirchhoffError, type Rng } from "../core/index.js";
import type { Batch, BatchTransform } from "./loader.js";
import { MfccExtractor } from "./mfcc.js";

function rawDims(batch: Batch, op: string): [number, number] {
  if (batch.shape.length !== 2) {
    throw new KirchhoffError(
      "shape",
      `${op}: expected a raw audio batch [B, samples], got ${JSON.stringify(batch.shape)}`,
    );
  }
  return batch.shape as [number, number];
}

/** Shifts each clip by a uniform integer offset in [−maxShiftSamples, +maxShiftSamples] (zero fill). 100 ms = 1600. */
export function timeShift(maxShiftSamples = 1600): BatchTransform {
  if (!(Number.isInteger(maxShiftSamples) && maxShiftSamples >= 0)) {
    throw configError("timeShift.maxShiftSamples", "a non-negative integer", maxShiftSamples);
  }
  return (batch: Batch, rng: Rng) => {
    const [b, len] = rawDims(batch, "timeShift");
    const tmp = new Float32Array(len);
    for (let n = 0; n < b; n++) {
      const shift = rng.int(2 * maxShiftSamples + 1) - maxShiftSamples;
      if (shift === 0) continue;
      const clip = batch.x.subarray(n * len, (n + 1) * len);
      tmp.fill(0);
      if (shift > 0) tmp.set(clip.subarray(0, len - shift), shift);
      else tmp.set(clip.subarray(-shift), 0);
      clip.set(tmp);
    }
  };
}

export interface BackgroundNoiseOptions {
  /** Noise recordings (any length; shorter than a clip are tiled). */
  noise: Float32Array[];
  /** Probability that a clip gets noise (TF speech_commands default 0.8). */
  probability?: number;
  /** Noise volume drawn uniformly in [min, max] (TF default max 0.1). */
  volumeRange?: [number, number];
}

/** Adds a random segment of a random noise clip, scaled by a random volume, then clamps to [-1, 1]. */
export function backgroundNoise(opts: BackgroundNoiseOptions): BatchTransform {
  const prob = opts.probability ?? 0.8;
  const [vLo, vHi] = opts.volumeRange ?? [0, 0.1];
  if (!(prob >= 0 && prob <= 1)) throw configError("backgroundNoise.probability", "in [0, 1]", prob);
  if (!(vLo >= 0 && vHi >= vLo))
    throw configError("backgroundNoise.volumeRange", "0 ≤ min ≤ max", [vLo, vHi]);
  const noise = opts.noise.filter((c) => c.length > 0);
  if (noise.length === 0)
    throw new KirchhoffError(
      "data",
      "backgroundNoise: no noise clips (no _background_noise_ or _silence_ files)",
    );
  return (batch: Batch, rng: Rng) => {
    const [b, len] = rawDims(batch, "backgroundNoise");
    for (let n = 0; n < b; n++) {
      const src = noise[rng.int(noise.length)]!;
      const offset = src.length > len ? rng.int(src.length - len + 1) : 0;
      const volume = vLo + (vHi - vLo) * rng.uniform();
      if (!(rng.uniform() < prob)) continue;
      const o = n * len;
      for (let i = 0; i < len; i++) {
        const v = batch.x[o + i]! + volume * src[(offset + i) % src.length]!;
        batch.x[o + i] = Math.min(1, Math.max(-1, v));
      }
    }
  };
}

/**
 * Replaces a raw batch [B, 16000] by its MFCCs: [B, 49, 10] (layout "TF") or [B, 49, 10, 1] ("NHWC",
 * the MLPerf DS-CNN input). Put it last in the augmentation list.
 */
export function mfccTransform(
  layout: "TF" | "NHWC" = "NHWC",
  extractor = new MfccExtractor(),
): BatchTransform {
  return (batch: Batch) => {
    const [b] = rawDims(batch, "mfccTransform");
    const per = extractor.featureSize;
    const out = new Float32Array(b * per);
    const len = extractor.cfg.clipSamples;
    for (let n = 0; n < b; n++) extractor.compute(batch.x.subarray(n * len, (n + 1) * len), out, n * per);
    batch.x = out;
    const fs = [extractor.frames, extractor.cfg.numCoefficients];
    batch.shape = layout === "NHWC" ? [b, ...fs, 1] : [b, ...fs];
  };
}
