/**
 * Constraints on architectures (checked before evaluation, so violating proposals are never charged to the
 * budget) and on metrics (checked after evaluation; a violating trial counts but is ranked infeasible).
 */
import { KirchhoffError } from "../../core/index.js";
import type { SearchSpace } from "../space/types.js";
import type { Metrics } from "./objectives.js";

export interface Constraints {
  /** Maximum trainable parameters (see NetworkCounts.params). */
  maxParams?: number;
  /** Maximum multiply-accumulates per inference. */
  maxMacs?: number;
  /** Maximum crossbar tiles of size `tileSize`. */
  maxTiles?: number;
  /** Crossbar tile edge (devices); HERMES: 256. */
  tileSize?: number;
  /** Require the network to fit a chip of this many cores (tiles of `tileSize`); HERMES: 64. */
  chipCores?: number;
  /** Metric bounds checked after evaluation, e.g. { "finetuned_drift_86400": { min: 85 } }. */
  metrics?: Record<string, { min?: number; max?: number }>;
}

/** Reason a genome violates the architecture constraints, or null when it satisfies them. */
export function architectureViolation<G>(space: SearchSpace<G>, genome: G, c: Constraints): string | null {
  if (
    c.maxParams === undefined &&
    c.maxMacs === undefined &&
    c.maxTiles === undefined &&
    c.chipCores === undefined
  ) {
    return null;
  }
  const counts = space.counts(genome);
  if (c.maxParams !== undefined && counts.params > c.maxParams)
    return `params ${counts.params} > ${c.maxParams}`;
  if (c.maxMacs !== undefined && counts.macs > c.maxMacs) return `MACs ${counts.macs} > ${c.maxMacs}`;
  if (c.maxTiles !== undefined || c.chipCores !== undefined) {
    const tiles = space.tilesNeeded(genome, c.tileSize ?? 256);
    const limit = Math.min(c.maxTiles ?? Number.POSITIVE_INFINITY, c.chipCores ?? Number.POSITIVE_INFINITY);
    if (tiles > limit) return `tiles ${tiles} > ${limit}`;
  }
  return null;
}

/** Total amount by which metrics violate their bounds (0 = feasible). */
export function metricViolation(metrics: Metrics, c: Constraints): number {
  let v = 0;
  for (const [name, bound] of Object.entries(c.metrics ?? {})) {
    const x = metrics[name];
    if (typeof x !== "number")
      throw new KirchhoffError("data", `constraint on ${JSON.stringify(name)}: metric missing`);
    if (bound.min !== undefined && x < bound.min) v += bound.min - x;
    if (bound.max !== undefined && x > bound.max) v += x - bound.max;
  }
  return v;
}

/** Checks constraint values (positive numbers) and returns them. */
export function validateConstraints(c: Constraints): Constraints {
  for (const k of ["maxParams", "maxMacs", "maxTiles", "tileSize", "chipCores"] as const) {
    const v = c[k];
    if (v !== undefined && !(Number.isFinite(v) && v > 0))
      throw new KirchhoffError("config", `constraints.${k}: expected > 0, got ${v}`);
  }
  return c;
}
