/**
 * A layer-sized weight matrix [outSize, inSize] mapped onto a grid of independent tiles (aihwkit
 * `TileModuleArray`, SPEC 10.2): near-equal pieces along inputs and outputs (at most maxInputSize ×
 * maxOutputSize each), every tile with its own scaling, noise, alpha and periphery; partial sums over input
 * blocks are added in floating point; one digital bias is added at the end.
 */
import { configError, KirchhoffError, type Rng, shapeError } from "../../core/index.js";
import type { AnalogConfig } from "../config/analog-config.js";
import { NoiseModel } from "../device/noise-model.js";
import { AnalogMvm } from "../periphery/analog-mvm.js";
import type { PatchInput } from "../periphery/unit-layout.js";
import { AnalogTile } from "./tile.js";
import { splitSizes } from "./weight-scaling.js";

export class AnalogTileArray {
  readonly inSizes: number[];
  readonly outSizes: number[];
  /** tiles[o][i]: output block o, input block i. */
  readonly tiles: AnalogTile[][];
  /** Digital bias (length outSize) or null. */
  bias: Float32Array | null = null;
  /** Input-block scratch, one per input block, reused across forwards. */
  private readonly xBuf: Float32Array[];
  /** Partial-sum scratch of one tile's output block, reused across forwards. */
  private partBuf = new Float32Array(0);

  constructor(
    readonly outSize: number,
    readonly inSize: number,
    readonly config: AnalogConfig,
  ) {
    if (!(Number.isInteger(outSize) && outSize > 0 && Number.isInteger(inSize) && inSize > 0)) {
      throw configError("analog layer size [out, in]", "positive integers", [outSize, inSize]);
    }
    this.inSizes = splitSizes(inSize, config.mapping.maxInputSize);
    this.outSizes = splitSizes(outSize, config.mapping.maxOutputSize);
    const noise = new NoiseModel(config.noiseModel, config.converter);
    this.tiles = this.outSizes.map((mo) =>
      this.inSizes.map((ki) => new AnalogTile(mo, ki, config, noise, new AnalogMvm(config.forward))),
    );
    this.xBuf = this.inSizes.map(() => new Float32Array(0));
  }

  /** All tiles, output-block major. */
  allTiles(): AnalogTile[] {
    return this.tiles.flat();
  }

  /** Loads W [outSize, inSize] (row-major) and an optional bias [outSize]. */
  setWeights(w: Float32Array, bias: Float32Array | null = null): void {
    if (w.length !== this.outSize * this.inSize) {
      throw shapeError("AnalogTileArray.setWeights", "weight elements", this.outSize * this.inSize, w.length);
    }
    if (bias && bias.length !== this.outSize) {
      throw shapeError("AnalogTileArray.setWeights", "bias elements", this.outSize, bias.length);
    }
    this.bias = bias ? Float32Array.from(bias) : null;
    let o0 = 0;
    for (let o = 0; o < this.outSizes.length; o++) {
      const mo = this.outSizes[o]!;
      let i0 = 0;
      for (let i = 0; i < this.inSizes.length; i++) {
        const ki = this.inSizes[i]!;
        const block = new Float32Array(mo * ki);
        for (let r = 0; r < mo; r++)
          block.set(w.subarray((o0 + r) * this.inSize + i0, (o0 + r) * this.inSize + i0 + ki), r * ki);
        this.tiles[o]![i]!.setWeights(block);
        i0 += ki;
      }
      o0 += mo;
    }
  }

  /** Effective layer weights (tile weights × mapping scales), e.g. to convert back to a digital layer. */
  getWeights(current = false): Float32Array {
    const w = new Float32Array(this.outSize * this.inSize);
    let o0 = 0;
    for (let o = 0; o < this.outSizes.length; o++) {
      let i0 = 0;
      for (let i = 0; i < this.inSizes.length; i++) {
        const t = this.tiles[o]![i]!;
        const src = current ? t.weights : t.reference;
        for (let r = 0; r < t.outSize; r++) {
          for (let j = 0; j < t.inSize; j++)
            w[(o0 + r) * this.inSize + i0 + j] = src[r * t.inSize + j]! * t.mappingScales[r]!;
        }
        i0 += t.inSize;
      }
      o0 += this.outSizes[o]!;
    }
    return w;
  }

  /** Programs every tile (each from its own split of `rng`). */
  program(rng: Rng): void {
    for (const t of this.allTiles()) t.program(rng.split());
  }

  /** Drifts every tile to tInferenceSec after programming (each restarts from its programmed state). */
  drift(tInferenceSec: number, rng: Rng): void {
    for (const t of this.allTiles()) t.drift(tInferenceSec, rng.split());
  }

  /**
   * y[batch, outSize] = Σ_input-blocks tile(x block) + bias. With `patches` (requires fusedInput) the batch
   * rows are conv output pixels whose patches the tiles gather from the NHWC input x themselves.
   */
  forward(
    x: Float32Array,
    batch: number,
    y: Float32Array,
    rng: Rng,
    applyAlpha = true,
    patches: PatchInput | null = null,
  ): Float32Array {
    if (!patches && x.length < batch * this.inSize)
      throw shapeError("AnalogTileArray.forward", "input elements", batch * this.inSize, x.length);
    const single = this.tiles.length === 1 && this.inSizes.length === 1;
    if (single) return this.tiles[0]![0]!.forward(x, batch, y, rng, applyAlpha, this.bias, patches);
    if (this.fusedInput) return this.forwardInPlace(x, batch, y, rng, applyAlpha, patches);
    if (patches) throw new KirchhoffError("shape", "AnalogTileArray.forward: patches need fusedInput");
    const xs = this.inputBlocks(x, batch);
    const N = this.outSize;
    y.fill(0, 0, batch * N);
    let o0 = 0;
    for (let o = 0; o < this.outSizes.length; o++) {
      const mo = this.outSizes[o]!;
      if (this.partBuf.length < batch * mo) this.partBuf = new Float32Array(batch * mo);
      const part = this.partBuf;
      for (let i = 0; i < this.inSizes.length; i++) {
        this.tiles[o]![i]!.forward(xs[i]!, batch, part, rng, applyAlpha);
        if (mo === N) {
          // one output block: rows of part and y coincide, one flat pass
          for (let j = 0; j < batch * N; j++) y[j]! += part[j]!;
          continue;
        }
        for (let b = 0; b < batch; b++) {
          const dst = b * N + o0;
          const src = b * mo;
          for (let r = 0; r < mo; r++) y[dst + r]! += part[src + r]!;
        }
      }
      o0 += mo;
    }
    if (this.bias) {
      const bias = this.bias;
      for (let b = 0; b < batch; b++)
        for (let r = 0; r < this.outSize; r++) y[b * this.outSize + r]! += bias[r]!;
    }
    return y;
  }

  /** Whether every tile takes the fused kernel (forwardInPlace). */
  get fusedInput(): boolean {
    return this.allTiles().every((t) => t.fusedInput);
  }

  /**
   * forward by the fused tile kernel: each tile reads its input block in place from x and adds its partial
   * sums in place into y (input blocks in order, as forward); the bias is added right after the last block.
   */
  private forwardInPlace(
    x: Float32Array,
    batch: number,
    y: Float32Array,
    rng: Rng,
    applyAlpha: boolean,
    patches: PatchInput | null,
  ): Float32Array {
    const N = this.outSize;
    y.fill(0, 0, batch * N);
    const last = this.inSizes.length - 1;
    let o0 = 0;
    for (let o = 0; o < this.outSizes.length; o++) {
      const mo = this.outSizes[o]!;
      let i0 = 0;
      for (let i = 0; i <= last; i++) {
        const biasAfter = i === last && this.bias ? this.bias.subarray(o0, o0 + mo) : null;
        const layout = { xOff: i0, ldx: this.inSize, yOff: o0, ldy: N, accumulate: true, biasAfter, patches };
        this.tiles[o]![i]!.forwardInPlace(x, layout, batch, y, rng, applyAlpha);
        i0 += this.inSizes[i]!;
      }
      o0 += mo;
    }
    return y;
  }

  /** Splits x[batch, inSize] into contiguous [batch, k_i] blocks (x itself when there is one block). */
  private inputBlocks(x: Float32Array, batch: number): Float32Array[] {
    if (this.inSizes.length === 1) return [x];
    let i0 = 0;
    return this.inSizes.map((ki, i) => {
      if (this.xBuf[i]!.length < batch * ki) this.xBuf[i] = new Float32Array(batch * ki);
      const buf = this.xBuf[i]!;
      for (let b = 0; b < batch; b++)
        buf.set(x.subarray(b * this.inSize + i0, b * this.inSize + i0 + ki), b * ki);
      i0 += ki;
      return buf;
    });
  }
}
