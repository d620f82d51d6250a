/**
 * Named, validated analog configurations.
 * - `aihwkit-default`: aihwkit 1.1.0 `InferenceRPUConfig()` (SPEC 5.1/5.2): 7-bit DAC, 9-bit ADC (bound 12),
 *   out noise 0.06, ABS_MAX NM, iterative BM, PCM-like noise (25 µS), global drift compensation, 512×512 tiles.
 * - `standard-hwa`: aihwkit `StandardHWATrainingPreset` (Rasch et al., Nat. Commun. 2023, SPEC 6.1): 8-bit I/O,
 *   out bound 10, constant NM, no BM, PCM_READ w_noise 0.0175, IR drop 1, out noise 0.04, columnwise weight
 *   scaling ω = 1, learned out scaling, input range 3, max 512 inputs per tile and unlimited outputs.
 * - `hermes`: the IBM HERMES chip (Le Gallo et al., Nat. Electron. 2023; SPEC 12): 64 cores of 256×256, 8-bit DAC/ADC
 *   (254 steps), HermesNoiseModel with 2 devices per polarity, global drift compensation, default aihwkit
 *   NM/BM and output noise, per-output weight scaling (ω = 1, the core's digital affine output stage).
 * - `ideal`: perfect tiles and no device noise (digital-equivalent baseline).
 */
import { configError } from "../../core/index.js";
import { type AnalogConfig, type AnalogConfigInput, analogConfig } from "./analog-config.js";

const PRESETS: Record<string, AnalogConfigInput> = {
  "aihwkit-default": { name: "aihwkit-default" },
  "standard-hwa": {
    name: "standard-hwa",
    forward: {
      inpRes: 254,
      outRes: 254,
      outBound: 10,
      boundManagement: "none",
      noiseManagement: "constant",
      nmThres: 1,
      wNoise: 0.0175,
      wNoiseType: "pcmRead",
      irDrop: 1,
      outNoise: 0.04,
    },
    mapping: {
      weightScalingOmega: 1,
      weightScalingColumnwise: true,
      maxInputSize: 512,
      maxOutputSize: null,
      digitalBias: true,
      learnOutScaling: true,
      outScalingColumnwise: true,
    },
    noiseModel: { type: "pcm" },
    driftCompensation: "global",
    inputRange: { enable: true, initValue: 3 },
  },
  hermes: {
    name: "hermes",
    forward: { inpRes: 254, outRes: 254 },
    // per-output affine scaling in the core's local digital unit (HERMES-Core, JSSC 2022): ω = 1 columnwise
    mapping: {
      maxInputSize: 256,
      maxOutputSize: 256,
      weightScalingOmega: 1,
      weightScalingColumnwise: true,
      chipCores: 64,
    },
    noiseModel: { type: "hermes", numDevices: 2 },
    driftCompensation: "global",
  },
  ideal: {
    name: "ideal",
    forward: { isPerfect: true },
    mapping: { maxInputSize: null, maxOutputSize: null },
    noiseModel: { type: "ideal" },
    driftCompensation: "none",
  },
};

/** One line per preset, for listings (`kirchhoff presets`). */
export const PRESET_SUMMARIES: Readonly<Record<string, string>> = {
  "aihwkit-default": "aihwkit 1.1.0 InferenceRPUConfig: 7-bit DAC, 9-bit ADC, PCM noise, 512×512 tiles",
  "standard-hwa":
    "aihwkit StandardHWATrainingPreset: 8-bit I/O, PCM read noise, IR drop, learned input range",
  hermes: "IBM HERMES chip: 64 cores of 256×256, 8-bit DAC/ADC, HERMES PCM noise (2 devices per polarity)",
  ideal: "perfect tiles, no device noise (the digital baseline)",
};

/** Names accepted by getPreset. */
export const PRESET_NAMES: readonly string[] = Object.keys(PRESETS);

/** A named preset as written above (before defaults), a fresh copy; unknown names give a KirchhoffError. */
export function presetInput(name: string): AnalogConfigInput {
  const p = Object.hasOwn(PRESETS, name) ? PRESETS[name] : undefined;
  if (!p) throw configError("analog preset", `one of ${PRESET_NAMES.join(", ")}`, name);
  return structuredClone(p);
}

/** A fresh, validated copy of a named preset; unknown names give a KirchhoffError listing the valid ones. */
export function getPreset(name: string): AnalogConfig {
  return analogConfig(presetInput(name), `analog preset "${name}"`);
}
