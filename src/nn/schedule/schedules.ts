/**
 * Learning-rate schedules as pure functions `lr = schedule(baseLr, t)` of the step counter t (t = 0 before
 * the first `LrScheduler.step()`). Whether t counts epochs or optimiser steps is up to the caller: call
 * `LrScheduler.step()` once per epoch or once per batch. Closed forms match PyTorch's schedulers for
 * t ≤ tMax (cosine: `CosineAnnealingLR`'s closed form; afterwards it stays at etaMin instead of rising).
 */
import { configError } from "../../core/index.js";

/** Maps (the group's initial lr, step counter) to the lr to use. */
export type LrSchedule = (baseLr: number, t: number) => number;

function nonNegInt(field: string, v: number): void {
  if (!(Number.isInteger(v) && v >= 0)) throw configError(field, "an integer >= 0", v);
}

/** The initial lr forever. */
export function constantLr(): LrSchedule {
  return (base) => base;
}

/** lr·gamma^⌊t/stepSize⌋ (`StepLR`). */
export function stepLr(opts: { stepSize: number; gamma?: number }): LrSchedule {
  const gamma = opts.gamma ?? 0.1;
  if (!(Number.isInteger(opts.stepSize) && opts.stepSize > 0))
    throw configError("stepLr.stepSize", "a positive integer", opts.stepSize);
  if (!(gamma > 0)) throw configError("stepLr.gamma", "> 0", gamma);
  return (base, t) => base * gamma ** Math.floor(t / opts.stepSize);
}

/** lr·gamma^(number of milestones ≤ t) (`MultiStepLR`). */
export function multiStepLr(opts: { milestones: readonly number[]; gamma?: number }): LrSchedule {
  const gamma = opts.gamma ?? 0.1;
  for (const [i, m] of opts.milestones.entries()) nonNegInt(`multiStepLr.milestones[${i}]`, m);
  if (!(gamma > 0)) throw configError("multiStepLr.gamma", "> 0", gamma);
  const ms = [...opts.milestones].sort((a, b) => a - b);
  return (base, t) => base * gamma ** ms.filter((m) => m <= t).length;
}

/** lr·gamma^t (`ExponentialLR`). */
export function exponentialLr(opts: { gamma: number }): LrSchedule {
  if (!(opts.gamma > 0)) throw configError("exponentialLr.gamma", "> 0", opts.gamma);
  return (base, t) => base * opts.gamma ** t;
}

export interface CosineOptions {
  /** Total length in steps, warmup included; the lr reaches etaMin at t = tMax. */
  tMax: number;
  /** Final lr (absolute, default 0). */
  etaMin?: number;
  /** Linear warmup steps before the cosine (default 0). */
  warmupSteps?: number;
  /** The warmup starts at warmupStartFactor·lr (default 0, PyTorch LinearLR's start_factor). */
  warmupStartFactor?: number;
}

/**
 * Optional linear warmup from warmupStartFactor·lr to lr over W steps, then half-cosine annealing
 * (Loshchilov & Hutter 2017, SGDR, arXiv 1608.03983) from lr to etaMin over the remaining tMax − W steps:
 * lr(t) = etaMin + (lr − etaMin)·(1 + cos(π·(t − W)/(tMax − W)))/2, held at etaMin after tMax.
 */
export function cosineLr(opts: CosineOptions): LrSchedule {
  const etaMin = opts.etaMin ?? 0;
  const warm = opts.warmupSteps ?? 0;
  const start = opts.warmupStartFactor ?? 0;
  if (!(Number.isInteger(opts.tMax) && opts.tMax > 0))
    throw configError("cosineLr.tMax", "a positive integer", opts.tMax);
  nonNegInt("cosineLr.warmupSteps", warm);
  if (warm >= opts.tMax) throw configError("cosineLr.warmupSteps", `< tMax (${opts.tMax})`, warm);
  if (!(etaMin >= 0)) throw configError("cosineLr.etaMin", ">= 0", etaMin);
  if (!(start >= 0 && start <= 1)) throw configError("cosineLr.warmupStartFactor", "in [0, 1]", start);
  const span = opts.tMax - warm;
  return (base, t) => {
    if (t < warm) return base * (start + ((1 - start) * t) / warm);
    const u = Math.min(t - warm, span) / span;
    return etaMin + ((base - etaMin) * (1 + Math.cos(Math.PI * u))) / 2;
  };
}
