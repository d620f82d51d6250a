/**
 * Hardware-aware (HWA) training configuration: which chip non-idealities the forward pass injects and how
 * weights are constrained after each optimiser step (aihwkit InferenceRPUConfig forward IO + WeightModifier,
 * WeightClipper and WeightRemapper; SPEC §5.4, §6.1, §9). `hwaConfigFromPreset` reads the periphery (DAC/ADC
 * resolution and range, output noise, tile size) and the device noise model from an analog preset.
 */

import type { AnalogConfig, ConverterConfig, NoiseModelConfig } from "../../analog/index.js";
import { devicePhysics, getPreset } from "../../analog/index.js";
import { configError } from "../../core/index.js";

/**
 * Weight noise injected in every training forward pass (fresh draw each batch), relative to amax = max|W| of
 * the tile (aihwkit `rel_to_actual_wmax = True`):
 * - `addNormal`: w + stdDev·amax·N (aihwkit ADD_NORMAL);
 * - `pcmProg`: the device's programming noise, σ(g) from the preset's noise model at g = |w|/amax·g_max,
 *   scaled by stdDev, sign kept (aihwkit PROG_NOISE: w' = sign(w)·|w + amax·stdDev·σ(g)/g_max·N|), and, when
 *   `tInferenceSec` > 0, the spread of the drift exponents at that time after global drift compensation:
 *   × exp(−σ_ν(g)·N'·ln((t + t0)/t0)) (aihwkit PCM_NOISE keeps only the ν variation, SPEC §9.3).
 */
export interface WeightNoiseConfig {
  type: "none" | "addNormal" | "pcmProg" | "chip";
  stdDev: number;
  /** `pcmProg`: also inject the drift-exponent spread at this time (0 = none); `chip`: the drift time. */
  tInferenceSec?: number;
  /**
   * `chip` only: draw the drift time of every training forward log-uniformly from [min, max] seconds (both > 0;
   * replaces `tInferenceSec`), so the model sees the whole deployment window (e.g. 1 h … 1 y) instead of
   * pre-compensating one fixed horizon (which costs accuracy shortly after programming).
   */
  tRangeSec?: [number, number];
}

/** Weight clipping after each optimiser step (aihwkit WeightClipParameter). */
export interface ClipConfig {
  type: "none" | "fixed" | "layerGaussian";
  /** `fixed`: clip to ±fixedValue; `layerGaussian`: upper cap when > 0. */
  fixedValue: number;
  /** `layerGaussian`: clip to ±sigma·std(W) (unbiased std of the whole layer). */
  sigma: number;
}

export interface HwaConfig {
  /** Preset the configuration came from (informational). */
  preset: string;
  weightNoise: WeightNoiseConfig;
  /** Device noise model used by `pcmProg` and `chip` weight noise. */
  noiseModel: NoiseModelConfig | null;
  /** Weight↔conductance converter of the preset (`chip` weight noise; default: single pair at g_max). */
  converter?: ConverterConfig;
  /** Additive Gaussian output noise std per output in normalised tile units (aihwkit `out_noise`). */
  outNoise: number;
  /** DAC steps across [−1, 1] after per-sample abs-max noise management (0 = no input quantisation). */
  inpSteps: number;
  /** ADC steps across [−outBound, outBound] (0 = no output quantisation). */
  outSteps: number;
  /** ADC range in normalised units; ≤ 0 = unbounded. */
  outBound: number;
  /** Clip outputs at ±outBound in training (false when the preset uses iterative bound management). */
  clipOutput: boolean;
  clip: ClipConfig;
  /** After each step rescale weights per tile so max|W_tile| = 1 (true: per tile; aihwkit remap ω = 1). */
  remap: "none" | "tile";
  /** Largest tile along inputs / outputs (null = one tile), used for per-tile amax and remapping. */
  maxInputSize: number | null;
  maxOutputSize: number | null;
  /**
   * Layers that stay digital (on the chip's digital units) and get no HWA treatment: "none" (default) or
   * "depthwise" (grouped convolutions); must match `evaluateOverDrift`'s `digitalLayers`.
   */
  digitalLayers?: "none" | "depthwise";
  /** Knowledge distillation from the digital model: loss = (1−α)·CE + α·T²·KL(teacher_T ‖ student_T). */
  distill: { temperature: number; alpha: number } | null;
  /**
   * BatchNorm calibration after the last epoch (absent or null = off; `calibrateHwaBatchNorm`): every running
   * mean/variance becomes the average batch statistic of `batches` training batches through the HWA forward,
   * with the weight noise at `stdDev` instead of `weightNoise.stdDev` (default: 1 for `pcmProg`/`chip`, i.e. the
   * device's own programming noise, the chip as deployed; the training value for `addNormal`). Training keeps
   * an exponential average of statistics taken under the inflated training noise (×1.5), which misfits the
   * chip's activations: on bench/hwa this calibration is worth 2–3 points at 1 month.
   */
  bnCalibration?: BnCalibrationConfig | null;
}

export interface BnCalibrationConfig {
  /** Calibration batches of the training loader (≥ 1). */
  batches: number;
  /** Weight-noise std during calibration (see HwaConfig.bnCalibration for the default). */
  stdDev?: number;
}

/** Default BatchNorm calibration of hwaConfigFromPreset: 16 batches at the device's own noise. */
export const DEFAULT_BN_CALIBRATION: BnCalibrationConfig = { batches: 16 };

/** Drift horizon of the default HWA weight noise: 1 month (30 days) in seconds. */
export const DEFAULT_HWA_HORIZON_SEC = 2_592_000;

/**
 * How much output noise grows relative to the signal after drift to tInferenceSec: global drift compensation
 * multiplies the tile output by ≈ ((t + t0)/t0)^ν̄ after the ADC, so the fixed output noise is amplified by the
 * same factor (ν̄ = mean drift exponent at g_max/2). 1 for the ideal device.
 */
export function driftNoiseGain(noiseModel: NoiseModelConfig, tInferenceSec: number): number {
  const phys = devicePhysics(noiseModel);
  if (!phys || tInferenceSec <= 0) return 1;
  const nu = phys.nuMean(phys.gMaxMicroSiemens / 2) * phys.driftScale;
  return Math.exp(nu * Math.log((tInferenceSec + phys.t0Sec) / phys.t0Sec));
}

/** Steps of a resolution in the aihwkit convention (> 1: steps, < 1: step fraction, ≤ 0: off). */
function stepsOf(res: number): number {
  if (res <= 0) return 0;
  return res > 1 ? res : 1 / res;
}

/**
 * HWA configuration for an analog preset. The forward IO of the preset (DAC/ADC, output noise) is used as is;
 * the weight noise defaults to the preset device's programming noise ×1.5 (covering read noise too; Rasch et
 * al., Nat. Commun. 2023 find HWA noise somewhat larger than the programming noise works best) plus the
 * drift-exponent spread one month after programming (DEFAULT_HWA_HORIZON_SEC), the output noise is the preset's
 * amplified by the drift compensation at that horizon (driftNoiseGain), weights are clipped to ±2.5σ
 * per layer after each step, remapping is off (`remap: "tile"` turns it on), and BatchNorm statistics are
 * calibrated at the device's own noise after training (DEFAULT_BN_CALIBRATION). Overrides replace fields.
 */
export function hwaConfigFromPreset(
  preset: AnalogConfig | string,
  overrides: Partial<HwaConfig> = {},
): HwaConfig {
  const p = typeof preset === "string" ? getPreset(preset) : preset;
  const io = p.forward;
  const perfect = io.isPerfect;
  const cfg: HwaConfig = {
    preset: p.name,
    weightNoise:
      p.noiseModel.type === "ideal"
        ? { type: "none", stdDev: 0 }
        : { type: "pcmProg", stdDev: 1.5, tInferenceSec: DEFAULT_HWA_HORIZON_SEC },
    noiseModel: p.noiseModel.type === "ideal" ? null : p.noiseModel,
    ...(p.converter ? { converter: p.converter } : {}),
    outNoise: perfect ? 0 : io.outNoise * driftNoiseGain(p.noiseModel, DEFAULT_HWA_HORIZON_SEC),
    inpSteps: perfect ? 0 : stepsOf(io.inpRes),
    outSteps: perfect ? 0 : stepsOf(io.outRes),
    outBound: perfect ? 0 : io.outBound,
    clipOutput: !perfect && io.boundManagement === "none" && io.outBound > 0,
    clip: { type: "layerGaussian", fixedValue: 0, sigma: 2.5 },
    remap: "none",
    maxInputSize: p.mapping.maxInputSize,
    maxOutputSize: p.mapping.maxOutputSize,
    distill: null,
    bnCalibration: p.noiseModel.type === "ideal" ? null : { ...DEFAULT_BN_CALIBRATION },
    ...overrides,
  };
  return validateHwaConfig(cfg);
}

/** Throws a KirchhoffError("config") naming the first bad field. */
export function validateHwaConfig(cfg: HwaConfig): HwaConfig {
  const nonNeg = (v: number, f: string) => {
    if (!(Number.isFinite(v) && v >= 0)) throw configError(`hwa.${f}`, "a finite number >= 0", v);
  };
  if (!["none", "addNormal", "pcmProg", "chip"].includes(cfg.weightNoise.type)) {
    throw configError("hwa.weightNoise.type", "none | addNormal | pcmProg | chip", cfg.weightNoise.type);
  }
  if ((cfg.weightNoise.type === "pcmProg" || cfg.weightNoise.type === "chip") && !cfg.noiseModel) {
    throw configError(
      "hwa.weightNoise.type",
      "addNormal or none (the preset has no device noise model)",
      cfg.weightNoise.type,
    );
  }
  nonNeg(cfg.weightNoise.stdDev, "weightNoise.stdDev");
  nonNeg(cfg.weightNoise.tInferenceSec ?? 0, "weightNoise.tInferenceSec");
  const range = cfg.weightNoise.tRangeSec;
  if (range !== undefined) {
    if (cfg.weightNoise.type !== "chip") {
      throw configError("hwa.weightNoise.tRangeSec", "only with chip weight noise", cfg.weightNoise.type);
    }
    const [lo, hi] = Array.isArray(range) ? range : [Number.NaN, Number.NaN];
    if (!(Array.isArray(range) && range.length === 2 && lo! > 0 && Number.isFinite(hi) && lo! <= hi!)) {
      throw configError("hwa.weightNoise.tRangeSec", "[minSec, maxSec] with 0 < minSec <= maxSec", range);
    }
  }
  nonNeg(cfg.outNoise, "outNoise");
  nonNeg(cfg.inpSteps, "inpSteps");
  nonNeg(cfg.outSteps, "outSteps");
  if (!["none", "fixed", "layerGaussian"].includes(cfg.clip.type)) {
    throw configError("hwa.clip.type", "none | fixed | layerGaussian", cfg.clip.type);
  }
  nonNeg(cfg.clip.fixedValue, "clip.fixedValue");
  nonNeg(cfg.clip.sigma, "clip.sigma");
  if (cfg.clip.type === "fixed" && !(cfg.clip.fixedValue > 0)) {
    throw configError("hwa.clip.fixedValue", "> 0 for a fixed clip", cfg.clip.fixedValue);
  }
  if (cfg.clip.type === "layerGaussian" && !(cfg.clip.sigma > 0)) {
    throw configError("hwa.clip.sigma", "> 0 for a layer-Gaussian clip", cfg.clip.sigma);
  }
  if (cfg.digitalLayers !== undefined && !["none", "depthwise"].includes(cfg.digitalLayers)) {
    throw configError("hwa.digitalLayers", "none | depthwise", cfg.digitalLayers);
  }
  const cal = cfg.bnCalibration;
  if (cal) {
    if (!(Number.isInteger(cal.batches) && cal.batches >= 1))
      throw configError("hwa.bnCalibration.batches", "an integer >= 1", cal.batches);
    if (cal.stdDev !== undefined) nonNeg(cal.stdDev, "bnCalibration.stdDev");
  }
  if (cfg.distill) {
    if (!(cfg.distill.temperature > 0))
      throw configError("hwa.distill.temperature", "> 0", cfg.distill.temperature);
    if (!(cfg.distill.alpha >= 0 && cfg.distill.alpha <= 1)) {
      throw configError("hwa.distill.alpha", "in [0, 1]", cfg.distill.alpha);
    }
  }
  return cfg;
}
