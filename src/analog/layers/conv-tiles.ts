/**
 * The tile matrices of an analog convolution, in aihwkit's column order (c, ki, kj), and how the groups of a
 * grouped convolution (a depthwise one: one group per channel) are laid onto crossbars. Each group has its
 * own inputs, so two groups can never share a crossbar row; aihwkit 1.1.0 maps only groups = 1 (SPEC §10.3)
 * and has no rule for them. Kirchhoff offers two (`mapping.groupedConvTiles`):
 * - `perGroup` (default): every group is its own tile array [C_out/G, C_in/G·kh·kw] with its own periphery
 *   (NM, BM, ADC, drift compensation): one 9-input array per depthwise 3×3 channel.
 * - `blockDiagonal`: as a chip packs them, d groups per tile on the diagonal of a [d·C_out/G, d·C_in/G·kh·kw]
 *   matrix. The other devices are programmed to zero weight, so they still carry programming noise, drift
 *   and read noise into every output; the tile's input vector spans its d groups, so they share one noise /
 *   bound management scale and one drift compensation. The groups take the fewest tiles that hold them,
 *   ⌈G / fit⌉ (fit: the groups one tile's maxInputSize × maxOutputSize holds), spread evenly: d = ⌈G / tiles⌉
 *   per tile, so the last tile may have unused block slots (64 depthwise 3×3 channels on 256×256 tiles: fit
 *   28, 3 tiles of 22 slots, 2 unused). An unused slot's rows get no input (0 V) and its columns are not
 *   read, so it changes no output. One group too large for a tile stays per group. The architecture search
 *   counts tiles the same way (nas `countTiles`).
 */
import type { MappingParameters } from "../config/analog-config.js";

/** A convolution's shape as its tiles see it (weights OHWI [outChannels, kH, kW, inChannels/groups]). */
export interface ConvTileShape {
  inChannels: number;
  outChannels: number;
  groups: number;
  kH: number;
  kW: number;
}

/** How a convolution's groups lie on tile arrays: `perTile` group slots in each of `arrays` arrays. */
export interface GroupPacking {
  /** Group slots per tile array (d): 1 for perGroup. */
  perTile: number;
  /** Tile arrays: G for perGroup, else ⌈G / fit⌉; arrays · perTile − G slots (all in the last) are unused. */
  arrays: number;
}

/** The packing of the groups of s onto tile arrays (see the header). */
export function groupPacking(
  mode: MappingParameters["groupedConvTiles"],
  s: ConvTileShape,
  maxInputSize: number | null,
  maxOutputSize: number | null,
): GroupPacking {
  const G = s.groups;
  if (mode === "perGroup" || G === 1) return { perTile: 1, arrays: G };
  const rows = (s.inChannels / G) * s.kH * s.kW;
  const cols = s.outChannels / G;
  const fit = Math.min(
    G,
    maxInputSize === null ? G : Math.floor(maxInputSize / rows),
    maxOutputSize === null ? G : Math.floor(maxOutputSize / cols),
  );
  if (fit <= 1) return { perTile: 1, arrays: G };
  const arrays = Math.ceil(G / fit);
  return { perTile: Math.ceil(G / arrays), arrays };
}

/**
 * Tile array t's matrix [d·og, d·cg·kk] (row-major, columns (c, ki, kj) over its d·cg input channels) from
 * the OHWI weights w: groups t·d .. t·d + d − 1 on the diagonal, zeros elsewhere and in unused slots (those
 * past the last group); d = 1: group t's matrix.
 */
export function convTileMatrix(w: Float32Array, s: ConvTileShape, d: number, t: number): Float32Array {
  const { kH, kW } = s;
  const cg = s.inChannels / s.groups;
  const og = s.outChannels / s.groups;
  const kk = kH * kW;
  const cols = d * cg * kk;
  const out = new Float32Array(d * og * cols);
  for (let j = 0; j < d; j++) {
    const g = t * d + j;
    if (g >= s.groups) break; // an unused slot
    for (let o = 0; o < og; o++) {
      const src = (g * og + o) * kk * cg; // output channel g·og + o
      const dst = (j * og + o) * cols + j * cg * kk; // its row, at its group's columns
      for (let ki = 0; ki < kH; ki++) {
        for (let kj = 0; kj < kW; kj++) {
          const sk = src + (ki * kW + kj) * cg;
          const dk = dst + ki * kW + kj;
          for (let c = 0; c < cg; c++) out[dk + c * kk] = w[sk + c]!;
        }
      }
    }
  }
  return out;
}
