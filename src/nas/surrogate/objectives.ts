/**
 * Training objectives of GradientBoostedTrees: per-row gradient and hessian of the loss w.r.t. the current
 * score F. "squared": 0.5 (F - y)^2. "pairwise": RankNet / XGBoost rank:pairwise logistic loss
 * log(1 + exp(-(F_a - F_b))) over pairs with y_a > y_b, either over all pairs or `pairsPerItem` sampled partners
 * per row, within optional query groups (Burges et al. 2005; XGBoost LambdaRankObj with num_pairsample).
 */
import type { Rng } from "../../core/index.js";

export type ObjectiveName = "squared" | "pairwise";

/** Fills g and h for the squared-error loss. */
export function squaredGradients(F: Float64Array, y: Float64Array, g: Float64Array, h: Float64Array): void {
  for (let i = 0; i < F.length; i++) {
    g[i] = F[i]! - y[i]!;
    h[i] = 1;
  }
}

/**
 * Rows sorted by (query group, label) plus, per row, the [start, end) ranges in that order of its group and of
 * the rows with an equal label in its group. Without groups every row is in one group.
 */
export interface LabelIndex {
  order: Int32Array;
  tieStart: Int32Array;
  tieEnd: Int32Array;
  groupStart: Int32Array;
  groupEnd: Int32Array;
}

export function buildLabelIndex(y: Float64Array, groups?: ArrayLike<number>): LabelIndex {
  const n = y.length;
  const grp = (i: number) => (groups ? groups[i]! : 0);
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => grp(a) - grp(b) || y[a]! - y[b]!);
  const tieStart = new Int32Array(n);
  const tieEnd = new Int32Array(n);
  const groupStart = new Int32Array(n);
  const groupEnd = new Int32Array(n);
  const fillRuns = (same: (a: number, b: number) => boolean, start: Int32Array, end: Int32Array) => {
    let s = 0;
    for (let k = 1; k <= n; k++) {
      if (k === n || !same(order[k]!, order[s]!)) {
        for (let t = s; t < k; t++) {
          start[order[t]!] = s;
          end[order[t]!] = k;
        }
        s = k;
      }
    }
  };
  fillRuns((a, b) => grp(a) === grp(b), groupStart, groupEnd);
  fillRuns((a, b) => grp(a) === grp(b) && y[a] === y[b], tieStart, tieEnd);
  return { order, tieStart, tieEnd, groupStart, groupEnd };
}

function addPair(F: Float64Array, hi: number, lo: number, g: Float64Array, h: Float64Array, w: number): void {
  // rho = sigmoid(F_lo - F_hi) = probability the pair is mis-ordered.
  const rho = 1 / (1 + Math.exp(F[hi]! - F[lo]!));
  const hess = Math.max(rho * (1 - rho), 1e-16) * w;
  g[hi]! -= rho * w;
  g[lo]! += rho * w;
  h[hi]! += hess;
  h[lo]! += hess;
}

/**
 * Fills g and h for the pairwise logistic loss; pairs never cross query groups. pairsPerItem = "all" uses every
 * pair with different labels, a number samples that many partners (with a different label) per row.
 */
export function pairwiseGradients(
  F: Float64Array,
  y: Float64Array,
  g: Float64Array,
  h: Float64Array,
  index: LabelIndex,
  pairsPerItem: number | "all",
  rng: Rng,
): void {
  const n = F.length;
  g.fill(0);
  h.fill(0);
  const { order, tieStart, tieEnd, groupStart, groupEnd } = index;
  if (pairsPerItem === "all") {
    // Each row against every row of its group with a strictly larger label.
    for (let a = 0; a < n; a++) {
      const lo = order[a]!;
      for (let b = tieEnd[lo]!; b < groupEnd[lo]!; b++) addPair(F, order[b]!, lo, g, h, 1);
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const ties = tieEnd[i]! - tieStart[i]!;
    const others = groupEnd[i]! - groupStart[i]! - ties;
    if (others === 0) continue;
    for (let p = 0; p < pairsPerItem; p++) {
      let k = groupStart[i]! + rng.int(others);
      if (k >= tieStart[i]!) k += ties;
      const j = order[k]!;
      if (y[i]! > y[j]!) addPair(F, i, j, g, h, 1);
      else addPair(F, j, i, g, h, 1);
    }
  }
}
