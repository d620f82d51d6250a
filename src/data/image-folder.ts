/**
 * Image-folder datasets (visual wake words: `person/` and `non_person/` sub-folders, one per class). Reads
 * PNG, PPM/PGM and JPEG (via the pure-JS `jpeg-js` package), resizes bilinearly to 96×96 (MLPerf Tiny VWW)
 * and scales to 0..1, NHWC [N, H, W, 3]. Classes are the sub-folder names sorted, so `non_person` = 0 and
 * `person` = 1 as in the MLPerf VWW reference model.
 */
import { readdirSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import jpeg from "jpeg-js";
import { KirchhoffError } from "../core/index.js";
import { readFileOrThrow, requireDir } from "./files.js";
import { decodePng, type RgbImage } from "./png.js";
import { decodePnm } from "./ppm.js";
import { resizeBilinearRgb } from "./resize.js";
import { type Dataset, validateDataset } from "./types.js";

const DECODERS: Record<string, (buf: Uint8Array, file: string) => RgbImage> = {
  ".png": decodePng,
  ".ppm": decodePnm,
  ".pgm": decodePnm,
  ".pnm": decodePnm,
  ".jpg": decodeJpeg,
  ".jpeg": decodeJpeg,
};

/** JPEG via jpeg-js (baseline and progressive), RGB output; corrupt files become KirchhoffErrors. */
export function decodeJpeg(buf: Uint8Array, file: string): RgbImage {
  try {
    const img = jpeg.decode(buf, { useTArray: true, formatAsRGBA: false, maxMemoryUsageInMB: 256 });
    return { width: img.width, height: img.height, data: img.data };
  } catch (e) {
    throw new KirchhoffError("data", `JPEG ${file}: cannot decode (${(e as Error).message ?? e})`, {
      cause: e,
    });
  }
}

/** Decodes an image file by extension (.png, .ppm/.pgm/.pnm, .jpg/.jpeg). */
export function readImage(path: string): RgbImage {
  const dec = DECODERS[extname(path).toLowerCase()];
  if (!dec) throw new KirchhoffError("data", `image ${path}: unsupported extension (png, ppm, pgm, jpg)`);
  return dec(readFileOrThrow(path, "image"), path);
}

export interface ImageFolderOptions {
  /** Output height and width in pixels (default 96, the MLPerf Tiny VWW input). */
  size?: number;
  /** Class sub-folders in label order (default: all sub-folders, sorted). */
  classes?: string[];
  /** Read at most this many images per class (sorted by file name). */
  maxPerClass?: number;
  name?: string;
  license?: string;
}

/** Loads `<dir>/<class>/*.{png,ppm,jpg}` into an NHWC dataset resized to size×size, values 0..1. */
export function loadImageFolder(dir: string, opts: ImageFolderOptions = {}): Dataset {
  requireDir(dir, "image folder");
  const size = opts.size ?? 96;
  const classes =
    opts.classes ??
    readdirSync(dir)
      .filter((f) => !f.startsWith(".") && statSync(join(dir, f)).isDirectory())
      .sort();
  if (classes.length < 2) {
    throw new KirchhoffError(
      "data",
      `image folder ${dir}: expected ≥ 2 class sub-folders, found ${JSON.stringify(classes)}`,
    );
  }
  const files: { path: string; label: number }[] = [];
  classes.forEach((cls, label) => {
    const sub = join(dir, cls);
    requireDir(sub, `image folder class "${cls}":`);
    let names = readdirSync(sub)
      .filter((f) => extname(f).toLowerCase() in DECODERS)
      .sort();
    if (opts.maxPerClass !== undefined) names = names.slice(0, opts.maxPerClass);
    for (const f of names) files.push({ path: join(sub, f), label });
  });
  if (files.length === 0)
    throw new KirchhoffError("data", `image folder ${dir}: no png/ppm/jpg images in ${classes.join(", ")}`);
  const per = size * size * 3;
  const x = new Float32Array(files.length * per);
  const y = new Int32Array(files.length);
  files.forEach((f, i) => {
    resizeBilinearRgb(readImage(f.path), size, size, x, i * per);
    y[i] = f.label;
  });
  return validateDataset({
    name: opts.name ?? "image-folder",
    x,
    sampleShape: [size, size, 3],
    y,
    classes,
    license: opts.license ?? "",
  });
}
