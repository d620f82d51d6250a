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
 *   bound management scale and one drift compensation. d is the largest divisor of G whose block fits the
 *   tile (maxInputSize × maxOutputSize), 1 (per group) when one group alone does not.
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

/** Groups per tile: 1 for perGroup, else the largest divisor d of G whose [d·og, d·cg·kk] block fits. */
export function groupsPerTile(
  mode: MappingParameters["groupedConvTiles"],
  s: ConvTileShape,
  maxInputSize: number | null,
  maxOutputSize: number | null,
): number {
  if (mode === "perGroup" || s.groups === 1) return 1;
  const rows = (s.inChannels / s.groups) * s.kH * s.kW;
  const cols = s.outChannels / s.groups;
  for (let d = s.groups; d > 1; d--) {
    if (s.groups % d !== 0) continue;
    if (
      (maxInputSize === null || d * rows <= maxInputSize) &&
      (maxOutputSize === null || d * cols <= maxOutputSize)
    )
      return d;
  }
  return 1;
}

/**
 * Tile array t's matrix [d·og, d·cg·kk] (row-major, columns (c, ki, kj) over its d·cg input channels) from
 * the OHWI weights w: groups t·d .. t·d + d − 1 on the diagonal, zeros elsewhere (d = 1: group t's matrix).
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
