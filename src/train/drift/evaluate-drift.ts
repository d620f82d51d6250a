/**
 * Accuracy over drift on an analog chip model: the digital model is converted with `toAnalog` (in place, and
 * converted back at the end), then for each of N independent programmings (each with its own Rng split) it is
 * programmed once and drifted to every requested time (each drift restarts from the programmed state, like
 * aihwkit), and the test accuracy is measured. Returns mean ± std per time, the 1 s → 1 month drop and the
 * digital accuracy beside it. `digitalLayers: "depthwise"` keeps depthwise convolutions digital (HERMES has
 * digital processing units next to the analog cores, Le Gallo et al., Nat. Electron. 2023): an explicit,
 * reported mapping choice, never a silent one.
 */
import {
  type AnalogConfig,
  depthwiseToDigital,
  drift,
  getPreset,
  program,
  toAnalog,
  toDigital,
  type WeightMapping,
  weightMapping,
} from "../../analog/index.js";
import { configError, type Rng } from "../../core/index.js";
import type { DataLoader } from "../../data/index.js";
import type { AnyModule } from "../../nn/index.js";
import { evaluateClassifier } from "../evaluate.js";
import { type AdaBsOptions, recalibrateBatchNorm, saveBatchNormStats } from "./adabs.js";
import { DEFAULT_DRIFT_TIMES_SEC, type DriftSummary, summarizeDrift } from "./stats.js";

export interface DriftEvalOptions {
  /** Analog preset name or configuration (default "hermes"). */
  preset?: string | AnalogConfig;
  /** Inference times after programming, seconds (default 1 s, 1 h, 1 d, 1 month, 1 y). */
  times?: readonly number[];
  /** Independent programmings (default 10). */
  reps?: number;
  rng: Rng;
  /**
   * Layers kept digital on the chip's digital units: "none" (default, every Linear, Conv2d, LSTM and GRU is
   * analog) or "depthwise" (grouped convolutions with one input channel per group stay digital).
   */
  digitalLayers?: DigitalLayers;
  /**
   * Adaptive BN statistics (AdaBS, Joshi et al. 2020): after every drift, re-estimate the BatchNorm running
   * statistics on the chip from these calibration batches before measuring (off by default). The model's own
   * statistics are restored afterwards.
   */
  adaBs?: AdaBsOptions | null;
  /** Called after each (repetition, time) measurement. */
  onProgress?: (rep: number, timeIndex: number, accuracy: number) => void;
}

/** Which layers stay digital in the chip mapping. */
export type DigitalLayers = "none" | "depthwise";

export function evaluateOverDrift(
  model: AnyModule,
  test: DataLoader,
  o: DriftEvalOptions,
): DriftSummary & {
  preset: string;
  /** The complete analog configuration evaluated (a preset's, or one of the user's own). */
  analogConfig: AnalogConfig;
  digitalLayerPaths: string[];
  adaBsBatches: number;
  /** Which weights were on tiles in the evaluation and which stayed digital. */
  mapping: WeightMapping;
} {
  const times = [...(o.times ?? DEFAULT_DRIFT_TIMES_SEC)];
  const reps = o.reps ?? 10;
  const digitalLayers = o.digitalLayers ?? "none";
  if (digitalLayers !== "none" && digitalLayers !== "depthwise") {
    throw configError("digitalLayers", "none | depthwise", digitalLayers);
  }
  if (!(Number.isInteger(reps) && reps >= 1)) throw configError("reps", "a positive integer", reps);
  for (const t of times) {
    if (!(Number.isFinite(t) && t >= 0)) throw configError("times", "finite times >= 0 seconds", t);
  }
  const cfg = typeof o.preset === "object" ? o.preset : getPreset(o.preset ?? "hermes");
  const digital = evaluateClassifier(model, test).accuracy;
  const adaBs = o.adaBs ?? null;
  const bnStats = adaBs ? saveBatchNormStats(model) : null;
  const analog = toAnalog(model, cfg, { rng: o.rng.fork("forward-noise") });
  const digitalLayerPaths = digitalLayers === "depthwise" ? depthwiseToDigital(analog) : [];
  const mapping = weightMapping(analog);
  const accuracies: number[][] = [];
  try {
    const repRng = o.rng.fork("programmings");
    for (let r = 0; r < reps; r++) {
      const rng = repRng.split();
      program(analog, rng.fork("program"));
      const row: number[] = [];
      times.forEach((t, i) => {
        drift(analog, t, rng.fork(`drift:${i}`));
        if (adaBs) recalibrateBatchNorm(analog, adaBs);
        const acc = evaluateClassifier(analog, test).accuracy;
        row.push(acc);
        o.onProgress?.(r, i, acc);
      });
      accuracies.push(row);
    }
  } finally {
    bnStats?.restore();
    toDigital(analog);
  }
  return {
    ...summarizeDrift(times, accuracies, digital),
    preset: cfg.name,
    analogConfig: cfg,
    digitalLayerPaths,
    adaBsBatches: adaBs ? adaBs.batches : 0,
    mapping,
  };
}
