/**
 * Public door of src/nas: analog-aware architecture search — search spaces, objectives and constraints,
 * evaluators, strategies, studies with a resumable shared journal; plus the doors of src/nas/surrogate
 * (GBT surrogates, XGBoost import, ranking metrics) and src/nas/tabular (AnalogNAS-Bench tables).
 */

export { BranchSum, Nb201Cell, Zero } from "./build/modules.js";
export { buildNetwork } from "./build/networks.js";
export type { Evaluation, Evaluator, MetricTable } from "./eval/types.js";
export {
  architectureViolation,
  type Constraints,
  metricViolation,
  validateConstraints,
} from "./objective/constraints.js";
export {
  type Direction,
  type Metrics,
  type Objective,
  parseObjective,
  utility,
} from "./objective/objectives.js";
export { crowdingDistance, dominates, hypervolume2d, nonDominatedSort } from "./objective/pareto.js";
export {
  type AnalogNasGenome,
  type AnalogNasOptions,
  AnalogNasSpace,
  type AnalogNasStage,
  toAnalogNasConfig,
} from "./space/analognas.js";
export { CategoricalSpace } from "./space/categorical.js";
export { type DsCnnGenome, type DsCnnOptions, DsCnnSpace, MLPERF_DSCNN_GENOME } from "./space/dscnn.js";
export { convOut, countLayers, countTiles } from "./space/layers.js";
export {
  MLPERF_VWW_GENOME,
  type MobileNetGenome,
  type MobileNetOptions,
  MobileNetSpace,
} from "./space/mobilenet.js";
export { type Nb201Genome, type Nb201Options, Nb201Space } from "./space/nb201.js";
export { createSpace, SPACE_NAMES, type SpaceName } from "./space/registry.js";
export type { Dimension, LayerSpec, NetworkCounts, SearchSpace } from "./space/types.js";
export * from "./surrogate/index.js";
export * from "./tabular/index.js";

import "./eval/builtin.js";

export {
  createEvaluator,
  type EvaluatorContext,
  type EvaluatorFactory,
  evaluatorNames,
  registerEvaluator,
} from "./eval/registry.js";
export { type RowPredictor, SurrogateEvaluator } from "./eval/surrogate.js";
export { TabularEvaluator } from "./eval/tabular.js";
export { AnalogNasEvolution, type AnalogNasEvolutionOptions } from "./strategy/analognas-evolution.js";
export { Bananas, type BananasOptions } from "./strategy/bananas.js";
export { type EvolutionOptions, RegularizedEvolution } from "./strategy/evolution.js";
export { LocalSearch, type LocalSearchOptions } from "./strategy/local-search.js";
export { Nsga2, type Nsga2Options } from "./strategy/nsga2.js";
export { LatinHypercubeSearch, latinHypercube, RandomSearch } from "./strategy/random.js";
export {
  defaultSurrogateFactory,
  STRATEGY_NAMES,
  type StrategyName,
  strategyFactory,
} from "./strategy/registry.js";
export type {
  Strategy,
  StrategyContext,
  SurrogateFactory,
  SurrogateModel,
  TrialResult,
} from "./strategy/types.js";

export { type JournalEvent, JournalStorage, MemoryStorage, type Storage } from "./study/journal.js";
export { FileLock } from "./study/lock.js";
export { StudyState, type TrialRecord } from "./study/state.js";
export {
  type CompletedTrial,
  Study,
  type StudyOptions,
  type StudyResult,
  selectBest,
} from "./study/study.js";
