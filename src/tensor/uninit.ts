/**
 * Uninitialised float32 storage for op outputs that are written in full (backend kernel outputs, which the
 * kernel contract says are overwritten). `new Float32Array(n)` zero-fills through calloc, and for the large
 * activations of a training step the OS then maps and zeroes fresh pages on first touch; malloc'd storage
 * (Node's `Buffer.allocUnsafeSlow`) reuses freed heap memory. Measured on the 2-core dev machine
 * (2026-11-28): six 8 MB outputs allocated and written 10.8 ms zeroed vs 2.2 ms uninitialised (a reused
 * array: 0.9 ms). Never use this for a buffer that is read or accumulated into before every element is set.
 *
 * Activation recycling: freed storage only returns at garbage collection, so a training step still writes
 * ~36 fresh 3 MB outputs per DS-CNN step (a 1×1 convolution: 0.99 ms into a fresh output vs 0.57 ms into a
 * reused one). `allocActivation` marks its arrays as recyclable; `backward({ releaseActivations: true })`
 * hands them back through `releaseActivation` once the graph is done with them, and the next step's
 * `allocActivation` of the same length reuses them while they are still mapped and warm.
 */

import { BufferPool } from "./buffer-pool.js";

/** Below this many elements V8's own zeroed allocation is as cheap (and avoids a Buffer object). */
const MIN_UNINIT_LENGTH = 16384;

/** A Float32Array of n elements with unspecified contents; the caller must write every element. */
export function allocUninit(n: number): Float32Array {
  if (n < MIN_UNINIT_LENGTH) return new Float32Array(n);
  const b = Buffer.allocUnsafeSlow(n * 4);
  return new Float32Array(b.buffer, b.byteOffset, n);
}

/**
 * Idle activation memory kept at most (256 MB), 64 idle arrays per length. A step's activations often share
 * one length (every layer of the DS-CNN: 100×25×5×64 floats; a hardware-aware step has ~40 of them: conv, DAC,
 * ADC and batch-norm outputs). With 16 per length the rest were allocated afresh every step, and that external
 * memory set off a major GC per step: 62 instead of 3 in 60 HWA DS-CNN steps, 53 instead of ~38 ms a step
 * (2026-11-29).
 */
const pool = new BufferPool(256 * 1024 * 1024, 64);

/** Like allocUninit (contents unspecified), for op outputs that `releaseActivation` may later recycle. */
export function allocActivation(n: number): Float32Array {
  if (n < MIN_UNINIT_LENGTH) return new Float32Array(n);
  const out = pool.take(n) ?? allocUninit(n);
  pool.own(out);
  return out;
}

/**
 * Returns an array from allocActivation for reuse; true when it was taken (false for any other array, or
 * when it was already released). The caller guarantees nothing reads it any more.
 */
export function releaseActivation(buf: Float32Array): boolean {
  return pool.give(buf);
}
