/** Public door of src/data: datasets, loaders, the keyword-spotting front end and augmentation. */

export type { BackgroundNoiseOptions } from "./audio-augment.js";
export { backgroundNoise, mfccTransform, timeShift } from "./audio-augment.js";
export type { CutoutOptions, RandomCropOptions } from "./augment.js";
export { cutout, horizontalFlip, randomCrop } from "./augment.js";
export type { Cifar10Options } from "./cifar10.js";
export { CIFAR10_CLASSES, loadCifar10Batches, loadCifar10Folder, readCifarMeta } from "./cifar10.js";
export { embeddedDatasetDir, embeddedDatasetLicense, loadDefaultDataset } from "./embedded.js";
export { RealFft } from "./fft.js";
export { fnv1a32, hashUnit } from "./hash.js";
export {
  FASHION_MNIST_CLASSES,
  IDX_IMAGES_MAGIC,
  IDX_LABELS_MAGIC,
  loadIdxFolder,
  loadIdxPair,
  MNIST_CLASSES,
  parseIdx,
} from "./idx.js";
export type { ImageFolderOptions } from "./image-folder.js";
export { decodeJpeg, loadImageFolder, readImage } from "./image-folder.js";
export { mfccDataset } from "./kws-features.js";
export type { DatasetSpec } from "./load-dataset.js";
export { DATASET_KINDS, datasetSpecSchema, detectDatasetKind, loadDataset } from "./load-dataset.js";
export type { Batch, BatchTransform, LoaderOptions } from "./loader.js";
export { DataLoader } from "./loader.js";
export type { MfccConfig } from "./mfcc.js";
export {
  hannWindowPeriodic,
  hertzToMel,
  linearToMelWeightMatrix,
  MfccExtractor,
  MLPERF_KWS_MFCC,
  numFrames,
  padOrTrim,
} from "./mfcc.js";
export type { ChannelStats } from "./normalize.js";
export { channelStats, normalizeInPlace } from "./normalize.js";
export type { RgbImage } from "./png.js";
export { crc32, decodePng } from "./png.js";
export { decodePnm } from "./ppm.js";
export type { KwsAugmentOptions } from "./recipes.js";
export { cifarAugmentations, kwsTrainTransforms } from "./recipes.js";
export { resizeBilinearRgb } from "./resize.js";
export type { SpeechCommandsData, SpeechCommandsOptions } from "./speech-commands.js";
export {
  KWS_CLIP_SAMPLES,
  KWS12_CLASSES,
  loadSpeechCommands,
  peakNormalize,
  SPEECH_COMMANDS_ATTRIBUTION,
  speakerOf,
  whichSet,
} from "./speech-commands.js";
export type { GroupSplitFractions, IndexSplit, SplitName } from "./split.js";
export { assignGroup, groupSplit, splitDataset, stratifiedSplit } from "./split.js";
export type { TensorBatch } from "./tensor-batch.js";
export { tensorBatches, toTensorBatch } from "./tensor-batch.js";
export type { Dataset } from "./types.js";
export { classCounts, datasetSize, sampleSize, subsetDataset, validateDataset } from "./types.js";
export type { WavAudio, WavExpectation } from "./wav.js";
export { encodeWav, parseWav, readWav } from "./wav.js";
