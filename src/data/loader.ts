/**
 * Deterministic mini-batch iteration over a Dataset on plain typed arrays.
 *
 * The sample order of epoch e is a pure function of (seed, e): `rng.fork("epoch:e").permutation(n)`, and
 * the augmentation stream of batch b in epoch e is `rng.fork("augment:e:b")`. So a run resumed at epoch e,
 * batch b sees exactly the batches an uninterrupted run would have seen.
 */
import { KirchhoffError, Rng } from "../core/index.js";
import { type ChannelStats, normalizeInPlace } from "./normalize.js";
import { type Dataset, sampleSize } from "./types.js";

/** One mini-batch: `x` has shape `[batch, ...sampleShape]`. */
export interface Batch {
  x: Float32Array;
  y: Int32Array;
  /** `[batch, ...sampleShape]`. */
  shape: number[];
  /** Dataset indices of the samples in this batch. */
  indices: Int32Array;
}

/** In-place batch transform (augmentation); must take all randomness from `rng`. */
export type BatchTransform = (batch: Batch, rng: Rng) => void;

export interface LoaderOptions {
  batchSize: number;
  /** Shuffle every epoch (default true). */
  shuffle?: boolean;
  /** Drop the last incomplete batch (default false). */
  dropLast?: boolean;
  /** Seed or generator for shuffling and augmentation (default seed 0). */
  seed?: number | string | Rng;
  /** Augmentations applied in order to every batch before normalisation. */
  augment?: BatchTransform[];
  /** Per-channel normalisation applied after augmentation. */
  normalize?: ChannelStats;
}

export class DataLoader {
  readonly dataset: Dataset;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  private readonly rng: Rng;
  private readonly augment: BatchTransform[];
  private readonly normalize: ChannelStats | undefined;
  private readonly per: number;

  constructor(dataset: Dataset, opts: LoaderOptions) {
    if (!(Number.isInteger(opts.batchSize) && opts.batchSize > 0)) {
      throw new KirchhoffError(
        "config",
        `DataLoader: batchSize: expected a positive integer, got ${opts.batchSize}`,
      );
    }
    this.dataset = dataset;
    this.batchSize = opts.batchSize;
    this.shuffle = opts.shuffle ?? true;
    this.dropLast = opts.dropLast ?? false;
    const seed = opts.seed ?? 0;
    this.rng = seed instanceof Rng ? seed : new Rng(seed);
    this.augment = opts.augment ?? [];
    this.normalize = opts.normalize;
    this.per = sampleSize(dataset.sampleShape);
  }

  /** Number of samples in the dataset. */
  get size(): number {
    return this.dataset.y.length;
  }

  /** Number of batches one epoch yields. */
  get batchesPerEpoch(): number {
    const n = this.size;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** Sample order of an epoch (identity when shuffling is off). */
  epochOrder(epoch: number): Int32Array {
    if (!this.shuffle) {
      const p = new Int32Array(this.size);
      for (let i = 0; i < p.length; i++) p[i] = i;
      return p;
    }
    return this.rng.fork(`epoch:${epoch}`).permutation(this.size);
  }

  /** Batch `index` of `epoch`, augmented and normalised; random access for resuming. */
  batchAt(epoch: number, index: number, order = this.epochOrder(epoch)): Batch {
    if (!(index >= 0 && index < this.batchesPerEpoch)) {
      throw new KirchhoffError(
        "data",
        `DataLoader: batch ${index} out of range 0..${this.batchesPerEpoch - 1}`,
      );
    }
    const start = index * this.batchSize;
    const end = Math.min(start + this.batchSize, this.size);
    const b = end - start;
    const per = this.per;
    const x = new Float32Array(b * per);
    const y = new Int32Array(b);
    const indices = order.slice(start, end);
    const src = this.dataset.x;
    for (let k = 0; k < b; k++) {
      const i = indices[k]!;
      x.set(src.subarray(i * per, (i + 1) * per), k * per);
      y[k] = this.dataset.y[i]!;
    }
    const batch: Batch = { x, y, shape: [b, ...this.dataset.sampleShape], indices };
    if (this.augment.length > 0) {
      const rng = this.rng.fork(`augment:${epoch}:${index}`);
      for (const t of this.augment) t(batch, rng);
    }
    if (this.normalize) normalizeInPlace(batch.x, this.normalize);
    return batch;
  }

  /** All batches of an epoch, optionally starting at batch `fromBatch` (resume). */
  *epoch(epoch: number, fromBatch = 0): Generator<Batch> {
    const order = this.epochOrder(epoch);
    for (let b = fromBatch; b < this.batchesPerEpoch; b++) yield this.batchAt(epoch, b, order);
  }
}
