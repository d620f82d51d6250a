/**
 * Train/validation/test split helpers: stratified (class proportions kept, seeded) and group-disjoint
 * (every group, e.g. a speaker, lands in exactly one split, assigned by a stable hash of its id).
 */
import { configError, KirchhoffError, Rng } from "../core/index.js";
import { hashUnit } from "./hash.js";
import { type Dataset, subsetDataset } from "./types.js";

export interface IndexSplit {
  train: Int32Array;
  val: Int32Array;
}

/**
 * Splits sample indices so that every class contributes ≈ valFraction · count samples to `val` (largest
 * remainder rounding, so `val` holds exactly round(valFraction · n)).
 * Both outputs are sorted ascending. Same (labels, fraction, seed) ⇒ same split.
 */
export function stratifiedSplit(
  labels: Int32Array,
  valFraction: number,
  seed: number | string | Rng = 0,
): IndexSplit {
  if (!(valFraction >= 0 && valFraction < 1))
    throw configError("valFraction", "a number in [0, 1)", valFraction);
  const rng = seed instanceof Rng ? seed.fork("stratified-split") : new Rng(seed).fork("stratified-split");
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i]!;
    let list = byClass.get(c);
    if (!list) byClass.set(c, (list = []));
    list.push(i);
  }
  const train: number[] = [];
  const val: number[] = [];
  const keys = [...byClass.keys()].sort((a, b) => a - b);
  // Largest-remainder quotas: per-class counts sum to exactly round(valFraction · n).
  const exact = keys.map((c) => valFraction * byClass.get(c)!.length);
  const quota = exact.map(Math.floor);
  let left = Math.round(valFraction * labels.length) - quota.reduce((a, b) => a + b, 0);
  const order = keys
    .map((_, i) => i)
    .sort((a, b) => exact[b]! - quota[b]! - (exact[a]! - quota[a]!) || a - b);
  for (const i of order) {
    if (left <= 0) break;
    quota[i]!++;
    left--;
  }
  for (const [ki, c] of keys.entries()) {
    const list = rng.shuffle(byClass.get(c)!) as number[];
    const nVal = quota[ki]!;
    val.push(...list.slice(0, nVal));
    train.push(...list.slice(nVal));
  }
  return {
    train: Int32Array.from(train.sort((a, b) => a - b)),
    val: Int32Array.from(val.sort((a, b) => a - b)),
  };
}

/** Splits a dataset into train and validation datasets, stratified by class. */
export function splitDataset(
  ds: Dataset,
  valFraction: number,
  seed: number | string | Rng = 0,
): { train: Dataset; val: Dataset } {
  const s = stratifiedSplit(ds.y, valFraction, seed);
  return {
    train: subsetDataset(ds, s.train, `${ds.name}:train`),
    val: subsetDataset(ds, s.val, `${ds.name}:val`),
  };
}

export type SplitName = "train" | "val" | "test";

export interface GroupSplitFractions {
  /** Fraction of groups for validation (default 0.1). */
  val?: number;
  /** Fraction of groups for test (default 0.1). */
  test?: number;
}

/**
 * Assigns a group id to a split by a stable hash: u = hash(salt + id) ∈ [0, 1); u < val → "val",
 * u < val + test → "test", else "train". Every sample of a group therefore lands in the same split.
 */
export function assignGroup(id: string, fractions: GroupSplitFractions = {}, salt = ""): SplitName {
  const fv = fractions.val ?? 0.1;
  const ft = fractions.test ?? 0.1;
  if (!(fv >= 0 && ft >= 0 && fv + ft < 1)) {
    throw configError("split fractions", "val ≥ 0, test ≥ 0, val + test < 1", { val: fv, test: ft });
  }
  const u = hashUnit(`${salt}${id}`);
  return u < fv ? "val" : u < fv + ft ? "test" : "train";
}

/** Group-disjoint split of a dataset that carries `groups` (e.g. speakers). */
export function groupSplit(
  ds: Dataset,
  fractions: GroupSplitFractions = {},
  salt = "",
): Record<SplitName, Dataset> {
  if (!ds.groups)
    throw new KirchhoffError("data", `dataset ${ds.name} has no group ids for a group-disjoint split`);
  const idx: Record<SplitName, number[]> = { train: [], val: [], test: [] };
  for (let i = 0; i < ds.groups.length; i++) idx[assignGroup(ds.groups[i]!, fractions, salt)].push(i);
  return {
    train: subsetDataset(ds, idx.train, `${ds.name}:train`),
    val: subsetDataset(ds, idx.val, `${ds.name}:val`),
    test: subsetDataset(ds, idx.test, `${ds.name}:test`),
  };
}
