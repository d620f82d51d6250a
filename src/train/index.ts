/**
 * Public door of src/train: the training loop with checkpoints and resume, hardware-aware training (noise
 * injection, DAC/ADC straight-through quantisation, clipping, remapping, distillation) and evaluation of
 * accuracy over drift on an analog preset.
 */

export { loadCheckpoint, PROGRESS_METADATA_KEY, saveCheckpoint, type TrainProgress } from "./checkpoint.js";
export { detectTask, loadTaskData, type TaskData, type TaskDataOptions, type TaskKind } from "./datasets.js";
export {
  type AdaBsOptions,
  type BatchNormStats,
  recalibrateBatchNorm,
  saveBatchNormStats,
} from "./drift/adabs.js";
export { type DigitalLayers, type DriftEvalOptions, evaluateOverDrift } from "./drift/evaluate-drift.js";
export {
  DRIFT_CSV_COLUMNS,
  driftCsv,
  driftTable,
  mappingLine,
  writeDriftResults,
} from "./drift/report.js";
export {
  DEFAULT_DRIFT_TIMES_SEC,
  type DriftPoint,
  type DriftSummary,
  meanStd,
  ONE_MONTH_SEC,
  parseTimes,
  summarizeDrift,
  timeLabel,
} from "./drift/stats.js";
export { type EvalResult, evaluateClassifier } from "./evaluate.js";
export { calibrateHwaBatchNorm } from "./hwa/calibrate-bn.js";
export { applyTileScales, clipBound, clipWeights, remapTiles } from "./hwa/clip.js";
export {
  type BnCalibrationConfig,
  type ClipConfig,
  DEFAULT_BN_CALIBRATION,
  DEFAULT_HWA_HORIZON_SEC,
  driftNoiseGain,
  type HwaConfig,
  hwaConfigFromPreset,
  validateHwaConfig,
  type WeightNoiseConfig,
} from "./hwa/config.js";
export {
  fromHwa,
  type HwaModule,
  hwaLayers,
  hwaPostStep,
  isHwaModule,
  type ToHwaOptions,
  toHwa,
} from "./hwa/convert.js";
export { distillationLoss, distillKl } from "./hwa/distill.js";
export { HwaLayer, type HwaTarget } from "./hwa/hwa-layer.js";
export { type DrawnWeights, HwaMatrix } from "./hwa/hwa-matrix.js";
export { HwaRecurrent } from "./hwa/hwa-recurrent.js";
export {
  type AdcOptions,
  adcQuantize,
  dacQuantize,
  quantizeSte,
  sampleAbsMax,
  weightView,
} from "./hwa/ste-ops.js";
export { forEachTile, layerAbsMax, type TileGrid, tileAbsMax, tileCount, tileGrid } from "./hwa/tiles.js";
export { chipNoisyWeights, drawDriftTimeSec, noisyWeights } from "./hwa/weight-noise.js";
export { type EpochRecord, RunningMetrics } from "./metrics.js";
export {
  CHECKPOINT_FILE,
  type TrainEvent,
  type TrainOptions,
  type TrainResult,
  trainModel,
} from "./trainer.js";
