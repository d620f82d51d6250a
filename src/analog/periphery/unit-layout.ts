/**
 * Where the input vectors ("units") of a tile forward live in the caller's arrays, so that a tile reads its
 * input block straight from the layer's rows and adds its partial sums straight into the layer's output (no
 * block copies). Unit u = r·G + g (row r, tile g of G equally shaped tiles) reads x[xOff + r·ldx + g·K ..K]
 * and writes y[yOff + r·ldy + g·M ..M]. Also the finishing step of a pass (× fround(outScale/s) · post + bias)
 * for both the dense layout (finalizeRows) and in-place layouts (finishUnits).
 */
import { type Conv2dParams, finishOutput, getBackend } from "../../core/index.js";

export interface UnitLayout {
  /** First column of the unit's input: in x's rows, or (with `patches`) in its group's conv patch. */
  xOff: number;
  ldx: number;
  /** The inputs are a conv layer's patches, gathered on the fly from the NHWC input x (see PatchInput). */
  patches?: PatchInput | null;
  yOff: number;
  ldy: number;
  /** y += the tile output (partial sums over input blocks, added in block order) instead of y = output. */
  accumulate: boolean;
  /** Added to y after the accumulation (the digital bias of a multi-tile layer, with its last input block). */
  biasAfter: Float32Array | null;
}

/**
 * A conv input read in place instead of materialised patches: row r of a call is output pixel row0 + r, unit
 * (r, g) takes columns [xOff, xOff + K) of group (group0 + g)'s (c, ki, kj) patch (analogIm2col order).
 */
export interface PatchInput {
  conv: Conv2dParams;
  group0: number;
  row0: number;
}

/** The contiguous layout of forwardGroups: x [rows, G·K], y [rows, G·M], overwritten. */
export function denseLayout(G: number, K: number, M: number): UnitLayout {
  return { xOff: 0, ldx: G * K, yOff: 0, ldy: G * M, accumulate: false, biasAfter: null };
}

/** Offset of unit u's input vector in x (layouts without patches). */
export function unitInput(l: UnitLayout, u: number, G: number, K: number): number {
  const g = u % G;
  return l.xOff + ((u - g) / G) * l.ldx + g * K;
}

/** Copies unit u's K input values into out[o ..]: from x, or cut from its conv patch (backend analogIm2col). */
export function copyUnitInput(
  l: UnitLayout,
  x: Float32Array,
  u: number,
  G: number,
  K: number,
  out: Float32Array,
  o: number,
): void {
  const pi = l.patches;
  if (!pi) {
    const s = unitInput(l, u, G, K);
    out.set(x.subarray(s, s + K), o);
    return;
  }
  const g = u % G;
  const c = pi.conv;
  const patch = new Float32Array((c.inC / c.groups) * c.kH * c.kW);
  getBackend().analogIm2col(c, x, pi.group0 + g, 1, pi.row0 + (u - g) / G, 1, patch);
  out.set(patch.subarray(l.xOff, l.xOff + K), o);
}

/**
 * Finishes the n units `units[r]` whose row scale (fround(outScale / s), 0 for exact-zero vectors) is a
 * number — NaN marks a pending bound-management retry — exactly as the fused kernel's epilogue
 * (finishOutput of fround(src·f)).
 */
export function finishUnits(
  src: Float32Array,
  rowScale: Float32Array,
  n: number,
  M: number,
  G: number,
  post: Float32Array | null,
  bias: Float32Array | null,
  y: Float32Array,
  units: Int32Array,
  l: UnitLayout,
): void {
  for (let r = 0; r < n; r++) {
    const f = rowScale[r]!;
    if (Number.isNaN(f)) continue;
    const u = units[r]!;
    const g = u % G;
    const o = l.yOff + ((u - g) / G) * l.ldy + g * M;
    for (let i = 0; i < M; i++) {
      const prev = l.accumulate ? y[o + i]! : null;
      y[o + i] = finishOutput(
        Math.fround(src[r * M + i]! * f),
        g * M + i,
        post,
        bias,
        prev,
        l.biasAfter ?? null,
      );
    }
  }
}

/**
 * out[unit u] = src[row r] · rowScale_r · post[g, i] + bias[g, i] (g = u mod G) for every row whose rowScale
 * is a number (rows awaiting a bound-management retry have NaN). rowScale null means 1; out defaults to src.
 */
export function finalizeRows(
  src: Float32Array,
  rowScale: Float32Array | null,
  n: number,
  M: number,
  G: number,
  post: Float32Array | null,
  bias: Float32Array | null,
  out: Float32Array = src,
  rows: Int32Array | null = null,
): void {
  // the case split is hoisted out of the row loop so that each inner loop is a plain typed-array pass
  const mode = (post ? 1 : 0) | (bias ? 2 : 0);
  const p = post ?? src;
  const b = bias ?? src;
  for (let r = 0; r < n; r++) {
    const f = rowScale === null ? 1 : rowScale[r]!;
    if (Number.isNaN(f)) continue; // awaiting a bound-management retry
    const u = rows === null ? r : rows[r]!;
    const so = r * M;
    const oo = u * M;
    const po = G === 1 ? 0 : (u % G) * M;
    if (mode === 3)
      for (let i = 0; i < M; i++)
        out[oo + i] = Math.fround(Math.fround(src[so + i]! * f) * p[po + i]!) + b[po + i]!;
    else if (mode === 1) for (let i = 0; i < M; i++) out[oo + i] = Math.fround(src[so + i]! * f) * p[po + i]!;
    else if (mode === 2) for (let i = 0; i < M; i++) out[oo + i] = Math.fround(src[so + i]! * f) + b[po + i]!;
    else if (f !== 1 || out !== src) for (let i = 0; i < M; i++) out[oo + i] = src[so + i]! * f;
  }
}
