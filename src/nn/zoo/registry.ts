/**
 * The model zoo registry: `createModel(name, opts, rng)` builds a freshly initialised network, `listModels()`
 * describes every entry (input shape, task, published parameter and MAC counts).
 */
import { configError, type Rng } from "../../core/index.js";
import type { AnyModule } from "../module.js";
import { AnomalyAutoencoder } from "./autoencoder.js";
import { DsCnn } from "./dscnn.js";
import { FashionCnn, FashionMlp } from "./fashion.js";
import { LstmKws } from "./lstm-kws.js";
import { MobileNetV1 } from "./mobilenet-v1.js";
import { CifarResNet } from "./resnet-cifar.js";
import { ResNet8 } from "./resnet-mlperf.js";

/** Options every zoo model accepts (models ignore what does not apply to them). */
export interface ModelOptions {
  /** Number of output classes (default: the model's task). */
  classes?: number;
}

export interface ModelInfo {
  name: string;
  description: string;
  task: "image-classification" | "keyword-spotting" | "visual-wake-words" | "anomaly-detection";
  /** Shape of one input sample, channels-last, without the batch axis. */
  inputShape: readonly number[];
  /** Default number of outputs. */
  classes: number;
  /** Published parameter count and its convention (with or without BN running statistics). */
  parameters: number;
  parametersIncludeBnStats: boolean;
  /** MACs per sample of the default configuration. */
  macs: number;
  /** Where the numbers come from. */
  reference: string;
}

interface Entry extends ModelInfo {
  build(rng: Rng, opts: ModelOptions): AnyModule;
}

const ZOO: readonly Entry[] = [
  {
    name: "resnet8",
    description: "MLPerf Tiny IC ResNet-8 (CIFAR-10)",
    task: "image-classification",
    inputShape: [32, 32, 3],
    classes: 10,
    parameters: 78_666,
    parametersIncludeBnStats: true,
    macs: 12_501_632,
    reference: "MLPerf Tiny v1.0 ic_resnet8 (Banbury et al. 2021): 78,666 params, 12.5 M MACs",
    build: (rng, o) => new ResNet8(rng, o),
  },
  {
    name: "dscnn",
    description: "MLPerf Tiny KWS DS-CNN (Speech Commands, 49x10 MFCC)",
    task: "keyword-spotting",
    inputShape: [49, 10, 1],
    classes: 12,
    parameters: 24_908,
    parametersIncludeBnStats: true,
    macs: 2_656_768,
    reference: "MLPerf Tiny v1.0 kws_dscnn (Zhang et al. 2017 DS-CNN-S): 24,908 params, 2.7 M MACs",
    build: (rng, o) => new DsCnn(rng, o),
  },
  {
    name: "mobilenetv1-0.25",
    description: "MLPerf Tiny VWW MobileNetV1 alpha 0.25 (96x96x3, person / no person)",
    task: "visual-wake-words",
    inputShape: [96, 96, 3],
    classes: 2,
    parameters: 221_794,
    parametersIncludeBnStats: true,
    macs: 7_489_664,
    reference: "MLPerf Tiny v1.0 vww_mobilenetv1 (Chowdhery et al. 2019): 221,794 params, 7.5 M MACs",
    build: (rng, o) => new MobileNetV1(rng, { alpha: 0.25, classes: o.classes }),
  },
  {
    name: "ad-autoencoder",
    description: "MLPerf Tiny anomaly-detection dense autoencoder (640 log-mel inputs)",
    task: "anomaly-detection",
    inputShape: [640],
    classes: 640,
    parameters: 269_992,
    parametersIncludeBnStats: true,
    macs: 264_192,
    reference: "MLPerf Tiny v1.0 ad_autoencoder (DCASE 2020 baseline): 269,992 params, 0.26 M MACs",
    build: (rng) => new AnomalyAutoencoder(rng),
  },
  {
    name: "resnet20",
    description: "CIFAR ResNet-20, option-A shortcuts",
    task: "image-classification",
    inputShape: [32, 32, 3],
    classes: 10,
    parameters: 269_722,
    parametersIncludeBnStats: false,
    macs: 40_551_040,
    reference: "He et al. 2016 Table 6: ResNet-20 0.27 M params (option A), 41 M MACs",
    build: (rng, o) => new CifarResNet(rng, { depth: 20, classes: o.classes }),
  },
  {
    name: "resnet32",
    description: "CIFAR ResNet-32, option-A shortcuts",
    task: "image-classification",
    inputShape: [32, 32, 3],
    classes: 10,
    parameters: 464_154,
    parametersIncludeBnStats: false,
    macs: 68_862_592,
    reference: "He et al. 2016 Table 6: ResNet-32 0.46 M params (option A), 69 M MACs",
    build: (rng, o) => new CifarResNet(rng, { depth: 32, classes: o.classes }),
  },
  {
    name: "lstm-kws",
    description: "LSTM keyword spotter: 49x10 MFCC -> LSTM 64 -> dense 12",
    task: "keyword-spotting",
    inputShape: [49, 10, 1],
    classes: 12,
    parameters: 20_236,
    parametersIncludeBnStats: false,
    macs: 929_024,
    reference: "Zhang et al. 2017 (Hello Edge) LSTM baseline, 64 units; counts from 4H(I+H)+8H+12(H+1)",
    build: (rng, o) => new LstmKws(rng, o),
  },
  {
    name: "fashion-mlp",
    description: "MLP 784-128-10 for 28x28x1 images (default model)",
    task: "image-classification",
    inputShape: [28, 28, 1],
    classes: 10,
    parameters: 101_770,
    parametersIncludeBnStats: false,
    macs: 101_632,
    reference: "784*128 + 128 + 128*10 + 10",
    build: (rng, o) => new FashionMlp(rng, o),
  },
  {
    name: "fashion-cnn",
    description: "small CNN (conv 8, conv 16, dense) for 28x28x1 images",
    task: "image-classification",
    inputShape: [28, 28, 1],
    classes: 10,
    parameters: 9_194,
    parametersIncludeBnStats: true,
    macs: 290_080,
    reference: "80 + 32 + 1,168 + 64 + 7,850 parameters",
    build: (rng, o) => new FashionCnn(rng, o),
  },
];

/** Descriptions of every zoo model, in a stable order. */
export function listModels(): ModelInfo[] {
  return ZOO.map(({ build: _b, ...info }) => ({ ...info }));
}

/** The description of one zoo model; unknown names give a KirchhoffError listing the valid ones. */
export function modelInfo(name: string): ModelInfo {
  const e = ZOO.find((m) => m.name === name);
  if (!e) throw configError("model", `one of ${ZOO.map((m) => m.name).join(", ")}`, name);
  const { build: _b, ...info } = e;
  return { ...info };
}

/** A freshly initialised zoo model; all initial weights come from `rng`. */
export function createModel(name: string, opts: ModelOptions, rng: Rng): AnyModule {
  const e = ZOO.find((m) => m.name === name);
  if (!e) throw configError("model", `one of ${ZOO.map((m) => m.name).join(", ")}`, name);
  if (opts.classes !== undefined && !(Number.isInteger(opts.classes) && opts.classes > 0)) {
    throw configError(`model ${name}: classes`, "a positive integer", opts.classes);
  }
  return e.build(rng, opts);
}
