/** Bridge from typed-array batches to src/tensor: the training loop's input. */
import { type Tensor, tensor } from "../tensor/index.js";
import type { Batch, DataLoader } from "./loader.js";

/** A batch as a tensor `x` of shape `[B, ...sampleShape]` (sharing the batch's Float32Array) plus labels. */
export interface TensorBatch {
  x: Tensor;
  y: Int32Array;
  indices: Int32Array;
}

/** Wraps a batch's data in a Tensor without copying. */
export function toTensorBatch(batch: Batch): TensorBatch {
  return { x: tensor(batch.x, batch.shape), y: batch.y, indices: batch.indices };
}

/** Tensor batches of one epoch (resumable from `fromBatch`). */
export function* tensorBatches(loader: DataLoader, epoch: number, fromBatch = 0): Generator<TensorBatch> {
  for (const b of loader.epoch(epoch, fromBatch)) yield toTensorBatch(b);
}
