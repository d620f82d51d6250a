/**
 * Counting parameters, MACs and crossbar tiles from a layer list.
 *
 * Tiles: an analog layer is the matrix [out, in·kh·kw] (weights of one output channel in one column), split
 * into ceil(rows/T)·ceil(out/T) tiles of T×T devices. A grouped (e.g. depthwise) convolution is G matrices
 * [out/G, (in/G)·kh·kw], each fed by its own inputs: they cannot share rows (a crossbar's columns all see the
 * same row inputs), so they are packed block-diagonally: k = min(⌊T/rows⌋, ⌊T/cols⌋) groups fit a tile, and
 * the G groups take ⌈G/k⌉ tiles (64 depthwise 3×3 channels: k = 28, 3 tiles). Biases are digital (periphery)
 * and need no rows.
 */
import { groupPacking } from "../../analog/index.js";
import type { LayerSpec, NetworkCounts } from "./types.js";

/** Conv output size for "same"-style padding p: floor((n + 2p − k)/s) + 1. */
export function convOut(n: number, kernel: number, stride: number, pad: number): number {
  return Math.floor((n + 2 * pad - kernel) / stride) + 1;
}

export function countLayers(layers: readonly LayerSpec[]): NetworkCounts {
  let params = 0;
  let bnStats = 0;
  let macs = 0;
  let analogLayers = 0;
  for (const l of layers) {
    if (l.kind === "conv") {
      const w = l.outChannels * (l.inChannels / l.groups) * l.kernelH * l.kernelW;
      params += w + (l.bias ? l.outChannels : 0);
      macs += w * l.outH * l.outW;
      analogLayers++;
    } else if (l.kind === "linear") {
      params += l.inFeatures * l.outFeatures + (l.bias ? l.outFeatures : 0);
      macs += l.inFeatures * l.outFeatures;
      analogLayers++;
    } else {
      params += 2 * l.channels;
      bnStats += 2 * l.channels;
    }
  }
  return { params, paramsWithBnStats: params + bnStats, macs, analogLayers };
}

/**
 * Tiles of a conv layer: each group's [out/G, (in/G)·kh·kw] matrix split into tiles, or several groups per
 * block-diagonal tile, exactly as the simulator's `blockDiagonal` mapping lays them (analog `groupPacking`).
 */
function convTiles(l: LayerSpec & { kind: "conv" }, tileSize: number): number {
  const shape = { ...l, kH: l.kernelH, kW: l.kernelW };
  const { perTile, arrays } = groupPacking("blockDiagonal", shape, tileSize, tileSize);
  const rows = (l.inChannels / l.groups) * l.kernelH * l.kernelW * perTile;
  const cols = (l.outChannels / l.groups) * perTile;
  return arrays * Math.ceil(rows / tileSize) * Math.ceil(cols / tileSize);
}

/** Tiles of tileSize×tileSize that every analog layer needs (no sharing of tiles between layers). */
export function countTiles(layers: readonly LayerSpec[], tileSize = 256): number {
  let tiles = 0;
  for (const l of layers) {
    if (l.kind === "conv") tiles += convTiles(l, tileSize);
    else if (l.kind === "linear") {
      tiles += Math.ceil(l.inFeatures / tileSize) * Math.ceil(l.outFeatures / tileSize);
    }
  }
  return tiles;
}

/**
 * Conv LayerSpec on an inH×inW map, padding floor(k/2) per side unless `pad` is given (PyTorch), or
 * TensorFlow "same" (`tfSame`: output = ceil(in/stride)).
 */
export function conv(
  name: string,
  inChannels: number,
  outChannels: number,
  kernel: number | [number, number],
  stride: number | [number, number],
  inH: number,
  inW: number,
  opts: { groups?: number; bias?: boolean; pad?: [number, number]; tfSame?: boolean } = {},
): LayerSpec & { kind: "conv" } {
  const [kh, kw] = typeof kernel === "number" ? [kernel, kernel] : kernel;
  const [ph, pw] = opts.pad ?? [Math.floor(kh / 2), Math.floor(kw / 2)];
  const [sh, sw] = typeof stride === "number" ? [stride, stride] : stride;
  // TensorFlow "same" padding: output = ceil(input / stride) whatever the kernel.
  const outH = opts.tfSame ? Math.ceil(inH / sh) : convOut(inH, kh, sh, ph);
  const outW = opts.tfSame ? Math.ceil(inW / sw) : convOut(inW, kw, sw, pw);
  return {
    kind: "conv",
    name,
    inChannels,
    outChannels,
    kernelH: kh,
    kernelW: kw,
    stride: [sh, sw],
    groups: opts.groups ?? 1,
    bias: opts.bias ?? false,
    outH,
    outW,
  };
}
