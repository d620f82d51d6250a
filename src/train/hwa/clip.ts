/**
 * Weight constraints applied after each optimiser step in HWA training (aihwkit WeightClipper and
 * WeightRemapper, SPEC §5.4), in place on `[out, fanIn]` row-major weights.
 */
import type { ClipConfig } from "./config.js";
import { forEachTile, type TileGrid } from "./tiles.js";

/** Clip bound of a layer: fixedValue, or sigma·std(W) (unbiased) capped at fixedValue when that is > 0. */
export function clipBound(w: Float32Array, cfg: ClipConfig): number {
  if (cfg.type === "none") return Number.POSITIVE_INFINITY;
  if (cfg.type === "fixed") return cfg.fixedValue;
  let mean = 0;
  for (const v of w) mean += v;
  mean /= w.length;
  let ss = 0;
  for (const v of w) ss += (v - mean) * (v - mean);
  const std = Math.sqrt(ss / Math.max(1, w.length - 1));
  const c = cfg.sigma * std;
  return cfg.fixedValue > 0 ? Math.min(c, cfg.fixedValue) : c;
}

/** Clamps w to ±clipBound(w, cfg) in place; returns the bound used. */
export function clipWeights(w: Float32Array, cfg: ClipConfig): number {
  const c = clipBound(w, cfg);
  if (!Number.isFinite(c)) return c;
  for (let i = 0; i < w.length; i++) {
    const v = w[i]!;
    if (v > c) w[i] = c;
    else if (v < -c) w[i] = -c;
  }
  return c;
}

/**
 * Per-tile symmetric remapping (aihwkit LAYERWISE_SYMMETRIC applied per tile, remapped_wmax = 1):
 * a_t = max|W_tile|; scales[t] *= a_t; W_tile /= a_t. The effective weights scales[t]·W are unchanged.
 */
export function remapTiles(w: Float32Array, grid: TileGrid, scales: Float32Array): void {
  const fanIn = grid.fanIn;
  forEachTile(grid, (t, r0, r1, c0, c1) => {
    let m = 0;
    for (let r = r0; r < r1; r++)
      for (let i = r * fanIn + c0, e = r * fanIn + c1; i < e; i++) m = Math.max(m, Math.abs(w[i]!));
    if (m === 0) return;
    scales[t] = scales[t]! * m;
    const inv = 1 / m;
    for (let r = r0; r < r1; r++)
      for (let i = r * fanIn + c0, e = r * fanIn + c1; i < e; i++) w[i] = w[i]! * inv;
  });
}

/** Effective weights scales[t]·W per tile (a new array). */
export function applyTileScales(w: Float32Array, grid: TileGrid, scales: Float32Array): Float32Array {
  const out = w.slice();
  const fanIn = grid.fanIn;
  forEachTile(grid, (t, r0, r1, c0, c1) => {
    const s = scales[t]!;
    if (s === 1) return;
    for (let r = r0; r < r1; r++)
      for (let i = r * fanIn + c0, e = r * fanIn + c1; i < e; i++) out[i] = w[i]! * s;
  });
  return out;
}
