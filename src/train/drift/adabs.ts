/**
 * Adaptive batch-normalisation statistics (AdaBS; Joshi et al., "Accurate deep neural network inference using
 * computational phase-change memory", Nat. Commun. 11, 2473, 2020): after the chip has drifted, every
 * (digital) BatchNorm layer re-estimates its running mean and variance from the chip's own outputs on a few
 * calibration batches of training data, then inference continues in eval mode. This removes the per-channel
 * shift and scale that conductance-dependent drift leaves after global drift compensation, at the cost of a
 * few extra forward passes per re-calibration. The analog layers stay in eval mode (inference noise only).
 */
import { configError } from "../../core/index.js";
import type { DataLoader } from "../../data/index.js";
import { type AnyModule, BatchNorm, type Module } from "../../nn/index.js";
import { noGrad, tensor } from "../../tensor/index.js";

export interface AdaBsOptions {
  /** Calibration data (typically the training split); its first `batches` batches of epoch `epoch` are used. */
  loader: DataLoader;
  /** Number of calibration batches (≥ 1). */
  batches: number;
  /** Epoch index of `loader` to draw the batches from (default 0; fixes shuffling and augmentation). */
  epoch?: number;
}

/** Snapshot of every BatchNorm's running statistics, to undo a re-calibration. */
export interface BatchNormStats {
  restore(): void;
}

/** The model's BatchNorm layers. */
function batchNorms(model: AnyModule): BatchNorm[] {
  return model.modules().filter((m): m is BatchNorm => m instanceof BatchNorm);
}

/** Copies every BatchNorm's running mean/var (and batch counter) so that `restore()` puts them back. */
export function saveBatchNormStats(model: AnyModule): BatchNormStats {
  const saved = batchNorms(model).map((bn) => ({
    bn,
    mean: bn.runningMean.data.slice(),
    variance: bn.runningVar.data.slice(),
    tracked: bn.getBuffer("num_batches_tracked").data[0]!,
  }));
  return {
    restore() {
      for (const s of saved) {
        s.bn.runningMean.data.set(s.mean);
        s.bn.runningVar.data.set(s.variance);
        s.bn.getBuffer("num_batches_tracked").data[0] = s.tracked;
      }
    },
  };
}

/**
 * Replaces every BatchNorm's running statistics by the cumulative average of the batch statistics over the
 * calibration batches, computed through the model as it is now (e.g. a drifted analog model). Modules for
 * which `alsoTraining` holds run in training mode too (HWA layers drawing their noise); all others are in eval
 * mode. Returns the number of calibration samples used. The model is left in eval mode.
 */
export function recalibrateBatchNorm(
  model: AnyModule,
  o: AdaBsOptions,
  alsoTraining: (m: Module) => boolean = () => false,
): number {
  if (!(Number.isInteger(o.batches) && o.batches >= 1)) {
    throw configError("adaBs.batches", "an integer >= 1", o.batches);
  }
  const bns = batchNorms(model);
  if (bns.length === 0) return 0;
  const momenta = bns.map((bn) => bn.momentum);
  model.eval();
  for (const m of model.modules()) if (alsoTraining(m)) m.training = true;
  for (const bn of bns) bn.training = true;
  let k = 0;
  let samples = 0;
  try {
    noGrad(() => {
      for (const b of o.loader.epoch(o.epoch ?? 0)) {
        k += 1;
        for (const bn of bns) bn.momentum = 1 / k; // running = mean of the k batch statistics
        model.forward(tensor(b.x, b.shape));
        samples += b.y.length;
        if (k >= o.batches) break;
      }
    });
  } finally {
    bns.forEach((bn, i) => {
      bn.momentum = momenta[i]!;
    });
    model.eval();
  }
  if (samples === 0)
    throw configError("adaBs.loader", "a non-empty calibration dataset", o.loader.dataset.name);
  return samples;
}
