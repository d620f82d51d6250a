/**
 * Tile geometry of a layer's weight matrix viewed as `[out, fanIn]` row-major (Linear `[out, in]`, Conv OHWI
 * `[out, kH·kW·inC/groups]`), split into near-equal tiles like aihwkit's TileModuleArray (SPEC 10.2), and the
 * per-tile weight statistics HWA training needs (abs-max, remapping).
 */
import { splitSizes } from "../../analog/index.js";

export interface TileGrid {
  out: number;
  fanIn: number;
  /** Row (output) ranges [start, end) of the tile rows. */
  rowRanges: [number, number][];
  /** Column (input) ranges [start, end) of the tile columns. */
  colRanges: [number, number][];
}

function ranges(sizes: number[]): [number, number][] {
  const out: [number, number][] = [];
  let s = 0;
  for (const n of sizes) {
    out.push([s, s + n]);
    s += n;
  }
  return out;
}

/**
 * Tiles of an `[out, fanIn]` matrix. With `groups` > 1 (grouped convolution) the rows are first cut into
 * `groups` equal bands, each then split by maxOutputSize: every group has its own tiles, as in AnalogConv2d.
 */
export function tileGrid(
  out: number,
  fanIn: number,
  maxInputSize: number | null,
  maxOutputSize: number | null,
  groups = 1,
): TileGrid {
  const rowSizes: number[] = [];
  for (let g = 0; g < groups; g++) rowSizes.push(...splitSizes(out / groups, maxOutputSize));
  return { out, fanIn, rowRanges: ranges(rowSizes), colRanges: ranges(splitSizes(fanIn, maxInputSize)) };
}

/** Number of tiles. */
export function tileCount(g: TileGrid): number {
  return g.rowRanges.length * g.colRanges.length;
}

/** Calls fn(tileIndex, r0, r1, c0, c1) for every tile, row-major over the tile grid. */
export function forEachTile(
  g: TileGrid,
  fn: (t: number, r0: number, r1: number, c0: number, c1: number) => void,
): void {
  let t = 0;
  for (const [r0, r1] of g.rowRanges) for (const [c0, c1] of g.colRanges) fn(t++, r0, r1, c0, c1);
}

/** max|W| of every tile (1 where a tile is all zeros, as aihwkit's modifier does). */
export function tileAbsMax(w: Float32Array, g: TileGrid): Float32Array {
  const amax = new Float32Array(tileCount(g));
  forEachTile(g, (t, r0, r1, c0, c1) => {
    let m = 0;
    for (let r = r0; r < r1; r++) {
      const base = r * g.fanIn;
      for (let c = c0; c < c1; c++) m = Math.max(m, Math.abs(w[base + c]!));
    }
    amax[t] = m > 0 ? m : 1;
  });
  return amax;
}

/** Largest tile abs-max of the layer. */
export function layerAbsMax(w: Float32Array, g: TileGrid): number {
  let m = 0;
  for (const v of tileAbsMax(w, g)) m = Math.max(m, v);
  return m;
}
