/**
 * The surrogate-model contract shared by search strategies (BANANAS, AnalogNAS's surrogate-filtered loop)
 * and the CLI. A surrogate maps a feature vector (one row of numbers per architecture) to a score; only the
 * ORDER of the scores matters to a search, which is why the ranking metrics in metrics.ts exist.
 */
import type { Rng } from "../../core/index.js";

/** Anything that scores feature rows: a fitted surrogate or an imported XGBoost model. */
export interface Predictor {
  /** One score per row of X (rows must have the model's feature count). */
  predict(X: readonly (readonly number[])[]): Float64Array;
  /** A plain JSON-serialisable record; the matching `fromJSON` restores an identical predictor. */
  toJSON(): object;
}

/** Options for one `fit` call. */
export interface FitOptions {
  /** Randomness for row/column subsampling and pair sampling; defaults to `new Rng(params.seed)`. */
  rng?: Rng;
  /** Held-out rows for early stopping; overrides the model's `validationFraction`. */
  validation?: { X: readonly (readonly number[])[]; y: readonly number[]; groups?: readonly number[] };
  /**
   * Query group id per row for the "pairwise" objective (XGBoost's qid): only rows of the same group are
   * compared, e.g. architectures evaluated on the same task. Default: one group.
   */
  groups?: readonly number[];
}

/** A trainable predictor. */
export interface Surrogate extends Predictor {
  /** Fits on rows X (n × d) and targets y (n); replaces anything fitted before. */
  fit(X: readonly (readonly number[])[], y: readonly number[], opts?: FitOptions): void;
}

/** Feature matrix as the surrogates take it. */
export type FeatureMatrix = readonly (readonly number[])[];
