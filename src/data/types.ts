/**
 * The dataset record every loader in src/data produces: plain typed arrays, no tensors, so that loaders,
 * splits and augmentation can be tested and reused before (and without) the tensor engine.
 *
 * Layout conventions:
 * - images: NHWC, `sampleShape = [H, W, C]`, values in 0..1 (or 0..255 when a loader is asked for raw bytes);
 * - audio features: `[T, F]` (e.g. MFCC 49×10) or `[49, 10, 1]` for the MLPerf KWS DS-CNN;
 * - raw audio: `[16000]` samples in [-1, 1).
 */
import { KirchhoffError } from "../core/index.js";

export interface Dataset {
  /** Short name used in result records, e.g. "fashion-mnist", "CIFAR-10 (JPEG rebuild)". */
  name: string;
  /** All samples, concatenated: `x.length === n * product(sampleShape)`. */
  x: Float32Array;
  /** Shape of one sample (without the batch axis). */
  sampleShape: number[];
  /** Class index per sample, 0 ≤ y[i] < classes.length. */
  y: Int32Array;
  /** Class names, indexed by label. */
  classes: string[];
  /** Licence and attribution text to carry into result records (may be empty when the source has none). */
  license: string;
  /** Optional per-sample group id (e.g. the speaker of a Speech Commands clip) for group-disjoint splits. */
  groups?: string[];
}

/** Number of samples in a dataset. */
export function datasetSize(ds: Dataset): number {
  return ds.y.length;
}

/** Number of scalars in one sample. */
export function sampleSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Throws a KirchhoffError("data") when the dataset's arrays disagree with each other. */
export function validateDataset(ds: Dataset): Dataset {
  const per = sampleSize(ds.sampleShape);
  const n = ds.y.length;
  if (ds.x.length !== n * per) {
    throw new KirchhoffError(
      "data",
      `dataset ${ds.name}: x has ${ds.x.length} values, expected ${n} samples × ${per} = ${n * per}`,
    );
  }
  for (let i = 0; i < n; i++) {
    const c = ds.y[i]!;
    if (c < 0 || c >= ds.classes.length) {
      throw new KirchhoffError(
        "data",
        `dataset ${ds.name}: sample ${i} has label ${c}, expected 0..${ds.classes.length - 1}`,
      );
    }
  }
  if (ds.groups && ds.groups.length !== n) {
    throw new KirchhoffError("data", `dataset ${ds.name}: ${ds.groups.length} group ids for ${n} samples`);
  }
  return ds;
}

/** A new dataset holding the samples at `indices` (in that order). */
export function subsetDataset(ds: Dataset, indices: ArrayLike<number>, name = ds.name): Dataset {
  const per = sampleSize(ds.sampleShape);
  const x = new Float32Array(indices.length * per);
  const y = new Int32Array(indices.length);
  const groups = ds.groups ? new Array<string>(indices.length) : undefined;
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    if (!(i >= 0 && i < ds.y.length)) {
      throw new KirchhoffError("data", `subset of ${ds.name}: index ${i} out of range 0..${ds.y.length - 1}`);
    }
    x.set(ds.x.subarray(i * per, (i + 1) * per), k * per);
    y[k] = ds.y[i]!;
    if (groups) groups[k] = ds.groups![i]!;
  }
  const out: Dataset = { ...ds, name, x, y };
  if (groups) out.groups = groups;
  else delete out.groups;
  return out;
}

/** Count of samples per class. */
export function classCounts(ds: Pick<Dataset, "y" | "classes">): number[] {
  const counts = new Array<number>(ds.classes.length).fill(0);
  for (let i = 0; i < ds.y.length; i++) counts[ds.y[i]!]!++;
  return counts;
}
