/**
 * Multi-objective helpers (Deb et al. 2002, NSGA-II): dominance, fast non-dominated sorting, crowding
 * distance, and the 2-D hypervolume. All vectors are "larger is better" (use `utility`).
 */

/** a dominates b: no worse in every objective and better in at least one. */
export function dominates(a: readonly number[], b: readonly number[]): boolean {
  let better = false;
  for (let i = 0; i < a.length; i++) {
    if (a[i]! < b[i]!) return false;
    if (a[i]! > b[i]!) better = true;
  }
  return better;
}

/** Fronts of indices, best first (fast non-dominated sort). */
export function nonDominatedSort(points: readonly (readonly number[])[]): number[][] {
  const n = points.length;
  const dominatedBy: number[][] = Array.from({ length: n }, () => []);
  const count = new Array<number>(n).fill(0);
  const fronts: number[][] = [[]];
  for (let p = 0; p < n; p++) {
    for (let q = 0; q < n; q++) {
      if (p === q) continue;
      if (dominates(points[p]!, points[q]!)) dominatedBy[p]!.push(q);
      else if (dominates(points[q]!, points[p]!)) count[p]!++;
    }
    if (count[p] === 0) fronts[0]!.push(p);
  }
  let i = 0;
  while (fronts[i]!.length > 0) {
    const next: number[] = [];
    for (const p of fronts[i]!) {
      for (const q of dominatedBy[p]!) if (--count[q]! === 0) next.push(q);
    }
    fronts.push(next);
    i++;
  }
  fronts.pop();
  return fronts;
}

/** Crowding distance of each member of one front (boundary points get Infinity). */
export function crowdingDistance(points: readonly (readonly number[])[]): number[] {
  const n = points.length;
  const d = new Array<number>(n).fill(0);
  if (n === 0) return d;
  const m = points[0]!.length;
  for (let k = 0; k < m; k++) {
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => points[a]![k]! - points[b]![k]!);
    const lo = points[order[0]!]![k]!;
    const hi = points[order[n - 1]!]![k]!;
    d[order[0]!] = Number.POSITIVE_INFINITY;
    d[order[n - 1]!] = Number.POSITIVE_INFINITY;
    if (hi === lo) continue;
    for (let i = 1; i < n - 1; i++)
      d[order[i]!]! += (points[order[i + 1]!]![k]! - points[order[i - 1]!]![k]!) / (hi - lo);
  }
  return d;
}

/** Hypervolume dominated by 2-D points (larger is better) above the reference point. */
export function hypervolume2d(
  points: readonly (readonly number[])[],
  ref: readonly [number, number],
): number {
  const pts = points.filter((p) => p[0]! > ref[0] && p[1]! > ref[1]).map((p) => [p[0]!, p[1]!] as const);
  pts.sort((a, b) => b[0] - a[0]);
  let hv = 0;
  let bestY = ref[1];
  for (const [x, y] of pts) {
    if (y > bestY) {
      hv += (x - ref[0]) * (y - bestY);
      bestY = y;
    }
  }
  return hv;
}
