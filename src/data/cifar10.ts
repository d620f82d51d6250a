/**
 * CIFAR-10 binary batches (Krizhevsky 2009): each record is 1 label byte followed by 3072 pixel bytes,
 * the R, G and B planes of a 32×32 image (1024 bytes each, row-major). Loaded as NHWC [N, 32, 32, 3].
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { KirchhoffError } from "../core/index.js";
import { readFileOrThrow, requireDir } from "./files.js";
import { type Dataset, validateDataset } from "./types.js";

export const CIFAR10_RECORD_BYTES = 3073;
export const CIFAR10_CLASSES = [
  "airplane",
  "automobile",
  "bird",
  "cat",
  "deer",
  "dog",
  "frog",
  "horse",
  "ship",
  "truck",
];

export interface Cifar10Options {
  /** Scale pixels to 0..1 (default true) or keep raw 0..255 (the MLPerf Tiny ResNet-8 input). */
  scale01?: boolean;
  /** Dataset name for result records (default "cifar10"). */
  name?: string;
  /** Class names (default: batches.meta.txt of the folder when present, else the standard ten). */
  classes?: string[];
  license?: string;
}

/** Decodes CIFAR-10 binary batch files (one or more) into one dataset. */
export function loadCifar10Batches(files: string[], opts: Cifar10Options = {}): Dataset {
  if (files.length === 0) throw new KirchhoffError("data", "CIFAR-10: no batch files given");
  const bufs = files.map((f) => {
    const b = readFileOrThrow(f, "CIFAR-10 batch");
    if (b.length === 0 || b.length % CIFAR10_RECORD_BYTES !== 0) {
      throw new KirchhoffError(
        "data",
        `CIFAR-10 batch ${f}: ${b.length} bytes is not a whole number of ${CIFAR10_RECORD_BYTES}-byte records (truncated or not a CIFAR-10 binary batch)`,
      );
    }
    return b;
  });
  const classes = opts.classes ?? CIFAR10_CLASSES;
  const n = bufs.reduce((s, b) => s + b.length / CIFAR10_RECORD_BYTES, 0);
  const x = new Float32Array(n * 3072);
  const y = new Int32Array(n);
  const scale = (opts.scale01 ?? true) ? 1 / 255 : 1;
  let i = 0;
  bufs.forEach((buf, fi) => {
    const records = buf.length / CIFAR10_RECORD_BYTES;
    for (let r = 0; r < records; r++, i++) {
      const o = r * CIFAR10_RECORD_BYTES;
      const label = buf[o]!;
      if (label >= classes.length) {
        throw new KirchhoffError(
          "data",
          `CIFAR-10 batch ${files[fi]}: record ${r} has label ${label}, expected 0..${classes.length - 1}`,
        );
      }
      y[i] = label;
      const out = i * 3072;
      for (let p = 0; p < 1024; p++) {
        x[out + 3 * p] = buf[o + 1 + p]! * scale;
        x[out + 3 * p + 1] = buf[o + 1 + 1024 + p]! * scale;
        x[out + 3 * p + 2] = buf[o + 1 + 2048 + p]! * scale;
      }
    }
  });
  return validateDataset({
    name: opts.name ?? "cifar10",
    x,
    sampleShape: [32, 32, 3],
    y,
    classes,
    license:
      opts.license ?? "CIFAR-10 (Krizhevsky, 2009, Learning Multiple Layers of Features from Tiny Images)",
  });
}

/** Reads class names from batches.meta.txt (one per line, blank lines ignored) when present. */
export function readCifarMeta(dir: string): string[] | undefined {
  const p = join(dir, "batches.meta.txt");
  if (!existsSync(p)) return undefined;
  const names = readFileSync(p, "utf8")
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  return names.length > 0 ? names : undefined;
}

/**
 * Loads a CIFAR-10 binary folder: split "train" = data_batch_*.bin (sorted), "test" = test_batch.bin.
 * A folder rebuilt from JPEGs is detected by its README and named "CIFAR-10 (JPEG rebuild)".
 */
export function loadCifar10Folder(
  dir: string,
  split: "train" | "test" = "train",
  opts: Cifar10Options = {},
): Dataset {
  requireDir(dir, "CIFAR-10 folder");
  let files: string[];
  if (split === "test") files = [join(dir, "test_batch.bin")];
  else {
    files = [1, 2, 3, 4, 5].map((k) => join(dir, `data_batch_${k}.bin`)).filter((p) => existsSync(p));
    if (files.length === 0)
      throw new KirchhoffError("io", `CIFAR-10 folder ${dir}: no data_batch_*.bin files`);
  }
  const readme = join(dir, "README.md");
  const jpeg = existsSync(readme) && /JPEG/i.test(readFileSync(readme, "utf8"));
  const name = opts.name ?? `${jpeg ? "CIFAR-10 (JPEG rebuild)" : "CIFAR-10"}:${split}`;
  const classes = opts.classes ?? readCifarMeta(dir) ?? CIFAR10_CLASSES;
  if (classes.length < 10) {
    throw new KirchhoffError(
      "data",
      `CIFAR-10 folder ${dir}: batches.meta.txt lists ${classes.length} classes, expected 10`,
    );
  }
  const ds = loadCifar10Batches(files, { ...opts, name, classes });
  return { ...ds, name: name || basename(dir) };
}
