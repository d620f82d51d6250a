/**
 * Where the input vectors ("units") of a tile forward live in the caller's arrays, so that a tile reads its
 * input block straight from the layer's rows and adds its partial sums straight into the layer's output (no
 * block copies). Unit u = r·G + g (row r, tile g of G equally shaped tiles) reads x[xOff + r·ldx + g·K ..K]
 * and writes y[yOff + r·ldy + g·M ..M]. Also the finishing step of a pass (× fround(outScale/s) · post + bias)
 * for both the dense layout (finalizeRows) and in-place layouts (finishUnits).
 */
export interface UnitLayout {
  xOff: number;
  ldx: number;
  yOff: number;
  ldy: number;
  /** y += the tile output (partial sums over input blocks, added in block order) instead of y = output. */
  accumulate: boolean;
  /** Added to y after the accumulation (the digital bias of a multi-tile layer, with its last input block). */
  biasAfter: Float32Array | null;
}

/** The contiguous layout of forwardGroups: x [rows, G·K], y [rows, G·M], overwritten. */
export function denseLayout(G: number, K: number, M: number): UnitLayout {
  return { xOff: 0, ldx: G * K, yOff: 0, ldy: G * M, accumulate: false, biasAfter: null };
}

/** Offset of unit u's input vector in x. */
export function unitInput(l: UnitLayout, u: number, G: number, K: number): number {
  const g = u % G;
  return l.xOff + ((u - g) / G) * l.ldx + g * K;
}

/**
 * Finishes the n units `units[r]` whose row scale (fround(outScale / s), 0 for exact-zero vectors) is a
 * number — NaN marks a pending bound-management retry — exactly as the fused kernel's epilogue:
 * out = fround(src·f)·post + bias, y = accumulate ? y + out : out, then y += biasAfter (all float32).
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
      const t = Math.fround(src[r * M + i]! * f);
      const j = g * M + i;
      let val = t;
      if (post && bias) val = Math.fround(t * post[j]! + bias[j]!);
      else if (post) val = Math.fround(t * post[j]!);
      else if (bias) val = Math.fround(t + bias[j]!);
      let out = l.accumulate ? Math.fround(y[o + i]! + val) : val;
      if (l.biasAfter) out = Math.fround(out + l.biasAfter[j]!);
      y[o + i] = out;
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
      for (let i = 0; i < M; i++) out[oo + i] = Math.fround(src[so + i]! * f) * p[po + i]! + b[po + i]!;
    else if (mode === 1) for (let i = 0; i < M; i++) out[oo + i] = Math.fround(src[so + i]! * f) * p[po + i]!;
    else if (mode === 2) for (let i = 0; i < M; i++) out[oo + i] = Math.fround(src[so + i]! * f) + b[po + i]!;
    else if (f !== 1 || out !== src) for (let i = 0; i < M; i++) out[oo + i] = src[so + i]! * f;
  }
}
