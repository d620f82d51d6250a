/**
 * Tabular evaluator: looks metrics up in a benchmark table (AnalogNAS-Bench style CSV loaded by
 * src/nas/tabular). Returns `<metric>` = mean and `<metric>_std` = std for every requested column.
 * Architectures missing from the table, or whose requested cells are empty/unparsable, are "invalid".
 */
import { KirchhoffError } from "../../core/index.js";
import type { SearchSpace } from "../space/types.js";
import type { Evaluation, Evaluator, MetricTable } from "./types.js";

export class TabularEvaluator<G> implements Evaluator<G> {
  readonly name = "tabular";
  /** Simulated cost of one query (seconds of training the benchmark stands in for); 1 per query. */
  readonly costPerQuery = 1;

  constructor(
    private readonly space: SearchSpace<G>,
    private readonly table: MetricTable,
    private readonly columns: readonly string[],
  ) {
    if (columns.length === 0)
      throw new KirchhoffError("config", "tabular evaluator: no metric columns requested");
    for (const c of columns) {
      if (!table.metrics.includes(c)) {
        throw new KirchhoffError(
          "config",
          `tabular evaluator: metric ${JSON.stringify(c)} is not a column of the table (columns: ${table.metrics.join(", ")})`,
        );
      }
    }
  }

  precheck(genome: G): string | null {
    const key = this.space.key(genome);
    return this.table.has(key) ? null : `architecture ${key} not in the table`;
  }

  async evaluate(genome: G): Promise<Evaluation> {
    return this.lookup(genome);
  }

  /** Synchronous lookup (the benchmark harness uses it directly). */
  lookup(genome: G): Evaluation {
    const key = this.space.key(genome);
    if (!this.table.has(key)) return { status: "invalid", reason: `architecture ${key} not in the table` };
    const metrics: Record<string, number> = {};
    for (const c of this.columns) {
      let v: { mean: number; std: number | undefined } | null;
      try {
        v = this.table.get(key, c);
      } catch (err) {
        if (err instanceof KirchhoffError)
          return { status: "invalid", reason: `${key}: ${c}: ${err.message}` };
        throw err;
      }
      if (v === null || !Number.isFinite(v.mean))
        return { status: "invalid", reason: `${key}: ${c} has no value` };
      metrics[c] = v.mean;
      metrics[`${c}_std`] = v.std !== undefined && Number.isFinite(v.std) ? v.std : 0;
    }
    return { status: "ok", metrics, cost: this.costPerQuery };
  }
}
