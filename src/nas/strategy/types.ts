/**
 * Strategy contract (ask/tell). A strategy proposes genomes and learns from results. Strategies are
 * deterministic functions of their seed and the sequence of ask/tell calls, which is how a study rebuilds
 * one after a crash: it replays the journal's ask/tell sequence (see study/study.ts).
 */
import type { Rng } from "../../core/index.js";
import type { Metrics } from "../objective/objectives.js";
import type { SearchSpace } from "../space/types.js";

/**
 * Outcome of one proposal. "rejected" (violates architecture constraints) and "invalid" (evaluator cannot
 * evaluate it, e.g. not in the table) are not charged to the budget; "failed" is (the evaluator threw).
 */
export interface TrialResult<G> {
  genome: G;
  key: string;
  status: "ok" | "failed" | "rejected" | "invalid";
  metrics?: Metrics;
  /** Single-objective score, larger is better; infeasible trials score below every feasible one. */
  score?: number;
  /** Objective utilities (larger is better), one per objective. */
  utilities?: number[];
  /** Metric-constraint violation (0 = feasible). */
  violation?: number;
  /**
   * Another worker's trial read from a shared journal: learn from it, but it answers none of this
   * strategy's own proposals.
   */
  foreign?: boolean;
}

export interface StrategyContext<G> {
  space: SearchSpace<G>;
  rng: Rng;
  /** Number of objectives of the study (NSGA-II needs ≥ 1, single-objective strategies use `score`). */
  numObjectives: number;
  /**
   * Cheap feasibility filter known before evaluation (architecture constraints, evaluator pre-check).
   * Strategies use it to keep candidate pools feasible; the study enforces it anyway.
   */
  feasible(genome: G): boolean;
}

export interface Strategy<G> {
  readonly name: string;
  /** Up to n new proposals (fewer only when the strategy has exhausted the space). */
  ask(n: number): G[];
  /** Results of earlier proposals, in the order they completed. */
  tell(results: readonly TrialResult<G>[]): void;
}

/** A trainable model that scores feature rows (src/nas/surrogate's Surrogate satisfies it). */
export interface SurrogateModel {
  fit(X: readonly (readonly number[])[], y: readonly number[], opts?: { rng?: Rng }): void;
  predict(X: readonly (readonly number[])[]): Float64Array;
}
/** Makes a fresh surrogate; `seed` varies across ensemble members. */
export type SurrogateFactory = (seed: number) => SurrogateModel;

/** Tracks which keys were proposed/evaluated and the scored results, shared by most strategies. */
export class History<G> {
  readonly scored: { genome: G; key: string; score: number; features?: number[] }[] = [];
  private readonly seen = new Set<string>();
  private readonly scoredKeys = new Set<string>();

  has(key: string): boolean {
    return this.seen.has(key);
  }
  mark(key: string): void {
    this.seen.add(key);
  }
  add(r: TrialResult<G>): void {
    this.seen.add(r.key);
    if (r.status === "ok" && r.score !== undefined && !this.scoredKeys.has(r.key)) {
      this.scoredKeys.add(r.key);
      this.scored.push({ genome: r.genome, key: r.key, score: r.score });
    }
  }
  /** The k best scored results (ties keep insertion order). */
  top(k: number): { genome: G; key: string; score: number }[] {
    return this.scored
      .map((s, i) => ({ s, i }))
      .sort((a, b) => b.s.score - a.s.score || a.i - b.i)
      .slice(0, k)
      .map((x) => x.s);
  }
}
