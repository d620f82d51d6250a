/**
 * The embedded default dataset: a class-balanced Fashion-MNIST subset (6,000 train + 1,000 test images,
 * 28×28 gray, MIT licence, Zalando SE 2017) shipped in assets/fashion-mnist-subset/ so that Kirchhoff runs
 * with no download. Made by scripts/make-embedded-dataset.mjs from Debian's dataset-fashion-mnist package.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { FASHION_MNIST_CLASSES, findIdxPair, loadIdxPair } from "./idx.js";
import type { Dataset } from "./types.js";

/** Folder of the shipped subset (works from src/data and from dist/data). */
export function embeddedDatasetDir(): string {
  return fileURLToPath(new URL("../../assets/fashion-mnist-subset/", import.meta.url));
}

/** Licence and attribution text shipped with the embedded subset. */
export function embeddedDatasetLicense(): string {
  return readFileSync(`${embeddedDatasetDir()}LICENSE`, "utf8");
}

const ATTRIBUTION =
  "Fashion-MNIST subset (Xiao, Rasul & Vollgraf 2017, arXiv:1708.07747), Copyright (c) 2017 Zalando SE, MIT licence; " +
  "from Debian's dataset-fashion-mnist package, see assets/fashion-mnist-subset/LICENSE";

/** Loads the embedded Fashion-MNIST subset: NHWC [N, 28, 28, 1], pixels 0..1 (or 0..255 with scale01=false). */
export function loadDefaultDataset(
  split: "train" | "test" = "train",
  opts: { scale01?: boolean } = {},
): Dataset {
  const files = findIdxPair(embeddedDatasetDir(), split === "train" ? "train" : "t10k");
  return loadIdxPair(files.images, files.labels, {
    name: `fashion-mnist-subset:${split}`,
    classes: FASHION_MNIST_CLASSES,
    license: ATTRIBUTION,
    scale01: opts.scale01 ?? true,
  });
}
