/**
 * Weight scaling / remapping onto a tile (aihwkit `apply_weight_scaling`, periphery.py lines 436-496,
 * SPEC 7.3): W_tile = W / s with s = max|W|/ω layerwise, or s_i = max_j|W_ij|/ω per output row
 * ("columnwise" in aihwkit's words); zero scales are replaced by 1. ω = 0 disables scaling (s = 1).
 */

/** Returns the per-output mapping scales s_i (length outSize) and writes W_tile into `out`. */
export function applyWeightScaling(
  w: Float32Array,
  outSize: number,
  inSize: number,
  omega: number,
  columnwise: boolean,
  out: Float32Array,
): Float32Array {
  const scales = new Float32Array(outSize).fill(1);
  if (omega > 0) {
    let layerMax = 0;
    for (let i = 0; i < outSize; i++) {
      let m = 0;
      for (let j = 0; j < inSize; j++) m = Math.max(m, Math.abs(w[i * inSize + j]!));
      scales[i] = m / omega;
      layerMax = Math.max(layerMax, m);
    }
    if (!columnwise) scales.fill(layerMax / omega);
    for (let i = 0; i < outSize; i++) if (scales[i] === 0) scales[i] = 1;
  }
  for (let i = 0; i < outSize; i++) {
    const s = scales[i]!;
    for (let j = 0; j < inSize; j++) out[i * inSize + j] = w[i * inSize + j]! / s;
  }
  return scales;
}

/** Near-equal split of `size` into ceil(size/max) pieces (aihwkit TileModuleArray, SPEC 10.2); null = no split. */
export function splitSizes(size: number, max: number | null): number[] {
  if (max === null || max <= 0 || size <= max) return [size];
  const n = Math.ceil(size / max);
  const base = Math.floor(size / n);
  const extra = size - base * n;
  return Array.from({ length: n }, (_, i) => base + (i < extra ? 1 : 0));
}
