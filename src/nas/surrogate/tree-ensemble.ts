/**
 * Inference-only ensemble of binary regression trees, shared by our own GradientBoostedTrees and by models
 * imported from XGBoost. Two arithmetic modes:
 *  - "float64": features, thresholds and the running sum in double precision (our trained models);
 *  - "float32": XGBoost 1.7 gbtree semantics bit for bit — features and thresholds rounded to float32,
 *    `x < threshold` goes left (NaN follows defaultLeft), leaf values float32, and the sum accumulated in
 *    float32 in tree order starting from base_score (see surrogate_reference.json "inference_semantics").
 */
import { KirchhoffError } from "../../core/index.js";
import type { FeatureMatrix, Predictor } from "./types.js";

/** One tree in flat arrays; node 0 is the root, a node is a leaf when left[i] === -1. */
export interface TreeArrays {
  feature: Int32Array;
  /** Rows with x[feature] < threshold go left. */
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  /** 1: a missing (NaN) feature goes left. */
  defaultLeft: Uint8Array;
  /** Leaf output (already scaled by the learning rate); unused for split nodes. */
  value: Float64Array;
}

/** Output transform applied to the summed margin (XGBoost objectives' PredTransform). */
export type OutputTransform = "identity" | "sigmoid" | "exp";

export interface TreeEnsembleSpec {
  nFeatures: number;
  baseScore: number;
  trees: TreeArrays[];
  precision: "float64" | "float32";
  transform?: OutputTransform;
  /** Per-tree multipliers (XGBoost "dart" weight_drop); absent = all 1. */
  treeWeights?: Float64Array;
  /** Index of the best boosting round (XGBoost best_iteration attribute or our early stopping). */
  bestIteration?: number;
  objective?: string;
  featureNames?: string[];
}

export interface PredictOptions {
  /** Use only the first nTrees trees (XGBoost iteration_range (0, nTrees)). */
  nTrees?: number;
  /** Use trees 0..bestIteration (what xgboost.XGBRegressor.predict does when best_iteration is set). */
  useBestIteration?: boolean;
}

const FORMAT = "kirchhoff.tree-ensemble";
const f32 = Math.fround;

export class TreeEnsemble implements Predictor {
  readonly nFeatures: number;
  readonly baseScore: number;
  readonly trees: readonly TreeArrays[];
  readonly precision: "float64" | "float32";
  readonly transform: OutputTransform;
  readonly treeWeights: Float64Array | undefined;
  readonly bestIteration: number | undefined;
  readonly objective: string;
  readonly featureNames: string[] | undefined;

  constructor(spec: TreeEnsembleSpec) {
    this.nFeatures = spec.nFeatures;
    this.baseScore = spec.baseScore;
    this.trees = spec.trees;
    this.precision = spec.precision;
    this.transform = spec.transform ?? "identity";
    this.treeWeights = spec.treeWeights;
    this.bestIteration = spec.bestIteration;
    this.objective = spec.objective ?? "reg:squarederror";
    this.featureNames = spec.featureNames;
    validateTrees(this.trees, this.nFeatures, "TreeEnsemble");
  }

  /** Number of trees that a prediction with these options sums. */
  treeCount(opts: PredictOptions = {}): number {
    let n = this.trees.length;
    if (opts.useBestIteration && this.bestIteration !== undefined) n = Math.min(n, this.bestIteration + 1);
    if (opts.nTrees !== undefined) {
      if (!(Number.isInteger(opts.nTrees) && opts.nTrees >= 0)) {
        throw new KirchhoffError(
          "config",
          `predict: nTrees: expected a non-negative integer, got ${opts.nTrees}`,
        );
      }
      n = Math.min(n, opts.nTrees);
    }
    return n;
  }

  /** Scores rows of X; NaN or null features are missing values (they follow each split's default side). */
  predict(X: FeatureMatrix, opts: PredictOptions = {}): Float64Array {
    const nT = this.treeCount(opts);
    const out = new Float64Array(X.length);
    const row = new Float64Array(this.nFeatures);
    for (let r = 0; r < X.length; r++) {
      const x = X[r]!;
      if (!x || x.length !== this.nFeatures) {
        throw new KirchhoffError(
          "shape",
          `predict: row ${r} has ${x?.length ?? 0} features, the model expects ${this.nFeatures}`,
        );
      }
      for (let j = 0; j < this.nFeatures; j++) {
        const v = x[j] as number | null;
        if (v === null)
          row[j] = Number.NaN; // JSON has no NaN: null marks a missing feature
        else if (typeof v !== "number")
          throw new KirchhoffError("value", `predict: row ${r} feature ${j} is not a number`);
        else row[j] = this.precision === "float32" ? f32(v) : v;
      }
      out[r] = this.predictPrepared(row, nT);
    }
    return out;
  }

  /** Sum of the first nT trees for a row already rounded to the model's precision. */
  private predictPrepared(x: Float64Array, nT: number): number {
    const single = this.precision === "float32";
    let sum = single ? f32(this.baseScore) : this.baseScore;
    for (let t = 0; t < nT; t++) {
      const leaf = leafValue(this.trees[t]!, x);
      const w = this.treeWeights ? this.treeWeights[t]! : 1;
      if (single) sum = f32(sum + (w === 1 ? leaf : f32(leaf * w)));
      else sum += leaf * w;
    }
    return applyTransform(this.transform, sum, single);
  }

  toJSON(): object {
    return {
      format: FORMAT,
      version: 1,
      nFeatures: this.nFeatures,
      baseScore: this.baseScore,
      precision: this.precision,
      transform: this.transform,
      objective: this.objective,
      ...(this.bestIteration !== undefined ? { bestIteration: this.bestIteration } : {}),
      ...(this.featureNames ? { featureNames: this.featureNames } : {}),
      ...(this.treeWeights ? { treeWeights: Array.from(this.treeWeights) } : {}),
      trees: this.trees.map((t) => ({
        feature: Array.from(t.feature),
        threshold: Array.from(t.threshold),
        left: Array.from(t.left),
        right: Array.from(t.right),
        defaultLeft: Array.from(t.defaultLeft),
        value: Array.from(t.value),
      })),
    };
  }

  /** Restores an ensemble written by toJSON; `where` names the source (a file) in error messages. */
  static fromJSON(json: unknown, where = "tree ensemble JSON"): TreeEnsemble {
    const o = asRecord(json, where);
    if (o.format !== FORMAT) {
      throw new KirchhoffError(
        "data",
        `${where}: format: expected "${FORMAT}", got ${JSON.stringify(o.format)}`,
      );
    }
    const precision = o.precision;
    if (precision !== "float64" && precision !== "float32") {
      throw new KirchhoffError(
        "data",
        `${where}: precision: expected "float64" or "float32", got ${JSON.stringify(precision)}`,
      );
    }
    const transform = o.transform ?? "identity";
    if (transform !== "identity" && transform !== "sigmoid" && transform !== "exp") {
      throw new KirchhoffError("data", `${where}: transform: unknown ${JSON.stringify(transform)}`);
    }
    if (!Array.isArray(o.trees)) throw new KirchhoffError("data", `${where}: trees: expected an array`);
    const trees = o.trees.map((t, i) => {
      const r = asRecord(t, `${where}: trees[${i}]`);
      const num = (k: string) => numberArray(r[k], `${where}: trees[${i}].${k}`);
      return {
        feature: Int32Array.from(num("feature")),
        threshold: Float64Array.from(num("threshold")),
        left: Int32Array.from(num("left")),
        right: Int32Array.from(num("right")),
        defaultLeft: Uint8Array.from(num("defaultLeft")),
        value: Float64Array.from(num("value")),
      };
    });
    return new TreeEnsemble({
      nFeatures: positiveInt(o.nFeatures, `${where}: nFeatures`),
      baseScore: finite(o.baseScore, `${where}: baseScore`),
      precision,
      transform,
      trees,
      ...(o.treeWeights !== undefined
        ? { treeWeights: Float64Array.from(numberArray(o.treeWeights, `${where}: treeWeights`)) }
        : {}),
      ...(o.bestIteration !== undefined
        ? { bestIteration: finite(o.bestIteration, `${where}: bestIteration`) }
        : {}),
      ...(typeof o.objective === "string" ? { objective: o.objective } : {}),
      ...(Array.isArray(o.featureNames) ? { featureNames: o.featureNames.map(String) } : {}),
    });
  }
}

/** Walks one tree; x must already be in the model's precision. */
export function leafValue(t: TreeArrays, x: ArrayLike<number>): number {
  let node = 0;
  while (t.left[node] !== -1) {
    const v = x[t.feature[node]!]!;
    if (Number.isNaN(v)) node = t.defaultLeft[node] ? t.left[node]! : t.right[node]!;
    else node = v < t.threshold[node]! ? t.left[node]! : t.right[node]!;
  }
  return t.value[node]!;
}

function applyTransform(transform: OutputTransform, margin: number, single: boolean): number {
  if (transform === "identity") return margin;
  // XGBoost computes these with expf in float32; Math.exp rounded to float32 matches except in rare last-ulp cases.
  if (transform === "exp") return single ? f32(Math.exp(margin)) : Math.exp(margin);
  if (single) return f32(1 / f32(1 + f32(Math.exp(-margin))));
  return 1 / (1 + Math.exp(-margin));
}

/** Checks array lengths, child and feature indices, and that the nodes reachable from the root form a tree. */
export function validateTrees(trees: readonly TreeArrays[], nFeatures: number, where: string): void {
  trees.forEach((t, ti) => {
    const n = t.left.length;
    const bad = (msg: string) => new KirchhoffError("data", `${where}: tree ${ti}: ${msg}`);
    if (n === 0) throw bad("has no nodes");
    for (const k of ["feature", "threshold", "right", "defaultLeft", "value"] as const) {
      if (t[k].length !== n) throw bad(`${k} has ${t[k].length} entries, left has ${n}`);
    }
    const seen = new Uint8Array(n);
    const stack = [0];
    while (stack.length > 0) {
      const i = stack.pop()!;
      if (seen[i]) throw bad(`node ${i} is reached twice (the children arrays form a cycle or a DAG)`);
      seen[i] = 1;
      if (t.left[i] === -1) {
        if (!Number.isFinite(t.value[i]!)) throw bad(`leaf ${i} has non-finite value ${t.value[i]}`);
        continue;
      }
      const l = t.left[i]!;
      const r = t.right[i]!;
      if (!(l >= 0 && l < n && r >= 0 && r < n))
        throw bad(`node ${i} has children ${l}, ${r} outside 0..${n - 1}`);
      const f = t.feature[i]!;
      if (!(f >= 0 && f < nFeatures))
        throw bad(`node ${i} splits on feature ${f}, expected 0..${nFeatures - 1}`);
      if (Number.isNaN(t.threshold[i]!)) throw bad(`node ${i} has a NaN threshold`);
      stack.push(r, l);
    }
  });
}

function asRecord(v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new KirchhoffError("data", `${where}: expected a JSON object`);
  }
  return v as Record<string, unknown>;
}

function numberArray(v: unknown, where: string): number[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== "number")) {
    throw new KirchhoffError("data", `${where}: expected an array of numbers`);
  }
  return v as number[];
}

function finite(v: unknown, where: string): number {
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new KirchhoffError("data", `${where}: expected a finite number, got ${JSON.stringify(v)}`);
  }
  return v;
}

function positiveInt(v: unknown, where: string): number {
  if (!(typeof v === "number" && Number.isInteger(v) && v > 0)) {
    throw new KirchhoffError("data", `${where}: expected a positive integer, got ${JSON.stringify(v)}`);
  }
  return v;
}
