/**
 * Drives an optimiser's learning rates from an `LrSchedule`. Each group's initial lr (at construction) is
 * its base lr. The lr for t = 0 is applied immediately; every `step()` advances t and applies the new lr.
 * Resumable: the state is the step counter (plus the base lrs), see `stateDict()` / `loadStateDict()`.
 */
import { configError } from "../../core/index.js";
import type { BaseHyper, Optimizer } from "../optim/optimizer.js";
import type { LrSchedule } from "./schedules.js";

export interface SchedulerState {
  step: number;
  baseLrs: number[];
}

export class LrScheduler {
  private t = 0;
  private baseLrs: number[];

  constructor(
    private readonly optimizer: Optimizer<BaseHyper>,
    private readonly schedule: LrSchedule,
  ) {
    this.baseLrs = optimizer.paramGroups.map((g) => g.lr);
    this.apply();
  }

  /** Number of `step()` calls so far. */
  get currentStep(): number {
    return this.t;
  }

  /** The lr of every group as last applied. */
  get lastLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** Advances the counter by one and applies the new lr. */
  step(): void {
    this.t += 1;
    this.apply();
  }

  /** The lr group `group` gets at step `t` (does not change anything). */
  lrAt(t: number, group = 0): number {
    return this.schedule(this.baseLrs[group]!, t);
  }

  stateDict(): SchedulerState {
    return { step: this.t, baseLrs: [...this.baseLrs] };
  }

  /** Restores the counter and base lrs and re-applies the lr for that step. */
  loadStateDict(s: SchedulerState): void {
    if (!(Number.isInteger(s.step) && s.step >= 0))
      throw configError("scheduler state step", "an integer >= 0", s.step);
    if (s.baseLrs.length !== this.baseLrs.length) {
      throw configError("scheduler state baseLrs length", String(this.baseLrs.length), s.baseLrs.length);
    }
    this.t = s.step;
    this.baseLrs = [...s.baseLrs];
    this.apply();
  }

  private apply(): void {
    this.optimizer.paramGroups.forEach((g, i) => {
      g.lr = this.schedule(this.baseLrs[i]!, this.t);
    });
  }
}
