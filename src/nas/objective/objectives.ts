/**
 * Objectives: what a study optimises, read from an evaluation's metric record.
 *
 * A metric record maps names to numbers; tabular evaluators return `<column>` (mean) and `<column>_std`.
 * An objective is a column (`finetuned_drift_86400`), or the drop between two columns written
 * `drop:<early>:<late>` (early − late, e.g. the accuracy drop from 1 s to 1 month when those columns
 * exist), with a direction.
 */
import { KirchhoffError } from "../../core/index.js";

export type Metrics = Record<string, number>;
export type Direction = "maximize" | "minimize";

export interface Objective {
  /** Display name and config spelling, e.g. "finetuned_drift_86400" or "drop:finetuned_drift_60:finetuned_drift_86400". */
  readonly name: string;
  readonly direction: Direction;
  /** Metric columns this objective needs from the evaluator. */
  readonly columns: readonly string[];
  /** The objective's value (in its own direction) for a metric record. */
  value(metrics: Metrics): number;
}

function read(metrics: Metrics, column: string, objective: string): number {
  const v = metrics[column];
  if (typeof v !== "number" || Number.isNaN(v)) {
    throw new KirchhoffError(
      "data",
      `objective ${objective}: metric ${JSON.stringify(column)} missing from evaluation (have ${Object.keys(metrics).join(", ")})`,
    );
  }
  return v;
}

/** Parses an objective spelling: a metric name or `drop:<early>:<late>`. */
export function parseObjective(spec: string, direction?: Direction): Objective {
  const s = spec.trim();
  if (s.startsWith("drop:")) {
    const parts = s.split(":");
    if (parts.length !== 3 || !parts[1] || !parts[2]) {
      throw new KirchhoffError(
        "config",
        `objective: expected "drop:<early>:<late>", got ${JSON.stringify(spec)}`,
      );
    }
    const [, a, b] = parts as [string, string, string];
    return {
      name: s,
      direction: direction ?? "minimize",
      columns: [a, b],
      value: (m) => read(m, a, s) - read(m, b, s),
    };
  }
  if (!/^[A-Za-z0-9_.@-]+$/.test(s))
    throw new KirchhoffError("config", `objective: bad metric name ${JSON.stringify(spec)}`);
  return { name: s, direction: direction ?? "maximize", columns: [s], value: (m) => read(m, s, s) };
}

/** Objective value turned into "larger is better". */
export function utility(objective: Objective, metrics: Metrics): number {
  const v = objective.value(metrics);
  return objective.direction === "maximize" ? v : -v;
}
