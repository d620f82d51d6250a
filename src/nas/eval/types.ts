/** Evaluator contract: turns a genome into metrics (or says it is not a valid member of the benchmark). */
import type { Metrics } from "../objective/objectives.js";

/**
 * Result of evaluating one genome. "invalid" means the genome cannot be evaluated by this evaluator (e.g.
 * not in a partial tabular benchmark): a study resamples it and does not charge the budget.
 */
export type Evaluation =
  | { status: "ok"; metrics: Metrics; cost: number }
  | { status: "invalid"; reason: string };

export interface Evaluator<G = unknown> {
  /** Short name for logs and journals, e.g. "tabular". */
  readonly name: string;
  /** Evaluates one genome; throws on failures that are not the genome's fault (I/O, bad config). */
  evaluate(genome: G): Promise<Evaluation>;
  /** Cheap validity pre-check (no cost) so that studies can skip invalid proposals without journaling them. */
  precheck?(genome: G): string | null;
}

/** A metric lookup table (e.g. AnalogNAS-Bench CSV), keyed by `SearchSpace.key` strings. */
export interface MetricTable {
  /** Metric columns the table provides. */
  readonly metrics: readonly string[];
  has(key: string): boolean;
  /**
   * Mean and std (undefined for plain numbers) of a metric, null when the cell is empty; throws a
   * KirchhoffError for an unknown architecture or metric (src/nas/tabular's TabularTable satisfies this).
   */
  get(key: string, metric: string): { mean: number; std: number | undefined } | null;
}
