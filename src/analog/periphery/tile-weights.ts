/**
 * The weights a tile's periphery computes with, and the matrix products over "units" (input vectors, each
 * belonging to one of G equally shaped tiles) used by the MVM and its non-idealities.
 */
import { getBackend } from "../../core/index.js";

/** Tile weights as the periphery needs them: W [outSize, inSize] row-major, |W| computed lazily. */
export interface TileWeights {
  readonly w: Float32Array;
  readonly outSize: number;
  readonly inSize: number;
  /** |W|, needed only for PCM_READ weight noise and IR drop. */
  wAbs(): Float32Array;
}

/** Builds TileWeights over a matrix (|W| cached on first use; rebuild when the weights change). */
export function tileWeights(w: Float32Array, outSize: number, inSize: number): TileWeights {
  let abs: Float32Array | null = null;
  return {
    w,
    outSize,
    inSize,
    wAbs() {
      if (!abs) abs = w.map(Math.abs);
      return abs;
    },
  };
}

/**
 * out[r, :] = alpha · W_g · src[r, :] (or |W_g| when `abs`) for the n units (unit u uses tile g = u mod G).
 * All units in order (active null, src laid out [rows, G·K]) use one strided sgemm per tile; a subset (bound
 * management retries) uses one sgemm for a single tile, else per-unit dot products.
 */
export function unitsGemm(
  tws: readonly TileWeights[],
  abs: boolean,
  src: Float32Array,
  active: Int32Array | null,
  n: number,
  alpha: number,
  out: Float32Array,
): void {
  const G = tws.length;
  const { outSize: M, inSize: K } = tws[0]!;
  const be = getBackend();
  if (active === null || G === 1) {
    const rows = active === null ? n / G : n;
    for (let g = 0; g < G; g++) {
      const w = abs ? tws[g]!.wAbs() : tws[g]!.w;
      be.sgemm(false, true, rows, M, K, alpha, src, G * K, w, K, 0, out, G * M, g * K, 0, g * M);
    }
    return;
  }
  for (let r = 0; r < n; r++) {
    const w = abs ? tws[active[r]! % G]!.wAbs() : tws[active[r]! % G]!.w;
    for (let i = 0; i < M; i++) {
      let acc = 0;
      for (let j = 0; j < K; j++) acc += w[i * K + j]! * src[r * K + j]!;
      out[r * M + i] = alpha * acc;
    }
  }
}
