/**
 * `loadDataset(spec)`: the one entry the CLI and benchmarks use. A spec is either a string ("default", or a
 * path whose format is detected) or an object validated with zod:
 *
 *   { kind: "default" | "fashion-mnist" | "mnist" | "cifar10" | "speech-commands" | "image-folder",
 *     path?, split = "train", valFraction = 0.1, seed = 0, maxPerClass?, scale01 = true,
 *     features = "mfcc" | "raw" (speech), layout = "NHWC" | "TF" (speech MFCC), splitRule = "hash" | "official",
 *     peakNormalize = true (speech, MLPerf amplitude scaling), imageSize = 96 }
 *
 * split "val" of datasets without their own validation files is a stratified, seeded `valFraction` of the
 * training files, and split "train" is the rest (so train and val never overlap).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { KirchhoffError } from "../core/index.js";
import { loadCifar10Folder } from "./cifar10.js";
import { loadDefaultDataset } from "./embedded.js";
import { loadIdxFolder } from "./idx.js";
import { loadImageFolder } from "./image-folder.js";
import { mfccDataset } from "./kws-features.js";
import { loadSpeechCommands } from "./speech-commands.js";
import { stratifiedSplit } from "./split.js";
import { type Dataset, subsetDataset } from "./types.js";

export const DATASET_KINDS = [
  "default",
  "fashion-mnist",
  "mnist",
  "cifar10",
  "speech-commands",
  "image-folder",
] as const;

export const datasetSpecSchema = z
  .object({
    kind: z.enum(DATASET_KINDS),
    path: z.string().min(1).optional(),
    split: z.enum(["train", "val", "test"]).default("train"),
    valFraction: z.number().min(0).lt(1).default(0.1),
    seed: z.number().int().nonnegative().default(0),
    maxPerClass: z.number().int().positive().optional(),
    scale01: z.boolean().default(true),
    features: z.enum(["mfcc", "raw"]).default("mfcc"),
    layout: z.enum(["NHWC", "TF"]).default("NHWC"),
    imageSize: z.number().int().positive().max(4096).default(96),
    splitRule: z.enum(["hash", "official"]).default("hash"),
    peakNormalize: z.boolean().default(true),
  })
  .strict();

export type DatasetSpec = z.input<typeof datasetSpecSchema>;

/** Guesses the dataset kind of a folder from the files it holds. */
export function detectDatasetKind(dir: string): (typeof DATASET_KINDS)[number] {
  if (!existsSync(dir)) throw new KirchhoffError("io", `dataset path ${dir}: not found`);
  const has = (f: string) => existsSync(join(dir, f));
  if (has("data_batch_1.bin") || has("test_batch.bin")) return "cifar10";
  if (
    has("train-images-idx3-ubyte") ||
    has("train-images-idx3-ubyte.gz") ||
    has("t10k-images-idx3-ubyte.gz")
  ) {
    return "fashion-mnist";
  }
  if (has("_silence_") || has("_background_noise_") || (has("yes") && has("no"))) return "speech-commands";
  return "image-folder";
}

function parseSpec(spec: string | DatasetSpec): z.output<typeof datasetSpecSchema> {
  const obj =
    typeof spec === "string"
      ? spec === "default"
        ? { kind: "default" as const }
        : { kind: detectDatasetKind(spec), path: spec }
      : spec;
  const r = datasetSpecSchema.safeParse(obj);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const field = issue.path.length > 0 ? issue.path.join(".") : "(spec)";
    throw new KirchhoffError("config", `dataset spec: ${field}: ${issue.message}`);
  }
  if (r.data.kind !== "default" && !r.data.path) {
    throw new KirchhoffError("config", `dataset spec: path: required for kind "${r.data.kind}"`);
  }
  return r.data;
}

/** Carves the "val" part (or the rest, for "train") out of a training set. */
function trainValPart(ds: Dataset, split: "train" | "val", valFraction: number, seed: number): Dataset {
  if (valFraction === 0) {
    if (split === "val")
      throw new KirchhoffError("config", 'dataset spec: split "val" needs valFraction > 0');
    return ds;
  }
  const s = stratifiedSplit(ds.y, valFraction, seed);
  const base = ds.name.replace(/:train$/, "");
  return subsetDataset(ds, split === "val" ? s.val : s.train, `${base}:${split}`);
}

/** Loads a dataset described by `spec` (see the file comment). */
export function loadDataset(spec: string | DatasetSpec): Dataset {
  const o = parseSpec(spec);
  const path = o.path ?? "";
  const fileSplit = o.split === "test" ? "test" : "train";
  let ds: Dataset;
  switch (o.kind) {
    case "default":
      ds = loadDefaultDataset(fileSplit, { scale01: o.scale01 });
      break;
    case "fashion-mnist":
    case "mnist":
      ds = loadIdxFolder(path, { split: fileSplit, variant: o.kind, scale01: o.scale01 });
      break;
    case "cifar10":
      ds = loadCifar10Folder(path, fileSplit, { scale01: o.scale01 });
      break;
    case "image-folder":
      if (o.split === "test") {
        throw new KirchhoffError(
          "config",
          'dataset spec: split "test" of an image folder: point path at its test folder and use split "train"',
        );
      }
      ds = loadImageFolder(path, {
        size: o.imageSize,
        ...(o.maxPerClass ? { maxPerClass: o.maxPerClass } : {}),
      });
      break;
    case "speech-commands": {
      const d = loadSpeechCommands(path, {
        splitRule: o.splitRule,
        peakNormalize: o.peakNormalize,
        ...(o.maxPerClass ? { maxPerClass: o.maxPerClass } : {}),
        valPercent: o.valFraction * 100,
      });
      const raw = d[o.split];
      return o.features === "mfcc" ? mfccDataset(raw, o.layout) : raw;
    }
  }
  return o.split === "test" ? ds : trainValPart(ds, o.split, o.valFraction, o.seed);
}
