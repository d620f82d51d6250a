/** Public door of src/nn/zoo: reference networks with published parameter and MAC counts. */

export type { AutoencoderOptions } from "./autoencoder.js";
export { AnomalyAutoencoder, DenseBnRelu } from "./autoencoder.js";
export type { ConvBnOptions } from "./blocks.js";
export { ConvBn, DepthwiseSeparable } from "./blocks.js";
export type { ParameterCountOptions } from "./count.js";
export { countMacs, countParameters } from "./count.js";
export type { DsCnnOptions } from "./dscnn.js";
export { DsCnn } from "./dscnn.js";
export type { SmallImageOptions } from "./fashion.js";
export { FashionCnn, FashionMlp } from "./fashion.js";
export type { LstmKwsOptions } from "./lstm-kws.js";
export { LstmKws } from "./lstm-kws.js";
export type { MobileNetV1Options } from "./mobilenet-v1.js";
export { MobileNetV1 } from "./mobilenet-v1.js";
export type { ModelInfo, ModelOptions } from "./registry.js";
export { createModel, listModels, modelInfo } from "./registry.js";
export type { CifarResNetOptions } from "./resnet-cifar.js";
export { BasicBlockA, CifarResNet } from "./resnet-cifar.js";
export type { ResNet8Options } from "./resnet-mlperf.js";
export { MlperfResidualBlock, ResNet8 } from "./resnet-mlperf.js";
