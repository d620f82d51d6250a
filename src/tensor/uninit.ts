/**
 * Uninitialised float32 storage for op outputs that are written in full (backend kernel outputs, which the
 * kernel contract says are overwritten). `new Float32Array(n)` zero-fills through calloc, and for the large
 * activations of a training step the OS then maps and zeroes fresh pages on first touch; malloc'd storage
 * (Node's `Buffer.allocUnsafeSlow`) reuses freed heap memory. Measured on the 2-core dev machine
 * (2026-11-28): six 8 MB outputs allocated and written 10.8 ms zeroed vs 2.2 ms uninitialised (a reused
 * array: 0.9 ms). Never use this for a buffer that is read or accumulated into before every element is set.
 */

/** Below this many elements V8's own zeroed allocation is as cheap (and avoids a Buffer object). */
const MIN_UNINIT_LENGTH = 16384;

/** A Float32Array of n elements with unspecified contents; the caller must write every element. */
export function allocUninit(n: number): Float32Array {
  if (n < MIN_UNINIT_LENGTH) return new Float32Array(n);
  const b = Buffer.allocUnsafeSlow(n * 4);
  return new Float32Array(b.buffer, b.byteOffset, n);
}
