/**
 * Public door of src/analog: the analog in-memory-compute simulator, numerically faithful to IBM aihwkit
 * 1.1.0 (see /work/shared/reference/analog/SPEC.md): configs and presets, converters and device noise
 * models, the tile periphery, tiles and tiling, analog layers and model conversion.
 */
export {
  type AnalogConfig,
  type AnalogConfigInput,
  AnalogConfigSchema,
  analogConfig,
  InputRangeSchema,
  type MappingParameters,
  MappingSchema,
} from "./config/analog-config.js";
export { analogConfigFromJson, mergeConfig } from "./config/custom.js";
export {
  type ConductanceTable,
  type ConverterConfig,
  ConverterSchema,
  type DriftCompensation,
  DriftCompensationSchema,
  type NoiseModelConfig,
  type NoiseModelConfigInput,
  NoiseModelSchema,
} from "./config/device.js";
export {
  type BoundManagement,
  effectiveStep,
  type IOParameters,
  type IOParametersInput,
  IOParametersSchema,
  ioParametersFromAihwkit,
  type NoiseManagement,
  type WeightNoiseType,
} from "./config/io.js";
export { getPreset, PRESET_NAMES, PRESET_SUMMARIES, presetInput } from "./config/presets.js";
export { type ConductanceMap, type Converter, makeConverter } from "./device/converters.js";
export { checkInferenceTime, NoiseModel, type ProgrammedState } from "./device/noise-model.js";
export { type DevicePhysics, devicePhysics, interp, polyval } from "./device/physics.js";
export { AnalogConv2d, type AnalogConv2dOptions, AnalogDepthwiseConv2d } from "./layers/analog-conv.js";
export { AnalogLayer, type MappedWeight } from "./layers/analog-layer.js";
export { AnalogLinear } from "./layers/analog-linear.js";
export {
  AnalogGRU,
  AnalogLSTM,
  AnalogRecurrent,
  type AnalogRecurrentOutput,
  type RecurrentKind,
} from "./layers/analog-recurrent.js";
export { type ConvTileShape, type GroupPacking, groupPacking } from "./layers/conv-tiles.js";
export {
  analogLayers,
  depthwiseToDigital,
  drift,
  program,
  type ToAnalogOptions,
  toAnalog,
  toDigital,
  type WeightMapping,
  weightMapping,
} from "./layers/convert.js";
export { AnalogMvm } from "./periphery/analog-mvm.js";
export { applyIrDrop, applyWeightNoise } from "./periphery/nonidealities.js";
export { quantize, rint } from "./periphery/quantize.js";
export { type TileWeights, tileWeights, unitsGemm } from "./periphery/tile-weights.js";
export { compensationAlpha, driftReadout } from "./tile/drift-compensation.js";
export { AnalogTile } from "./tile/tile.js";
export { AnalogTileArray } from "./tile/tile-array.js";
export { applyWeightScaling, splitSizes } from "./tile/weight-scaling.js";
