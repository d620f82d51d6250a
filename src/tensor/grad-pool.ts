/**
 * Recycling of backward-pass gradient buffers. Fresh large Float32Arrays are costly (the OS maps and zeroes
 * new pages on first touch: measured ~2–6 ms per 2 MB on the shared 2-core machine vs ~0.05 ms to clear a
 * reused one), and a training step allocates the same gradient sizes every iteration.
 *
 * Only the autograd engine releases buffers, and only those created by `gradAlloc` inside backward
 * functions once no gradient slot refers to them any more; a buffer handed out as a leaf's `.grad` is
 * never recycled. Backward functions must therefore not keep the gradient arrays they receive.
 */

import { BufferPool } from "./buffer-pool.js";
import { allocUninit } from "./uninit.js";

/** Buffers below this many elements (64 KB) are cheap to allocate and are not pooled. */
const MIN_POOLED_LENGTH = 16384;
/** Idle gradient memory kept at most (256 MB), 8 idle buffers per length. */
const pool = new BufferPool(256 * 1024 * 1024, 8);
let enabled = true;

/**
 * Turns recycling on or off (on by default). Off, every gradient buffer is a fresh array: a debugging aid
 * when a custom op is suspected of keeping gradient arrays it was handed.
 */
export function setGradPooling(on: boolean): void {
  enabled = on;
  if (!on) clearGradPool();
}

/** A zero-filled gradient buffer of n elements, recycled when the engine knows it is dead. */
export function gradAlloc(n: number): Float32Array {
  if (n < MIN_POOLED_LENGTH || !enabled) return new Float32Array(n);
  const buf = pool.take(n);
  buf?.fill(0);
  const out = buf ?? new Float32Array(n);
  pool.own(out);
  return out;
}

/**
 * Like gradAlloc but a recycled buffer keeps its old contents: for callers that overwrite every element
 * (backend kernels documented as "overwrites", elementwise backward loops). Saves a full pass over memory.
 */
export function gradAllocUninit(n: number): Float32Array {
  if (n < MIN_POOLED_LENGTH || !enabled) return new Float32Array(n);
  const out = pool.take(n) ?? allocUninit(n);
  pool.own(out);
  return out;
}

/** True when `buf` came from gradAlloc / gradAllocUninit and may be returned to the pool by the engine. */
export function isRecyclable(buf: Float32Array): boolean {
  return pool.owns(buf);
}

/** Takes `buf` out of recycling for good (it becomes a leaf's .grad). */
export function keepForever(buf: Float32Array): void {
  pool.disown(buf);
}

/**
 * Returns a dead gradient buffer to the pool: the engine for slots nobody refers to any more, or an op for a
 * temporary it allocated with gradAlloc and did not return. Arrays not from gradAlloc are ignored.
 */
export function recycle(buf: Float32Array): void {
  pool.give(buf);
}

/** Drops every idle pooled buffer (e.g. between training runs of different shapes). */
export function clearGradPool(): void {
  pool.clear();
}
