/**
 * Our gradient-boosted regression trees (histogram splits, shrinkage, row/column subsampling, squared-error
 * or pairwise-ranking objective, optional early stopping), seeded by an Rng from src/core. Inference goes
 * through a float64 TreeEnsemble, so a saved model predicts identically after fromJSON.
 *
 *   const gbt = new GradientBoostedTrees({ objective: "pairwise", seed: 1 });
 *   gbt.fit(X, y);
 *   const scores = gbt.predict(Xnew);
 */
import { KirchhoffError, Rng } from "../../core/index.js";
import { FeatureBins } from "./binning.js";
import type { GbtParams } from "./gbt-params.js";
import { checkMatrix, validateGbtParams } from "./gbt-params.js";
import { kendallTau } from "./metrics.js";
import { buildLabelIndex, type ObjectiveName, pairwiseGradients, squaredGradients } from "./objectives.js";
import { binnedLeafValue, growTree } from "./tree-builder.js";
import { leafValue, type TreeArrays, TreeEnsemble } from "./tree-ensemble.js";
import type { FeatureMatrix, FitOptions, Surrogate } from "./types.js";

export { DEFAULT_GBT_PARAMS, type GbtParams, RANKING_SURROGATE_PARAMS } from "./gbt-params.js";

const FORMAT = "kirchhoff.gbt";

export class GradientBoostedTrees implements Surrogate {
  readonly params: GbtParams;
  private model: TreeEnsemble | undefined;
  /** Validation loss per round of the last fit with early stopping (RMSE, or 1 − Kendall τ for "pairwise"). */
  validationHistory: number[] = [];

  constructor(params: Partial<GbtParams> = {}) {
    this.params = validateGbtParams(params);
  }

  /** The fitted ensemble; throws when fit() has not run. */
  get ensemble(): TreeEnsemble {
    if (!this.model) throw new KirchhoffError("state", "GradientBoostedTrees: predict/toJSON before fit()");
    return this.model;
  }

  fit(X: FeatureMatrix, y: readonly number[], opts: FitOptions = {}): void {
    const p = this.params;
    const d = checkMatrix(X, y, "fit");
    const rng = opts.rng ?? new Rng(p.seed);
    const rowRng = rng.fork("rows");
    const colRng = rng.fork("columns");
    const pairRng = rng.fork("pairs");

    if (opts.groups && opts.groups.length !== X.length) {
      throw new KirchhoffError("shape", `fit: groups has ${opts.groups.length} entries for ${X.length} rows`);
    }
    const { train, val } = splitValidation(X, y, opts, p, rng, d);
    const { X: trainX, y: trainY } = train;
    const valX = val?.X;
    const valY = val?.y;
    const useEarlyStop = valX !== undefined && p.earlyStoppingRounds > 0;

    const n = trainX.length;
    const yv = Float64Array.from(trainY);
    const edges = FeatureBins.fromData(trainX, p.maxBins);
    const data = { bins: edges.binMatrix(trainX), n, edges };
    let base = 0;
    if (p.objective === "squared") {
      for (const v of yv) base += v;
      base /= n;
    }
    const F = new Float64Array(n).fill(base);
    const g = new Float64Array(n);
    const h = new Float64Array(n);
    const labelIndex = p.objective === "pairwise" ? buildLabelIndex(yv, train.groups) : undefined;
    const nRows = Math.max(1, Math.round(p.subsample * n));
    const nCols = Math.max(1, Math.round(p.colsampleByTree * d));
    const allRows = Int32Array.from({ length: n }, (_, i) => i);
    const allCols = Int32Array.from({ length: d }, (_, i) => i);

    const Fval = valX ? new Float64Array(valX.length).fill(base) : undefined;
    const valRow = new Float64Array(d);
    const trees: TreeArrays[] = [];
    this.validationHistory = [];
    let bestLoss = Number.POSITIVE_INFINITY;
    let bestIter = -1;

    for (let t = 0; t < p.nEstimators; t++) {
      if (p.objective === "squared") squaredGradients(F, yv, g, h);
      else pairwiseGradients(F, yv, g, h, labelIndex!, p.pairsPerItem, pairRng);
      const rows = nRows < n ? partialShuffle(allRows, nRows, rowRng) : allRows.slice();
      const cols = nCols < d ? partialShuffle(allCols, nCols, colRng).sort() : allCols;
      const grown = growTree(data, g, h, rows, cols, p);
      trees.push(grown.tree);
      for (let i = 0; i < n; i++) F[i]! += binnedLeafValue(grown, data, i);

      if (valX && Fval && valY) {
        for (let i = 0; i < valX.length; i++) {
          for (let j = 0; j < d; j++) valRow[j] = valX[i]![j]!;
          Fval[i]! += leafValue(grown.tree, valRow);
        }
        const loss =
          p.objective === "squared" ? rmse(Fval, valY) : 1 - groupedKendall(valY, Fval, val?.groups);
        this.validationHistory.push(loss);
        if (loss < bestLoss) {
          bestLoss = loss;
          bestIter = t;
        } else if (useEarlyStop && t - bestIter >= p.earlyStoppingRounds) break;
      }
    }
    const keep = useEarlyStop ? trees.slice(0, bestIter + 1) : trees;
    this.model = new TreeEnsemble({
      nFeatures: d,
      baseScore: base,
      trees: keep,
      precision: "float64",
      objective: p.objective,
      ...(useEarlyStop ? { bestIteration: bestIter } : {}),
    });
  }

  predict(X: FeatureMatrix): Float64Array {
    return this.ensemble.predict(X);
  }

  toJSON(): object {
    return { format: FORMAT, version: 1, params: this.params, ensemble: this.ensemble.toJSON() };
  }

  /** Restores a model saved with toJSON(); `where` names the source in error messages. */
  static fromJSON(json: unknown, where = "GBT model JSON"): GradientBoostedTrees {
    if (typeof json !== "object" || json === null || (json as { format?: unknown }).format !== FORMAT) {
      throw new KirchhoffError("data", `${where}: format: expected "${FORMAT}"`);
    }
    const o = json as { params?: Partial<GbtParams>; ensemble?: unknown };
    const m = new GradientBoostedTrees(o.params ?? {});
    m.model = TreeEnsemble.fromJSON(o.ensemble, `${where}: ensemble`);
    return m;
  }
}

interface Rows {
  X: FeatureMatrix;
  y: readonly number[];
  groups?: readonly number[] | undefined;
}

/** The training rows and the early-stopping rows (explicit, or a validationFraction split when stopping is on). */
function splitValidation(
  X: FeatureMatrix,
  y: readonly number[],
  opts: FitOptions,
  p: GbtParams,
  rng: Rng,
  d: number,
): { train: Rows; val?: Rows } {
  const all: Rows = { X, y, groups: opts.groups };
  if (opts.validation) {
    const v = opts.validation;
    checkMatrix(v.X, v.y, "fit: validation", d);
    if (v.groups && v.groups.length !== v.X.length) {
      throw new KirchhoffError(
        "shape",
        `fit: validation.groups has ${v.groups.length} entries for ${v.X.length} rows`,
      );
    }
    return { train: all, val: { X: v.X, y: v.y, groups: v.groups } };
  }
  if (!(p.validationFraction > 0 && p.earlyStoppingRounds > 0)) return { train: all };
  const perm = rng.fork("validation").permutation(X.length);
  const nVal = Math.max(1, Math.round(p.validationFraction * X.length));
  if (X.length - nVal < 2) {
    throw new KirchhoffError("config", `validationFraction ${p.validationFraction} leaves < 2 training rows`);
  }
  const pick = (idx: Int32Array): Rows => ({
    X: Array.from(idx, (i) => X[i]!),
    y: Array.from(idx, (i) => y[i]!),
    groups: opts.groups ? Array.from(idx, (i) => opts.groups![i]!) : undefined,
  });
  return { train: pick(perm.subarray(nVal)), val: pick(perm.subarray(0, nVal)) };
}

/** Kendall τ, or its mean over query groups with a defined τ (0 when none is defined). */
function groupedKendall(y: readonly number[], pred: Float64Array, groups?: readonly number[]): number {
  if (!groups) return nanTo0(kendallTau(y, pred));
  const members = new Map<number, number[]>();
  groups.forEach((g, i) => {
    const m = members.get(g);
    if (m) m.push(i);
    else members.set(g, [i]);
  });
  let sum = 0;
  let count = 0;
  for (const idx of members.values()) {
    const tau = kendallTau(
      idx.map((i) => y[i]!),
      idx.map((i) => pred[i]!),
    );
    if (!Number.isNaN(tau)) {
      sum += tau;
      count++;
    }
  }
  return count === 0 ? 0 : sum / count;
}

/** First k entries of a fresh random permutation of `items` (partial Fisher-Yates on a copy). */
function partialShuffle(items: Int32Array, k: number, rng: Rng): Int32Array {
  const a = items.slice();
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(a.length - i);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  return a.subarray(0, k);
}

function rmse(pred: Float64Array, y: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < pred.length; i++) s += (pred[i]! - y[i]!) ** 2;
  return Math.sqrt(s / pred.length);
}

function nanTo0(x: number): number {
  return Number.isNaN(x) ? 0 : x;
}

export type { ObjectiveName };
