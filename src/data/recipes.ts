/**
 * Standard augmentation recipes, so that training code does not re-derive them:
 * - CIFAR-10 / ResNet: random crop 32×32 from a 4-pixel zero-padded image + horizontal flip (He et al. 2016).
 * - Keyword spotting (MLPerf Tiny KWS / TF speech_commands defaults): time shift ±100 ms (1,600 samples at
 *   16 kHz), background noise with probability 0.8 at volume U(0, 0.1), clamp to [-1, 1], then MFCC 49×10×1.
 * Input scales the MLPerf Tiny reference models expect: IC ResNet-8 raw pixels 0..255 (`scale01: false`),
 * VWW MobileNet 0..1 (96×96), KWS DS-CNN peak-normalised clips → MFCC (speech-commands.ts).
 */
import { backgroundNoise, mfccTransform, timeShift } from "./audio-augment.js";
import { cutout, horizontalFlip, randomCrop } from "./augment.js";
import type { BatchTransform } from "./loader.js";

/** Random crop (padding 4) + horizontal flip, optionally followed by cutout of `cutoutSize` pixels. */
export function cifarAugmentations(opts: { padding?: number; cutoutSize?: number } = {}): BatchTransform[] {
  const list = [randomCrop({ padding: opts.padding ?? 4, mode: "zero" }), horizontalFlip(0.5)];
  if (opts.cutoutSize) list.push(cutout({ size: opts.cutoutSize }));
  return list;
}

export interface KwsAugmentOptions {
  /** Maximum time shift in samples (default 1600 = 100 ms at 16 kHz). */
  maxShiftSamples?: number;
  /** Probability of adding noise (default 0.8). */
  noiseProbability?: number;
  /** Noise volume range (default [0, 0.1]). */
  noiseVolumeRange?: [number, number];
  /** MFCC output layout (default "NHWC" = [B, 49, 10, 1]). */
  layout?: "TF" | "NHWC";
}

/** Training transforms for raw 1 s clips: shift, noise (when noise clips are given), MFCC. */
export function kwsTrainTransforms(noise: Float32Array[], opts: KwsAugmentOptions = {}): BatchTransform[] {
  const list: BatchTransform[] = [timeShift(opts.maxShiftSamples ?? 1600)];
  if (noise.length > 0) {
    list.push(
      backgroundNoise({
        noise,
        probability: opts.noiseProbability ?? 0.8,
        volumeRange: opts.noiseVolumeRange ?? [0, 0.1],
      }),
    );
  }
  list.push(mfccTransform(opts.layout ?? "NHWC"));
  return list;
}
