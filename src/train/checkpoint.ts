/**
 * Training checkpoints: one safetensors file holding the model state dict (`model.<name>`), the optimiser
 * state (`optim.state.*` + metadata) and the training progress (epoch, scheduler step, best validation
 * accuracy, history) as JSON metadata. Written atomically, so an interrupted run leaves the previous
 * checkpoint intact.
 */
import { existsSync } from "node:fs";
import { KirchhoffError } from "../core/index.js";
import {
  type AnyModule,
  type BaseHyper,
  loadSafetensors,
  type Optimizer,
  optimizerStateFromSafetensors,
  optimizerStateToSafetensors,
  type SchedulerState,
  type StateTensor,
  saveSafetensors,
} from "../nn/index.js";
import type { EpochRecord } from "./metrics.js";

export const PROGRESS_METADATA_KEY = "kirchhoff.train";

/** Everything besides tensors that a resumed run needs. */
export interface TrainProgress {
  /** Number of completed epochs. */
  epoch: number;
  /** Optimiser steps so far. */
  step: number;
  scheduler: SchedulerState;
  bestValAccuracy: number | null;
  bestEpoch: number | null;
  /** Epochs since the best validation accuracy (early stopping counter). */
  epochsWithoutImprovement: number;
  history: EpochRecord[];
  /** Free-form run description (model name, preset, seed...) checked on resume. */
  run: Record<string, string | number | boolean | null>;
}

export function saveCheckpoint(
  path: string,
  model: AnyModule,
  optimizer: Optimizer<BaseHyper>,
  progress: TrainProgress,
): void {
  const tensors = new Map<string, StateTensor>();
  for (const [k, t] of model.stateDict()) tensors.set(`model.${k}`, t);
  const opt = optimizerStateToSafetensors(optimizer.stateDict());
  for (const [k, t] of opt.tensors) tensors.set(k, t);
  saveSafetensors(path, tensors, { ...opt.metadata, [PROGRESS_METADATA_KEY]: JSON.stringify(progress) });
}

/** Restores model and optimiser in place and returns the saved progress. */
export function loadCheckpoint(
  path: string,
  model: AnyModule,
  optimizer: Optimizer<BaseHyper>,
): TrainProgress {
  if (!existsSync(path)) throw new KirchhoffError("io", `checkpoint ${path} does not exist`);
  const { tensors, metadata } = loadSafetensors(path);
  const raw = metadata[PROGRESS_METADATA_KEY];
  if (raw === undefined) {
    throw new KirchhoffError(
      "io",
      `${path}: no "${PROGRESS_METADATA_KEY}" metadata (not a Kirchhoff training checkpoint)`,
    );
  }
  let progress: TrainProgress;
  try {
    progress = JSON.parse(raw) as TrainProgress;
  } catch (e) {
    throw new KirchhoffError("io", `${path}: bad ${PROGRESS_METADATA_KEY} JSON: ${(e as Error).message}`);
  }
  if (!(Number.isInteger(progress.epoch) && progress.epoch >= 0 && progress.scheduler)) {
    throw new KirchhoffError("io", `${path}: ${PROGRESS_METADATA_KEY} lacks a valid epoch / scheduler state`);
  }
  const modelState = new Map<string, StateTensor>();
  for (const [k, t] of tensors) if (k.startsWith("model.")) modelState.set(k.slice(6), t);
  model.loadStateDict(modelState, { source: path });
  optimizer.loadStateDict(optimizerStateFromSafetensors(tensors, metadata, path), path);
  return progress;
}
