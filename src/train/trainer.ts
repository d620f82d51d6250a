/**
 * The training loop: epochs of mini-batches from a DataLoader, an optimiser with a learning-rate schedule
 * (stepped per batch), loss/accuracy metrics, validation after every epoch, early stopping on validation
 * accuracy, an atomic checkpoint after every epoch and exact resumption from it, progress events, and
 * optional hardware-aware training (HWA layers + clip/remap after each step) and knowledge distillation.
 *
 * Determinism: batch order and augmentation are pure functions of (loader seed, epoch, batch) and the HWA
 * noise streams are keyed by per-layer forward counters saved in the model state, so a run resumed from the
 * checkpoint of epoch e continues exactly like the uninterrupted run.
 */
import { join } from "node:path";
import { configError, KirchhoffError, type Rng } from "../core/index.js";
import type { DataLoader } from "../data/index.js";
import {
  Adam,
  AdamW,
  type AnyModule,
  type BaseHyper,
  constantLr,
  cosineLr,
  type LrSchedule,
  LrScheduler,
  type Optimizer,
  SGD,
  stepLr,
} from "../nn/index.js";
import { accuracy, crossEntropy, noGrad, type Tensor, tensor } from "../tensor/index.js";
import { loadCheckpoint, saveCheckpoint, type TrainProgress } from "./checkpoint.js";
import { evaluateClassifier } from "./evaluate.js";
import { calibrateHwaBatchNorm } from "./hwa/calibrate-bn.js";
import type { HwaConfig } from "./hwa/config.js";
import { hwaPostStep, toHwa } from "./hwa/convert.js";
import { distillationLoss } from "./hwa/distill.js";
import { type EpochRecord, RunningMetrics } from "./metrics.js";

export type TrainEvent =
  | { type: "start"; epochs: number; batchesPerEpoch: number; startEpoch: number }
  | {
      type: "batch";
      epoch: number;
      batch: number;
      batches: number;
      loss: number;
      accuracy: number;
      lr: number;
    }
  | { type: "epoch"; record: EpochRecord; improved: boolean }
  | { type: "checkpoint"; path: string; epoch: number }
  /** HWA BatchNorm calibration after the last epoch (HwaConfig.bnCalibration; only with BatchNorm layers). */
  | { type: "calibrate"; batches: number; samples: number }
  | { type: "stop"; reason: "completed" | "early-stopping"; epoch: number };

export interface TrainOptions {
  epochs: number;
  optimizer?: "sgd" | "adam" | "adamw";
  lr: number;
  /** SGD momentum (default 0.9). */
  momentum?: number;
  weightDecay?: number;
  schedule?: "cosine" | "constant" | "step";
  /** Linear warm-up steps of the cosine schedule (default 0). */
  warmupSteps?: number;
  /** Stop after this many epochs without a better validation accuracy (default: never). */
  earlyStopPatience?: number;
  /** Folder for `checkpoint.safetensors` (written after every epoch); no checkpoints when absent. */
  checkpointDir?: string;
  /** Continue from `checkpointDir/checkpoint.safetensors` when it exists. */
  resume?: boolean;
  /** Hardware-aware training: layers become HwaLayers (in place) before the optimiser is built. */
  hwa?: HwaConfig | null;
  /** Digital teacher for knowledge distillation (used when hwa.distill is set). */
  teacher?: AnyModule | null;
  /** Generator for HWA noise streams. */
  rng: Rng;
  /** Recorded in the checkpoint and checked on resume (e.g. model name, preset, seed). */
  run?: Record<string, string | number | boolean | null>;
  onEvent?: (e: TrainEvent) => void;
}

export interface TrainResult {
  history: EpochRecord[];
  epochsRun: number;
  bestValAccuracy: number | null;
  bestEpoch: number | null;
  stoppedEarly: boolean;
  seconds: number;
}

export const CHECKPOINT_FILE = "checkpoint.safetensors";

function makeOptimizer(params: Tensor[], o: TrainOptions): Optimizer<BaseHyper> {
  const wd = o.weightDecay ?? 0;
  switch (o.optimizer ?? "sgd") {
    case "sgd":
      return new SGD(params, { lr: o.lr, momentum: o.momentum ?? 0.9, weightDecay: wd });
    case "adam":
      return new Adam(params, { lr: o.lr, weightDecay: wd });
    case "adamw":
      return new AdamW(params, { lr: o.lr, weightDecay: wd });
    default:
      throw configError("optimizer", "sgd | adam | adamw", o.optimizer);
  }
}

function makeSchedule(o: TrainOptions, totalSteps: number): LrSchedule {
  switch (o.schedule ?? "cosine") {
    case "cosine":
      return cosineLr({
        tMax: Math.max(totalSteps, (o.warmupSteps ?? 0) + 1),
        warmupSteps: o.warmupSteps ?? 0,
      });
    case "constant":
      return constantLr();
    case "step":
      return stepLr({ stepSize: Math.max(1, Math.floor(totalSteps / 3)), gamma: 0.1 });
    default:
      throw configError("schedule", "cosine | constant | step", o.schedule);
  }
}

/** Trains `model` in place (HWA layers are left in place when `hwa` is set: use `fromHwa` to remove them). */
export function trainModel(
  model: AnyModule,
  train: DataLoader,
  val: DataLoader | null,
  o: TrainOptions,
): TrainResult {
  if (!(Number.isInteger(o.epochs) && o.epochs > 0))
    throw configError("epochs", "a positive integer", o.epochs);
  if (!(Number.isFinite(o.lr) && o.lr > 0)) throw configError("lr", "a positive number", o.lr);
  if (train.batchesPerEpoch === 0)
    throw new KirchhoffError("data", `training set ${train.dataset.name} has no batches`);
  const t0 = performance.now();
  if (o.hwa) toHwa(model, o.hwa, o.rng.fork("hwa"));
  const distill = o.hwa?.distill ?? null;
  if (distill && !o.teacher) throw configError("teacher", "a digital model when hwa.distill is set", null);
  const optimizer = makeOptimizer(model.parameters(), o);
  const scheduler = new LrScheduler(optimizer, makeSchedule(o, o.epochs * train.batchesPerEpoch));
  const ckptPath = o.checkpointDir ? join(o.checkpointDir, CHECKPOINT_FILE) : null;
  let progress: TrainProgress = {
    epoch: 0,
    step: 0,
    scheduler: scheduler.stateDict(),
    bestValAccuracy: null,
    bestEpoch: null,
    epochsWithoutImprovement: 0,
    history: [],
    run: o.run ?? {},
  };
  if (o.resume && ckptPath) {
    try {
      progress = loadCheckpoint(ckptPath, model, optimizer);
    } catch (e) {
      if (!(e instanceof KirchhoffError && /does not exist/.test(e.message))) throw e;
    }
    for (const [k, v] of Object.entries(o.run ?? {})) {
      if (k in progress.run && progress.run[k] !== v) {
        throw configError(`resume: run.${k}`, `${JSON.stringify(progress.run[k])} (as in ${ckptPath})`, v);
      }
    }
    scheduler.loadStateDict(progress.scheduler);
  }
  const emit = o.onEvent ?? (() => {});
  emit({
    type: "start",
    epochs: o.epochs,
    batchesPerEpoch: train.batchesPerEpoch,
    startEpoch: progress.epoch,
  });
  let stoppedEarly = false;
  for (let epoch = progress.epoch; epoch < o.epochs; epoch++) {
    const te = performance.now();
    model.train();
    const m = new RunningMetrics();
    let b = 0;
    for (const batch of train.epoch(epoch)) {
      const x = tensor(batch.x, batch.shape);
      const logits = model.forward(x);
      let loss: Tensor;
      if (distill && o.teacher) {
        const teacher = o.teacher;
        teacher.eval();
        const tl = noGrad(() => teacher.forward(x)).data;
        loss = distillationLoss(logits, batch.y, tl, distill);
      } else {
        loss = crossEntropy(logits, batch.y);
      }
      const lossValue = loss.item();
      if (!Number.isFinite(lossValue)) {
        throw new KirchhoffError(
          "train",
          `loss became ${lossValue} at epoch ${epoch + 1}, batch ${b + 1}: lower the lr`,
        );
      }
      const acc = accuracy(logits, batch.y);
      optimizer.zeroGrad();
      loss.backward(undefined, { releaseActivations: true }); // the step's activations serve the next one
      optimizer.step();
      if (o.hwa) hwaPostStep(model);
      const lr = optimizer.lr;
      scheduler.step();
      progress.step++;
      m.add(lossValue, acc, batch.y.length);
      emit({
        type: "batch",
        epoch,
        batch: b,
        batches: train.batchesPerEpoch,
        loss: lossValue,
        accuracy: 100 * acc,
        lr,
      });
      b++;
    }
    const v = val ? evaluateClassifier(model, val) : null;
    const record: EpochRecord = {
      epoch: epoch + 1,
      trainLoss: m.loss,
      trainAccuracy: m.accuracy,
      valLoss: v ? v.loss : null,
      valAccuracy: v ? v.accuracy : null,
      lr: optimizer.lr,
      seconds: (performance.now() - te) / 1000,
    };
    const improved =
      v !== null && (progress.bestValAccuracy === null || v.accuracy > progress.bestValAccuracy);
    if (improved) {
      progress.bestValAccuracy = v.accuracy;
      progress.bestEpoch = epoch + 1;
      progress.epochsWithoutImprovement = 0;
    } else if (v) progress.epochsWithoutImprovement++;
    progress.history.push(record);
    progress.epoch = epoch + 1;
    progress.scheduler = scheduler.stateDict();
    emit({ type: "epoch", record, improved });
    if (ckptPath) {
      saveCheckpoint(ckptPath, model, optimizer, progress);
      emit({ type: "checkpoint", path: ckptPath, epoch: epoch + 1 });
    }
    if (o.earlyStopPatience !== undefined && progress.epochsWithoutImprovement >= o.earlyStopPatience) {
      stoppedEarly = true;
      break;
    }
  }
  const cal = o.hwa?.bnCalibration;
  if (cal) {
    // Not checkpointed: a resumed finished run repeats it from the same state and noise counters, so same result.
    const samples = calibrateHwaBatchNorm(model, train, cal, progress.epoch);
    model.train();
    if (samples > 0) emit({ type: "calibrate", batches: cal.batches, samples });
  }
  emit({ type: "stop", reason: stoppedEarly ? "early-stopping" : "completed", epoch: progress.epoch });
  return {
    history: progress.history,
    epochsRun: progress.epoch,
    bestValAccuracy: progress.bestValAccuracy,
    bestEpoch: progress.bestEpoch,
    stoppedEarly,
    seconds: (performance.now() - t0) / 1000,
  };
}
