/**
 * Ranking metrics for surrogate quality: Kendall's tau-b (O(n log n), Knight 1966, as scipy.stats.kendalltau),
 * Spearman's rho with average ranks for ties, and NDCG@k with linear gains.
 */
import { KirchhoffError } from "../../core/index.js";

function checkPair(name: string, a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) {
    throw new KirchhoffError("value", `${name}: inputs differ in length: ${a.length} vs ${b.length}`);
  }
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]!) || !Number.isFinite(b[i]!)) {
      throw new KirchhoffError("value", `${name}: non-finite value at index ${i} (${a[i]}, ${b[i]})`);
    }
  }
}

/** Dense ranks 0..k-1 of the values (equal values share a rank). */
function denseRanks(v: ArrayLike<number>): Int32Array {
  const n = v.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((i, j) => v[i]! - v[j]!);
  const r = new Int32Array(n);
  let rank = 0;
  for (let k = 0; k < n; k++) {
    if (k > 0 && v[idx[k]!]! !== v[idx[k - 1]!]!) rank++;
    r[idx[k]!] = rank;
  }
  return r;
}

/** Number of tied pairs: sum over groups of equal values of c(c-1)/2. */
function tiedPairs(ranks: Int32Array): number {
  const counts = new Map<number, number>();
  for (const r of ranks) counts.set(r, (counts.get(r) ?? 0) + 1);
  let t = 0;
  for (const c of counts.values()) t += (c * (c - 1)) / 2;
  return t;
}

/**
 * Kendall's tau-b between two score vectors (ties in either handled as in scipy.stats.kendalltau).
 * Returns NaN when one side is constant (tau-b is undefined there), throws on length mismatch or non-finite input.
 */
export function kendallTau(a: ArrayLike<number>, b: ArrayLike<number>): number {
  checkPair("kendallTau", a, b);
  const n = a.length;
  if (n < 2) return Number.NaN;
  const ra = denseRanks(a);
  const rb = denseRanks(b);
  // Sort by (a, b); discordant pairs are then the strict inversions of b.
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => ra[i]! - ra[j]! || rb[i]! - rb[j]!);
  let jointTies = 0;
  let run = 1;
  for (let k = 1; k <= n; k++) {
    const same = k < n && ra[order[k]!] === ra[order[k - 1]!] && rb[order[k]!] === rb[order[k - 1]!];
    if (same) run++;
    else {
      jointTies += (run * (run - 1)) / 2;
      run = 1;
    }
  }
  // Fenwick tree over b's ranks counts earlier elements with a strictly larger b.
  const maxRank = n + 1;
  const fen = new Float64Array(maxRank + 1);
  let discordant = 0;
  for (let k = 0; k < n; k++) {
    const r = rb[order[k]!]! + 1;
    let le = 0;
    for (let i = r; i > 0; i -= i & -i) le += fen[i]!;
    discordant += k - le;
    for (let i = r; i <= maxRank; i += i & -i) fen[i]!++;
  }
  const total = (n * (n - 1)) / 2;
  const tiesA = tiedPairs(ra);
  const tiesB = tiedPairs(rb);
  const num = total - tiesA - tiesB + jointTies - 2 * discordant;
  const den = Math.sqrt((total - tiesA) * (total - tiesB));
  return den === 0 ? Number.NaN : Math.max(-1, Math.min(1, num / den));
}

/** Ranks 1..n with ties given their average rank (as scipy.stats.rankdata(method="average")). */
export function averageRanks(v: ArrayLike<number>): Float64Array {
  const n = v.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((i, j) => v[i]! - v[j]!);
  const out = new Float64Array(n);
  let k = 0;
  while (k < n) {
    let e = k + 1;
    while (e < n && v[idx[e]!] === v[idx[k]!]) e++;
    const avg = (k + 1 + e) / 2;
    for (let t = k; t < e; t++) out[idx[t]!] = avg;
    k = e;
  }
  return out;
}

/** Spearman's rank correlation (Pearson correlation of average ranks); NaN when one side is constant. */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  checkPair("spearman", a, b);
  const n = a.length;
  if (n < 2) return Number.NaN;
  const ra = averageRanks(a);
  const rb = averageRanks(b);
  const mean = (n + 1) / 2;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = ra[i]! - mean;
    const db = rb[i]! - mean;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  const den = Math.sqrt(saa * sbb);
  return den === 0 ? Number.NaN : Math.max(-1, Math.min(1, sab / den));
}

/**
 * NDCG@k: items ordered by yPred (descending; ties keep input order), gain = yTrue (linear gains, so
 * accuracies in percent work directly), discount 1/log2(rank+1). yTrue must be non-negative.
 * k defaults to all items; returns 1 when the ideal DCG is 0.
 */
export function ndcg(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, k: number = yTrue.length): number {
  checkPair("ndcg", yTrue, yPred);
  if (!(Number.isInteger(k) && k >= 1))
    throw new KirchhoffError("value", `ndcg: k: expected an integer >= 1, got ${k}`);
  const n = yTrue.length;
  for (let i = 0; i < n; i++) {
    if (yTrue[i]! < 0)
      throw new KirchhoffError("value", `ndcg: yTrue[${i}] = ${yTrue[i]} is negative (gains must be >= 0)`);
  }
  const kk = Math.min(k, n);
  const byPred = Array.from({ length: n }, (_, i) => i).sort((i, j) => yPred[j]! - yPred[i]! || i - j);
  const byTrue = Array.from({ length: n }, (_, i) => i).sort((i, j) => yTrue[j]! - yTrue[i]! || i - j);
  let dcg = 0;
  let idcg = 0;
  for (let r = 0; r < kk; r++) {
    const disc = 1 / Math.log2(r + 2);
    dcg += yTrue[byPred[r]!]! * disc;
    idcg += yTrue[byTrue[r]!]! * disc;
  }
  return idcg === 0 ? 1 : dcg / idcg;
}
