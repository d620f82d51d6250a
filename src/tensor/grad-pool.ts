/**
 * Recycling of backward-pass gradient buffers. Fresh large Float32Arrays are costly (the OS maps and zeroes
 * new pages on first touch: measured ~2–6 ms per 2 MB on the shared 2-core machine vs ~0.05 ms to clear a
 * reused one), and a training step allocates the same gradient sizes every iteration.
 *
 * Only the autograd engine releases buffers, and only those created by `gradAlloc` inside backward
 * functions once no gradient slot refers to them any more; a buffer handed out as a leaf's `.grad` is
 * never recycled. Backward functions must therefore not keep the gradient arrays they receive.
 */

import { allocUninit } from "./uninit.js";

/** Buffers below this many elements (64 KB) are cheap to allocate and are not pooled. */
const MIN_POOLED_LENGTH = 16384;
/** Upper bound on idle pooled memory, in bytes. */
const MAX_POOLED_BYTES = 256 * 1024 * 1024;
/** Idle buffers kept per length. */
const MAX_PER_LENGTH = 8;

const free = new Map<number, Float32Array[]>();
let pooledBytes = 0;
let enabled = true;
const recyclable = new WeakSet<Float32Array>();

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
  const list = free.get(n);
  const buf = list?.pop();
  if (buf) {
    pooledBytes -= buf.byteLength;
    buf.fill(0);
  }
  const out = buf ?? new Float32Array(n);
  recyclable.add(out);
  return out;
}

/**
 * Like gradAlloc but a recycled buffer keeps its old contents: for callers that overwrite every element
 * (backend kernels documented as "overwrites", elementwise backward loops). Saves a full pass over memory.
 */
export function gradAllocUninit(n: number): Float32Array {
  if (n < MIN_POOLED_LENGTH || !enabled) return new Float32Array(n);
  const buf = free.get(n)?.pop();
  if (buf) pooledBytes -= buf.byteLength;
  const out = buf ?? allocUninit(n);
  recyclable.add(out);
  return out;
}

/** True when `buf` came from gradAlloc / gradAllocUninit and may be returned to the pool by the engine. */
export function isRecyclable(buf: Float32Array): boolean {
  return recyclable.has(buf);
}

/** Takes `buf` out of recycling for good (it becomes a leaf's .grad). */
export function keepForever(buf: Float32Array): void {
  recyclable.delete(buf);
}

/**
 * Returns a dead gradient buffer to the pool: the engine for slots nobody refers to any more, or an op for a
 * temporary it allocated with gradAlloc and did not return. Arrays not from gradAlloc are ignored.
 */
export function recycle(buf: Float32Array): void {
  if (!recyclable.delete(buf)) return;
  if (pooledBytes + buf.byteLength > MAX_POOLED_BYTES) return;
  let list = free.get(buf.length);
  if (!list) {
    list = [];
    free.set(buf.length, list);
  }
  if (list.length >= MAX_PER_LENGTH) return;
  list.push(buf);
  pooledBytes += buf.byteLength;
}

/** Drops every idle pooled buffer (e.g. between training runs of different shapes). */
export function clearGradPool(): void {
  free.clear();
  pooledBytes = 0;
}
