/**
 * Surrogate quality on a tabular benchmark: fit GradientBoostedTrees on nTrain architectures drawn at random
 * (seeded) from the rows where the metric is present, and rank all the other such rows (Kendall τ-b,
 * Spearman ρ, NDCG@10 on the true metric). This is `surrogate.kendall_tau@N` of bench/nas-tabular.
 */
import { KirchhoffError, type Rng } from "../../core/index.js";
import {
  type GbtParams,
  GradientBoostedTrees,
  kendallTau,
  ndcg,
  RANKING_SURROGATE_PARAMS,
  spearman,
} from "../surrogate/index.js";
import type { TabularTable } from "./table.js";

export interface SurrogateQuality {
  kendallTau: number;
  spearman: number;
  /** NDCG@10 with the metric's mean as gain (only meaningful for non-negative "higher is better" metrics). */
  ndcgAt10: number;
  nTrain: number;
  nTest: number;
}

/** Maps an architecture (its key's numbers, e.g. NB201 op ids, and the key string) to a feature vector. */
export type Featurizer = (keyNumbers: number[], key: string) => number[];

/**
 * Fits on nTrain random architectures with `metric` present and evaluates on all the rest. `params` default to
 * RANKING_SURROGATE_PARAMS (pairwise ranking GBT); the row split and the fit both derive from `rng`.
 */
export function surrogateQuality(
  table: TabularTable,
  metric: string,
  nTrain: number,
  rng: Rng,
  featurize: Featurizer,
  params: Partial<GbtParams> = RANKING_SURROGATE_PARAMS,
): SurrogateQuality {
  const keys = table.keysWith(metric);
  if (!(Number.isInteger(nTrain) && nTrain >= 2 && nTrain < keys.length)) {
    throw new KirchhoffError(
      "config",
      `surrogate quality: nTrain: expected an integer in 2..${keys.length - 1}, got ${nTrain}`,
    );
  }
  const perm = rng.fork("split").permutation(keys.length);
  const X: number[][] = [];
  const y: number[] = [];
  for (const k of keys) {
    X.push(featurize(table.keyNumbers(k), k));
    y.push(table.get(k, metric)!.mean);
  }
  const pick = (idx: ArrayLike<number>) => ({
    X: Array.from(idx, (i) => X[i]!),
    y: Array.from(idx, (i) => y[i]!),
  });
  const train = pick(perm.subarray(0, nTrain));
  const test = pick(perm.subarray(nTrain));
  const model = new GradientBoostedTrees(params);
  model.fit(train.X, train.y, { rng: rng.fork("fit") });
  const pred = model.predict(test.X);
  const nonNegative = test.y.every((v) => v >= 0);
  return {
    kendallTau: kendallTau(test.y, pred),
    spearman: spearman(test.y, pred),
    ndcgAt10: nonNegative ? ndcg(test.y, pred, 10) : Number.NaN,
    nTrain,
    nTest: test.y.length,
  };
}

/** Kendall τ of a surrogate fitted on nTrain random architectures, on all the unseen rest. */
export function surrogateKendallTau(
  table: TabularTable,
  metric: string,
  nTrain: number,
  rng: Rng,
  featurize: Featurizer,
  params: Partial<GbtParams> = RANKING_SURROGATE_PARAMS,
): number {
  return surrogateQuality(table, metric, nTrain, rng, featurize, params).kendallTau;
}
