/**
 * `HwaLayer`: replaces a Linear or Conv2d during hardware-aware training. It shares the wrapped layer's weight
 * and bias tensors (same state-dict names, same optimiser references) and, in training mode, runs
 *   x → DAC (per-sample abs-max NM) → op(x_q, W_noisy) → + output noise → ADC (STE) → + digital bias,
 * with fresh weight noise per forward (HwaMatrix). In eval mode it is the plain digital layer with the
 * remapped tile scales applied. After each optimiser step `postStep()` clips and remaps the weights.
 * Buffers: `hwa_calls` (forward counter, keeps the noise stream resumable) and `hwa_tile_scale` (remapping).
 */
import { groupPacking } from "../../analog/index.js";
import type { Rng } from "../../core/index.js";
import { Conv2d, type Linear, Module } from "../../nn/index.js";
import { add, conv2d, linear, type Tensor, tensor, zeros } from "../../tensor/index.js";
import type { HwaConfig } from "./config.js";
import { HwaMatrix } from "./hwa-matrix.js";
import { type TileGrid, tileCount } from "./tiles.js";

export type HwaTarget = Linear | Conv2d;

/**
 * Rows per band of weight rows that never share a tile (HwaMatrix): a grouped convolution's groups lie on
 * tiles as AnalogConv2d lays them (`groupPacking`): each group its own tiles, or up to d groups per
 * block-diagonal tile (the last tile may hold fewer).
 */
function rowBands(m: HwaTarget, config: HwaConfig): number[] {
  const out = m.weight.shape[0]!;
  if (!(m instanceof Conv2d) || m.groups === 1) return [out];
  const [kH, kW] = m.kernelSize;
  const shape = { inChannels: m.inChannels, outChannels: m.outChannels, groups: m.groups, kH, kW };
  const mode = config.groupedConvTiles ?? "perGroup";
  const { perTile, arrays } = groupPacking(mode, shape, config.maxInputSize, config.maxOutputSize);
  const og = out / m.groups;
  return Array.from({ length: arrays }, (_, t) => Math.min(perTile, m.groups - t * perTile) * og);
}

export class HwaLayer extends Module {
  readonly inner: HwaTarget;
  /** The weight's tiles, noise and periphery (HwaMatrix). */
  readonly matrix: HwaMatrix;
  private readonly rng: Rng;

  constructor(
    inner: HwaTarget,
    readonly config: HwaConfig,
    rng: Rng,
  ) {
    super();
    this.inner = inner;
    this.matrix = new HwaMatrix(
      inner.weight.shape,
      () => this.getParameter("weight"),
      () => this.getBuffer("hwa_tile_scale").data,
      rowBands(inner, config),
      config,
    );
    this.registerParameter("weight", inner.weight);
    if (inner.bias) this.registerParameter("bias", inner.bias);
    this.registerBuffer("hwa_calls", zeros([1]));
    this.registerBuffer(
      "hwa_tile_scale",
      tensor(new Float32Array(tileCount(this.matrix.grid)).fill(1), [tileCount(this.matrix.grid)]),
    );
    this.rng = rng;
    this.training = inner.training;
  }

  get grid(): TileGrid {
    return this.matrix.grid;
  }

  /** Per-tile remapping scales (all 1 unless remapping is on). */
  get tileScales(): Float32Array {
    return this.matrix.tileScales;
  }

  get chipNoise() {
    return this.matrix.chipNoise;
  }

  /** BatchNorm calibration mode (`calibrateHwaBatchNorm`): see HwaMatrix.setCalibrationNoise. */
  setCalibrationNoise(stdDev: number | null): void {
    this.matrix.setCalibrationNoise(stdDev);
  }

  private op(x: Tensor, w: Tensor, b?: Tensor): Tensor {
    const m = this.inner;
    if (m instanceof Conv2d) {
      const [sH, sW] = m.stride;
      const [dH, dW] = m.dilation;
      return conv2d(x, w, b, {
        stride: sH === sW ? sH : [sH, sW],
        padding: typeof m.padding === "object" ? [m.padding[0], m.padding[1]] : m.padding,
        dilation: dH === dW ? dH : [dH, dW],
        groups: m.groups,
      });
    }
    return linear(x, w, b);
  }

  forward(x: Tensor): Tensor {
    const bias = this.inner.bias ?? undefined;
    if (!this.training) return this.op(x, this.matrix.evalWeight(), bias);
    const calls = this.getBuffer("hwa_calls").data;
    const rng = this.rng.fork(calls[0]!);
    calls[0] = calls[0]! + 1;
    const y = this.matrix.mvm(x, this.matrix.draw(rng), (xq, w) => this.op(xq, w), rng);
    return bias ? add(y, bias) : y;
  }

  /** Clip then remap (aihwkit post_update_step order), in place on the stored weights. */
  postStep(): void {
    this.matrix.postStep();
  }

  /** Writes the effective weights (tile scales folded in) back into the weight tensor and resets the scales. */
  foldScales(): void {
    this.matrix.foldScales();
  }

  override describe(): string {
    return `Hwa(${this.inner.describe()}, preset=${this.config.preset}, tiles=${tileCount(this.grid)})`;
  }
}
