/**
 * Task data for `kirchhoff train|evaluate` and the benchmarks: resolves a dataset path (or the embedded
 * default) into train / validation / test loaders with the usual augmentation and normalisation.
 * - no path: the embedded Fashion-MNIST subset (validation = 10 % of train, stratified);
 * - a folder with `data_batch_*.bin`: CIFAR-10 binary (random crop 4 + horizontal flip; per-channel
 *   normalisation from the training set);
 * - a folder with `train-images-idx3-ubyte` style files: Fashion-MNIST / MNIST IDX;
 * - a folder with Speech Commands class folders (`yes/`, `no/`, …): 49×10×1 MFCCs, speaker-disjoint split.
 */
import { existsSync, readdirSync } from "node:fs";
import { KirchhoffError, Rng } from "../core/index.js";
import {
  type BatchTransform,
  type ChannelStats,
  channelStats,
  DataLoader,
  type Dataset,
  horizontalFlip,
  loadCifar10Folder,
  loadDefaultDataset,
  loadIdxFolder,
  loadSpeechCommands,
  mfccDataset,
  randomCrop,
  splitDataset,
  subsetDataset,
} from "../data/index.js";

export type TaskKind = "fashion-embedded" | "cifar10" | "idx" | "speech-commands";

export interface TaskDataOptions {
  /** Dataset folder; undefined = the embedded default dataset. */
  path?: string;
  batchSize: number;
  seed: number;
  /** Use at most this many training / test samples (seeded random subset). */
  maxTrain?: number;
  maxTest?: number;
  /** Validation fraction carved out of the training set where the dataset has no validation split. */
  valFraction?: number;
  /** Augment the training batches (default true). */
  augment?: boolean;
}

export interface TaskData {
  kind: TaskKind;
  train: DataLoader;
  val: DataLoader | null;
  test: DataLoader;
  /** Shape of one sample and the class names. */
  sampleShape: number[];
  classes: string[];
  name: string;
  license: string;
}

/** Which kind of dataset a folder holds. */
export function detectTask(path: string): TaskKind {
  if (!existsSync(path)) throw new KirchhoffError("io", `dataset folder ${path} does not exist`);
  let names: string[];
  try {
    names = readdirSync(path);
  } catch (e) {
    throw new KirchhoffError("io", `cannot read dataset folder ${path}: ${(e as Error).message}`);
  }
  if (names.some((n) => /^data_batch_\d\.bin$/.test(n))) return "cifar10";
  if (names.some((n) => /idx3-ubyte(\.gz)?$/.test(n))) return "idx";
  if (names.includes("yes") && names.includes("no")) return "speech-commands";
  throw new KirchhoffError(
    "data",
    `dataset folder ${path}: not recognised (expected CIFAR-10 data_batch_*.bin, IDX *-idx3-ubyte files or Speech Commands class folders)`,
  );
}

function limit(ds: Dataset, max: number | undefined, rng: Rng): Dataset {
  if (max === undefined || max >= ds.y.length) return ds;
  if (!(Number.isInteger(max) && max > 0))
    throw new KirchhoffError("config", `sample limit: expected a positive integer, got ${max}`);
  const idx = Array.from(rng.permutation(ds.y.length).subarray(0, max)).sort((a, b) => a - b);
  return subsetDataset(ds, idx);
}

/** Loads and splits the data, builds the loaders. */
export function loadTaskData(o: TaskDataOptions): TaskData {
  const rng = new Rng(o.seed).fork("data");
  const valFraction = o.valFraction ?? 0.1;
  const kind: TaskKind = o.path ? detectTask(o.path) : "fashion-embedded";
  let train: Dataset;
  let val: Dataset | null = null;
  let test: Dataset;
  let augment: BatchTransform[] = [];
  let normalize: ChannelStats | undefined;
  if (kind === "speech-commands") {
    const sc = loadSpeechCommands(o.path!, { valPercent: 10, testPercent: 20 });
    train = mfccDataset(limit(sc.train, o.maxTrain, rng.fork("train")));
    val = sc.val.y.length > 0 ? mfccDataset(sc.val) : null;
    test = mfccDataset(limit(sc.test, o.maxTest, rng.fork("test")));
    normalize = channelStats(train);
  } else {
    let full: Dataset;
    if (kind === "cifar10") {
      full = loadCifar10Folder(o.path!, "train");
      test = loadCifar10Folder(o.path!, "test");
      augment = [randomCrop({ padding: 4 }), horizontalFlip()];
    } else if (kind === "idx") {
      full = loadIdxFolder(o.path!, { split: "train" });
      test = loadIdxFolder(o.path!, { split: "test" });
    } else {
      full = loadDefaultDataset("train");
      test = loadDefaultDataset("test");
    }
    full = limit(full, o.maxTrain, rng.fork("train"));
    test = limit(test, o.maxTest, rng.fork("test"));
    if (valFraction > 0) ({ train, val } = splitDataset(full, valFraction, rng.fork("split")));
    else train = full;
    if (kind === "cifar10") normalize = channelStats(train);
  }
  const useAug = o.augment ?? true;
  return {
    kind,
    train: new DataLoader(train, {
      batchSize: o.batchSize,
      seed: rng.fork("loader"),
      augment: useAug ? augment : [],
      normalize,
    }),
    val: val
      ? new DataLoader(val, { batchSize: Math.max(o.batchSize, 250), shuffle: false, normalize })
      : null,
    test: new DataLoader(test, { batchSize: Math.max(o.batchSize, 250), shuffle: false, normalize }),
    sampleShape: [...train.sampleShape],
    classes: [...train.classes],
    name: train.name.split(":")[0]!,
    license: train.license,
  };
}
