/** Public door of src/nas/surrogate: surrogate models, XGBoost import, ranking metrics, feature encodings. */
export {
  ANALOGNAS_FEATURES_X17,
  ANALOGNAS_FEATURES_X22,
  type AnalogNasConfig,
  analognasFeatureVector,
} from "./analognas-features.js";
export { FeatureBins } from "./binning.js";
export { DEFAULT_GBT_PARAMS, type GbtParams, GradientBoostedTrees, RANKING_SURROGATE_PARAMS } from "./gbt.js";
export { loadPredictor } from "./load.js";
export { averageRanks, kendallTau, ndcg, spearman } from "./metrics.js";
export {
  NB201_EDGES,
  NB201_FEATURE_NAMES,
  NB201_OPS,
  nb201EffectiveOps,
  nb201Features,
} from "./nb201-features.js";
export type { ObjectiveName } from "./objectives.js";
export {
  type OutputTransform,
  type PredictOptions,
  type TreeArrays,
  TreeEnsemble,
  type TreeEnsembleSpec,
} from "./tree-ensemble.js";
export type { FeatureMatrix, FitOptions, Predictor, Surrogate } from "./types.js";
export { importXgboostJson } from "./xgboost-import.js";
