/**
 * Public door of src/nn: the Module system, layers, initialisers, optimisers, learning-rate schedules and
 * safetensors model files. Layouts are channels-last (NHWC activations, OHWI conv weights, `[out, in]`
 * linear weights), parameter names follow PyTorch.
 */

export {
  calculateGain,
  constantInit,
  type FanMode,
  fanInOut,
  type KaimingOptions,
  kaimingNormal,
  kaimingUniform,
  type Nonlinearity,
  normalInit,
  torchDefaultInit,
  uniformInit,
  xavierNormal,
  xavierUniform,
} from "./init.js";
export { Identity, LeakyReLU, ReLU, ReLU6, Sigmoid, Tanh } from "./layers/activation.js";
export {
  BatchNorm,
  BatchNorm1d,
  BatchNorm2d,
  type BatchNormOptions,
  type FusedActivation,
} from "./layers/batchnorm.js";
export { Add, Residual, type ResidualActivation, Sequential, type TensorModule } from "./layers/container.js";
export { Conv2d, type Conv2dOptions, type Conv2dPadding, DepthwiseConv2d } from "./layers/conv.js";
export { Linear, type LinearOptions } from "./layers/linear.js";
export { AvgPool2d, GlobalAvgPool2d, MaxPool2d } from "./layers/pool.js";
export {
  GRU,
  type GruOutput,
  LSTM,
  type LstmOutput,
  type RecurrentOptions,
  type RecurrentProjection,
} from "./layers/recurrent.js";
export { Dropout, Flatten } from "./layers/shape.js";
export { type AnyModule, type LoadStateResult, Module, type StateDict, type StateTensor } from "./module.js";
export { Adam, type AdamHyper, type AdamOptions, AdamW } from "./optim/adam.js";
export { clipGradNorm, clipGradValue } from "./optim/clip.js";
export {
  type BaseHyper,
  Optimizer,
  type OptimizerState,
  type ParamGroup,
  type ParamState,
  type ParamsInput,
} from "./optim/optimizer.js";
export { SGD, type SgdHyper } from "./optim/sgd.js";
export { DTYPE_BYTES, halfToFloat, type SafetensorsDtype } from "./safetensors/dtypes.js";
export {
  loadModel,
  loadSafetensors,
  saveModel,
  saveSafetensors,
} from "./safetensors/file.js";
export {
  decodeSafetensors,
  encodeSafetensors,
  type LoadedTensor,
  type SafetensorsContents,
} from "./safetensors/format.js";
export {
  loadOptimizer,
  OPTIMIZER_METADATA_KEY,
  optimizerStateFromSafetensors,
  optimizerStateToSafetensors,
  saveOptimizer,
} from "./safetensors/optimizer-io.js";
export {
  fromTorchLayout,
  LAYOUT_METADATA_KEY,
  ohwiToOihw,
  oihwToOhwi,
  toTorchLayout,
} from "./safetensors/torch-layout.js";
export { LrScheduler, type SchedulerState } from "./schedule/scheduler.js";
export {
  type CosineOptions,
  constantLr,
  cosineLr,
  exponentialLr,
  type LrSchedule,
  multiStepLr,
  stepLr,
} from "./schedule/schedules.js";

// Model zoo: reference networks with published parameter and MAC counts (src/nn/zoo).
export * from "./zoo/index.js";
