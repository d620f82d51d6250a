/**
 * IDX files (LeCun's MNIST format, also used by Fashion-MNIST): big-endian header
 * `00 00 <type> <ndim>` then ndim uint32 sizes, then the data. Kirchhoff reads unsigned-byte files
 * (type 0x08): images with magic 0x00000803 ([N, H, W]) and labels with magic 0x00000801 ([N]).
 * Files may be gzipped (.gz).
 */
import { join } from "node:path";
import { KirchhoffError } from "../core/index.js";
import { firstExisting, readMaybeGzip } from "./files.js";
import { type Dataset, validateDataset } from "./types.js";

export const IDX_IMAGES_MAGIC = 0x00000803;
export const IDX_LABELS_MAGIC = 0x00000801;

/** Parsed IDX unsigned-byte array. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** Parses an in-memory IDX file, checking magic, header and length; `file` names it in errors. */
export function parseIdx(buf: Uint8Array, file: string, expectedMagic: number): IdxArray {
  if (buf.length < 4)
    throw new KirchhoffError("data", `IDX ${file}: ${buf.length} bytes, too short for a header`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magic = view.getUint32(0, false);
  if (magic !== expectedMagic) {
    const hex = (m: number) => `0x${m.toString(16).padStart(8, "0")}`;
    throw new KirchhoffError(
      "data",
      `IDX ${file}: bad magic number: expected ${hex(expectedMagic)}, got ${hex(magic)}`,
    );
  }
  const ndim = magic & 0xff;
  const headerLen = 4 + 4 * ndim;
  if (buf.length < headerLen) {
    throw new KirchhoffError(
      "data",
      `IDX ${file}: truncated header: expected ${headerLen} bytes, got ${buf.length}`,
    );
  }
  const dims: number[] = [];
  for (let i = 0; i < ndim; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const have = buf.length - headerLen;
  if (have < count) {
    throw new KirchhoffError(
      "data",
      `IDX ${file}: truncated: header ${JSON.stringify(dims)} needs ${count} data bytes, file has ${have}`,
    );
  }
  if (have > count) {
    throw new KirchhoffError(
      "data",
      `IDX ${file}: ${have - count} unexpected bytes after ${count} data bytes`,
    );
  }
  return { dims, data: buf.subarray(headerLen, headerLen + count) };
}

/** The ten Fashion-MNIST class names (Xiao, Rasul & Vollgraf 2017). */
export const FASHION_MNIST_CLASSES = [
  "T-shirt/top",
  "Trouser",
  "Pullover",
  "Dress",
  "Coat",
  "Sandal",
  "Shirt",
  "Sneaker",
  "Bag",
  "Ankle boot",
];
export const MNIST_CLASSES = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

export interface IdxPairOptions {
  name: string;
  classes: string[];
  license: string;
  /** Scale pixels to 0..1 (default true) or keep 0..255. */
  scale01?: boolean;
}

/** Builds an NHWC [N, H, W, 1] dataset from an images IDX file and a labels IDX file. */
export function loadIdxPair(imagesPath: string, labelsPath: string, opts: IdxPairOptions): Dataset {
  const images = parseIdx(readMaybeGzip(imagesPath, "IDX images"), imagesPath, IDX_IMAGES_MAGIC);
  const labels = parseIdx(readMaybeGzip(labelsPath, "IDX labels"), labelsPath, IDX_LABELS_MAGIC);
  return idxToDataset(images, labels, imagesPath, labelsPath, opts);
}

/** Combines parsed IDX images and labels, checking counts and label range. */
export function idxToDataset(
  images: IdxArray,
  labels: IdxArray,
  imagesFile: string,
  labelsFile: string,
  opts: IdxPairOptions,
): Dataset {
  const [n, h, w] = images.dims as [number, number, number];
  if (labels.dims[0] !== n) {
    throw new KirchhoffError(
      "data",
      `IDX count mismatch: ${imagesFile} has ${n} images, ${labelsFile} has ${labels.dims[0]} labels`,
    );
  }
  const scale = (opts.scale01 ?? true) ? 1 / 255 : 1;
  const x = new Float32Array(images.data.length);
  for (let i = 0; i < x.length; i++) x[i] = images.data[i]! * scale;
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = labels.data[i]!;
    if (c >= opts.classes.length) {
      throw new KirchhoffError(
        "data",
        `IDX ${labelsFile}: record ${i} has label ${c}, expected 0..${opts.classes.length - 1}`,
      );
    }
    y[i] = c;
  }
  return validateDataset({
    name: opts.name,
    x,
    sampleShape: [h, w, 1],
    y,
    classes: opts.classes,
    license: opts.license,
  });
}

/** Finds `<prefix>-images-idx3-ubyte[.gz]` and `<prefix>-labels-idx1-ubyte[.gz]` in a folder. */
export function findIdxPair(dir: string, prefix: "train" | "t10k"): { images: string; labels: string } {
  const find = (kind: string, d: number) => {
    const base = join(dir, `${prefix}-${kind}-idx${d}-ubyte`);
    const p = firstExisting([base, `${base}.gz`, join(dir, `${prefix}-${kind}.idx${d}-ubyte`)]);
    if (!p) throw new KirchhoffError("io", `IDX folder ${dir}: missing ${prefix}-${kind}-idx${d}-ubyte(.gz)`);
    return p;
  };
  return { images: find("images", 3), labels: find("labels", 1) };
}

export const FASHION_MNIST_LICENSE =
  "Fashion-MNIST, Copyright (c) 2017 Zalando SE (Xiao, Rasul & Vollgraf, arXiv:1708.07747), MIT licence.";
export const MNIST_LICENSE = "MNIST (LeCun, Cortes & Burges), CC BY-SA 3.0.";

/** Loads an MNIST-layout folder (train-*, t10k-*) as Fashion-MNIST or MNIST. */
export function loadIdxFolder(
  dir: string,
  opts: { split?: "train" | "test"; variant?: "fashion-mnist" | "mnist"; scale01?: boolean } = {},
): Dataset {
  const variant = opts.variant ?? "fashion-mnist";
  const split = opts.split ?? "train";
  const files = findIdxPair(dir, split === "train" ? "train" : "t10k");
  const fashion = variant === "fashion-mnist";
  return loadIdxPair(files.images, files.labels, {
    name: `${variant}:${split}`,
    classes: fashion ? FASHION_MNIST_CLASSES : MNIST_CLASSES,
    license: fashion ? FASHION_MNIST_LICENSE : MNIST_LICENSE,
    scale01: opts.scale01 ?? true,
  });
}
