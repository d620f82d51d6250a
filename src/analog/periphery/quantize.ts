/**
 * DAC/ADC quantisation as in aihwkit's C++ tile (SPEC 7.1): q(v) = rint(v/step)·step in float32 with round
 * half to EVEN (C `rintf`), applied before clipping.
 */

/** 1.5·2^52: adding then subtracting it rounds a double to an integer, ties to even (IEEE default mode). */
export const RINT_MAGIC = 6755399441055744;
/** Beyond 2^51 every double is already an integer (and the magic trick would be inexact). */
export const RINT_LIMIT = 2251799813685248;

/** Round half to even (C `rint`), for any finite double. */
export function rint(x: number): number {
  return x < RINT_LIMIT && x > -RINT_LIMIT ? x + RINT_MAGIC - RINT_MAGIC : x;
}

/** float32 quantisation of one value to `step` (step 0 = no quantisation). */
export function quantize(v: number, step: number): number {
  if (step === 0) return v;
  return Math.fround(rint(Math.fround(v / step)) * step);
}
