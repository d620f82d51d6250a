/**
 * Analog 2-D convolution (aihwkit AnalogConv2d, SPEC 10.3) on Kirchhoff's channels-last tensors.
 *
 * Layout mapping: Kirchhoff activations are NHWC and weights OHWI `[C_out, kH, kW, C_in/groups]`; aihwkit's
 * tile matrix is `[C_out, C_in·kH·kW]` with columns in PyTorch order (c, ki, kj). The weights are permuted
 * into that order when mapped to tiles (tile[o, c·kH·kW + ki·kW + kj] = w[o, ki, kj, c]) and every output
 * pixel's patch is gathered in the same order, so tiling splits, per-tile scales and IR-drop positions match
 * aihwkit. Each patch is one input vector with its own noise and bound management.
 *
 * Grouped convolutions (aihwkit supports only groups = 1) map every group to its own tile array
 * `[C_out/groups, C_in/groups·kH·kW]` (a depthwise convolution is one small array per channel), or pack them
 * block-diagonally, several groups per tile (`mapping.groupedConvTiles`, conv-tiles.ts). Either way the layer's
 * parameters keep the digital layer's shapes; only the tiles differ.
 */
import { type Conv2dParams, getBackend, type Rng, shapeError } from "../../core/index.js";
import { type Conv2d, torchDefaultInit } from "../../nn/index.js";
import { allocUninit, conv2d, conv2dGeometry, type Tensor, tensor, zeros } from "../../tensor/index.js";
import type { AnalogConfig } from "../config/analog-config.js";
import { AnalogTileArray } from "../tile/tile-array.js";
import type { MappedWeight } from "./analog-layer.js";
import { AnalogWeightLayer } from "./analog-weight-layer.js";
import { type ConvTileShape, convTileMatrix, groupPacking } from "./conv-tiles.js";

export interface AnalogConv2dOptions {
  rng: Rng;
  stride?: readonly [number, number];
  padding?: number | readonly [number, number] | "same" | "valid";
  dilation?: readonly [number, number];
  groups?: number;
  bias?: boolean;
  /** Remembered so that toDigital can rebuild a DepthwiseConv2d. */
  depthMultiplier?: number;
}

export class AnalogConv2d extends AnalogWeightLayer {
  readonly kernelSize: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: number | readonly [number, number] | "same" | "valid";
  readonly dilation: readonly [number, number];
  readonly groups: number;
  readonly hasBias: boolean;
  readonly depthMultiplier: number | null;
  /** Group slots per tile array (conv-tiles.ts: 1 unless `mapping.groupedConvTiles` packs them block-diagonally). */
  readonly groupsPerTile: number;
  /** Tile arrays: ⌈groups / groupsPerTile⌉ (conv-tiles.ts). */
  readonly tileGroups: number;
  /** One tile array per groupsPerTile groups, each `[d·C_out/groups, d·C_in/groups·kH·kW]` (d = groupsPerTile). */
  readonly arrays: AnalogTileArray[];
  private readonly mapped: MappedWeight[];

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: readonly [number, number],
    config: AnalogConfig,
    opts: AnalogConv2dOptions,
  ) {
    super(config, opts.rng);
    this.kernelSize = [kernelSize[0], kernelSize[1]];
    this.stride = opts.stride ?? [1, 1];
    this.padding = opts.padding ?? 0;
    this.dilation = opts.dilation ?? [1, 1];
    this.groups = opts.groups ?? 1;
    this.hasBias = opts.bias ?? true;
    this.depthMultiplier = opts.depthMultiplier ?? null;
    const [kH, kW] = this.kernelSize;
    const cg = inChannels / this.groups;
    const og = outChannels / this.groups;
    if (!(Number.isInteger(cg) && Number.isInteger(og))) {
      throw shapeError("AnalogConv2d", "channels divisible by groups (in, out)", this.groups, [
        inChannels,
        outChannels,
      ]);
    }
    const w = this.registerParameter("weight", zeros([outChannels, kH, kW, cg]));
    const b = this.hasBias ? this.registerParameter("bias", zeros([outChannels])) : null;
    torchDefaultInit(w, b, opts.rng.fork("init"));
    const m = config.mapping;
    const packing = groupPacking(m.groupedConvTiles, this.tileShape(), m.maxInputSize, m.maxOutputSize);
    this.groupsPerTile = packing.perTile;
    this.tileGroups = packing.arrays;
    const d = this.groupsPerTile;
    this.arrays = Array.from(
      { length: this.tileGroups },
      () => new AnalogTileArray(d * og, d * cg * kH * kW, config),
    );
    this.mapped = this.arrays.map((array, g) => ({ array, read: () => this.tileMatrix(g) }));
    this.syncTiles();
  }

  /** Converts a trained digital Conv2d or DepthwiseConv2d (weights copied). */
  static fromDigital(layer: Conv2d, config: AnalogConfig, rng: Rng): AnalogConv2d {
    const mult = (layer as Conv2d & { depthMultiplier?: number }).depthMultiplier;
    const a = new AnalogConv2d(layer.inChannels, layer.outChannels, layer.kernelSize, config, {
      rng,
      stride: layer.stride,
      padding: layer.padding,
      dilation: layer.dilation,
      groups: layer.groups,
      bias: layer.hasBias,
      depthMultiplier: mult,
    });
    a.copyDigital(layer);
    return a;
  }

  mappedWeights(): MappedWeight[] {
    return this.mapped;
  }

  /**
   * Group slots of all tile arrays (tileGroups · groupsPerTile): more than `groups` when the last array has
   * unused slots, which the forward feeds zero input channels and whose outputs it drops.
   */
  private get slots(): number {
    return this.tileGroups * this.groupsPerTile;
  }

  /** The bias of output slots [o0, o0 + n): zero in unused slots; null without a bias. */
  private slotBias(o0: number, n: number): Float32Array | null {
    if (!this.bias) return null;
    const b = new Float32Array(n);
    b.set(this.bias.data.subarray(o0, Math.min(o0 + n, this.outChannels)));
    return b;
  }

  /** Tile array t's matrix in aihwkit order (conv-tiles.ts) and its bias slice. */
  private tileMatrix(t: number): { w: Float32Array; bias: Float32Array | null } {
    const w = convTileMatrix(this.weight.data, this.tileShape(), this.groupsPerTile, t);
    const n = this.arrays[t]!.outSize;
    return { w, bias: this.slotBias(t * n, n) };
  }

  private tileShape(): ConvTileShape {
    const [kH, kW] = this.kernelSize;
    return { inChannels: this.inChannels, outChannels: this.outChannels, groups: this.groups, kH, kW };
  }

  /**
   * The geometry of the tiles' input vectors: the convolution with its group slots merged per tile array, on
   * an input of slots · C_in/groups channels (slotInput).
   */
  private geometry(x: Tensor): Conv2dParams {
    const [kH, kW] = this.kernelSize;
    const [cg, og] = [this.inChannels / this.groups, this.outChannels / this.groups];
    const w = [og * this.slots, kH, kW, cg * this.groupsPerTile];
    return conv2dGeometry(x.shape, w, { ...this.convOptions(), groups: this.tileGroups });
  }

  /** x with zero channels appended for the unused group slots (x itself when every slot holds a group). */
  private slotInput(x: Tensor): Tensor {
    if (this.slots === this.groups) return x;
    const C = this.inChannels;
    const Cs = (C / this.groups) * this.slots;
    const pixels = x.size / C;
    const out = new Float32Array(pixels * Cs);
    for (let i = 0; i < pixels; i++) out.set(x.data.subarray(i * C, (i + 1) * C), i * Cs);
    return tensor(out, [...x.shape.slice(0, -1), Cs]);
  }

  /** The layer's outputs of y [rows, p.outC] (the unused slots' columns dropped). */
  private slotOutput(y: Float32Array, rows: number, p: Conv2dParams): Float32Array {
    const O = this.outChannels;
    if (p.outC === O) return y;
    const out = allocUninit(rows * O);
    for (let r = 0; r < rows; r++) out.set(y.subarray(r * p.outC, r * p.outC + O), r * O);
    return out;
  }

  private convOptions() {
    const p = this.padding;
    return {
      stride: [this.stride[0], this.stride[1]] as [number, number],
      padding: typeof p === "object" ? ([p[0], p[1]] as [number, number]) : p,
      dilation: [this.dilation[0], this.dilation[1]] as [number, number],
      groups: this.groups,
    };
  }

  /**
   * Patches of groups g0..g0+ng−1: [nRows, ng·cg·kH·kW], each group's block in (c, ki, kj) order
   * (aihwkit's unfold order), zero outside the image — the backend's analogIm2col kernel.
   */
  private im2col(
    x: Float32Array,
    p: Conv2dParams,
    g0: number,
    ng: number,
    out: Float32Array,
    row0: number,
    nRows: number,
  ): void {
    getBackend().analogIm2col(p, x, g0, ng, row0, nRows, out);
  }

  /** x: `[N, H, W, inChannels]` → `[N, outH, outW, outChannels]`. */
  forward(x: Tensor): Tensor {
    if (!this.useTiles()) return conv2d(x, this.weight, this.bias ?? undefined, this.convOptions());
    const xs = this.slotInput(x);
    const p = this.geometry(xs);
    const rows = p.n * p.outH * p.outW;
    const ys =
      this.tileGroups > 1 && this.canFuseGroups()
        ? this.groupedForward(xs.data, p, rows)
        : this.perGroupForward(xs.data, p, rows);
    const y = this.slotOutput(ys, rows, p);
    const shape = [p.n, p.outH, p.outW, this.outChannels];
    if (!this.training) return tensor(y, shape);
    return this.straightThrough(conv2d(x, this.weight, this.bias ?? undefined, this.convOptions()), y);
  }

  /** Groups run as one batched periphery call when each group is a single tile without input range. */
  private canFuseGroups(): boolean {
    return this.arrays.every(
      (a) => a.tiles.length === 1 && a.inSizes.length === 1 && a.tiles[0]![0]!.inputRange === null,
    );
  }

  /**
   * Patch floats per chunk (4 MiB of patches): large enough that each sgemm / periphery kernel call has
   * thousands of rows to split over threads, small enough to bound the scratch memory of wide layers.
   */
  static chunkFloats = 1 << 20;

  /**
   * Output pixels per chunk of im2col → DAC → MVM → ADC. When the tiles gather their patches themselves
   * nothing of that size is allocated (only per-pixel NM / retry state), so chunks are 4× larger: fewer
   * kernel calls, each ending in a thread barrier.
   */
  private chunkRows(K: number, gather: boolean): number {
    return Math.max(16, Math.floor((AnalogConv2d.chunkFloats * (gather ? 4 : 1)) / K));
  }

  /** Patch scratch reused across chunks and forwards (grown on demand, never shrunk). */
  private patchBuf = new Float32Array(0);

  private patches(n: number): Float32Array {
    if (this.patchBuf.length < n) this.patchBuf = new Float32Array(n);
    return this.patchBuf;
  }

  /**
   * Group by group, chunk by chunk of output pixels. Tiles with the fused kernel gather their patches from x
   * themselves (in cache, no patch matrix); the others get the chunk's patches materialised by im2col.
   */
  private perGroupForward(x: Float32Array, p: Conv2dParams, rows: number): Float32Array {
    const og = p.outC / p.groups;
    const K = this.arrays[0]!.inSize;
    const gather = this.arrays.every((a) => a.fusedInput);
    const chunk = this.chunkRows(K, gather);
    const y = allocUninit(rows * p.outC); // every element is written (tile outputs, or zeroed by multi-tile arrays)
    const patches = gather ? x : this.patches(Math.min(rows, chunk) * K);
    for (let g = 0; g < p.groups; g++) {
      for (let r0 = 0; r0 < rows; r0 += chunk) {
        const nr = Math.min(chunk, rows - r0);
        const source = gather ? { conv: p, group0: g, row0: r0 } : null;
        if (!gather) this.im2col(x, p, g, 1, patches, r0, nr);
        if (p.groups === 1) {
          this.runTiles(this.mapped[g]!, patches, nr, y.subarray(r0 * p.outC, (r0 + nr) * p.outC), source);
          continue;
        }
        const yg = this.runTiles(this.mapped[g]!, patches, nr, new Float32Array(nr * og), source);
        for (let r = 0; r < nr; r++) {
          const src = r * og;
          const dst = (r0 + r) * p.outC + g * og;
          for (let o = 0; o < og; o++) y[dst + o] = yg[src + o]!;
        }
      }
    }
    return y;
  }

  /** All groups at once: patches [rows, G·cg·kH·kW] (group-major), one grouped periphery pass per chunk. */
  private groupedForward(x: Float32Array, p: Conv2dParams, rows: number): Float32Array {
    if (!this.isProgrammed) this.syncTiles();
    const tiles = this.arrays.map((a) => a.tiles[0]![0]!);
    const og = p.outC / p.groups;
    const K = p.inC * p.kH * p.kW;
    const mvm = tiles[0]!.mvm;
    const chunk = this.chunkRows(K, mvm.fusable);
    const post = new Float32Array(p.outC);
    const bias = this.slotBias(0, p.outC);
    tiles.forEach((t, g) => {
      const f = t.postFactors(!this.training);
      if (f) post.set(f, g * og);
      else post.fill(1, g * og, (g + 1) * og);
    });
    const tws = tiles.map((t) => t.tileWeights);
    const y = allocUninit(rows * p.outC); // every element is written (tile outputs, or zeroed by multi-tile arrays)
    // the fused kernel takes the G tiles' weights as one array [G·og·K/G]
    const w = mvm.fusable ? new Float32Array(og * K) : null;
    if (w) for (let g = 0; g < p.groups; g++) w.set(tws[g]!.w, (g * og * K) / p.groups);
    const patches = w ? x : this.patches(Math.min(rows, chunk) * K);
    for (let r0 = 0; r0 < rows; r0 += chunk) {
      const nr = Math.min(chunk, rows - r0);
      if (w) {
        // the fused kernel gathers each pixel's G patches from x itself
        const layout = {
          xOff: 0,
          ldx: K,
          yOff: r0 * p.outC,
          ldy: p.outC,
          accumulate: false,
          biasAfter: null,
          patches: { conv: p, group0: 0, row0: r0 },
        };
        mvm.forwardTile(tws, w, x, layout, nr, y, this.forwardRng, post, bias);
        continue;
      }
      this.im2col(x, p, 0, p.groups, patches, r0, nr);
      const out = y.subarray(r0 * p.outC, (r0 + nr) * p.outC);
      mvm.forwardGroups(tws, patches, nr, out, this.forwardRng, post, bias);
    }
    return y;
  }

  override describe(): string {
    const [kH, kW] = this.kernelSize;
    return `AnalogConv2d(${this.inChannels}, ${this.outChannels}, k=${kH}x${kW}, stride=${this.stride.join(",")}, groups=${this.groups}, bias=${this.hasBias}, preset=${this.config.name}${this.tilesText()})`;
  }
}

/** Analog depthwise convolution: one small tile array per channel (`depthMultiplier` outputs each). */
export class AnalogDepthwiseConv2d extends AnalogConv2d {
  constructor(
    channels: number,
    kernelSize: readonly [number, number],
    config: AnalogConfig,
    opts: Omit<AnalogConv2dOptions, "groups"> & { depthMultiplier?: number },
  ) {
    const mult = opts.depthMultiplier ?? 1;
    super(channels, channels * mult, kernelSize, config, {
      ...opts,
      groups: channels,
      depthMultiplier: mult,
    });
  }
}
