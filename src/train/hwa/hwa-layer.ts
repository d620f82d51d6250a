/**
 * `HwaLayer`: replaces a Linear or Conv2d during hardware-aware training. It shares the wrapped layer's weight
 * and bias tensors (same state-dict names, same optimiser references) and, in training mode, runs
 *   x → DAC (per-sample abs-max NM) → op(x_q, W_noisy) → + output noise → ADC (STE) → + digital bias,
 * with fresh weight noise per forward (HwaMatrix). In eval mode it is the plain digital layer with the
 * remapped tile scales applied. After each optimiser step `postStep()` clips and remaps the weights.
 * Buffers: `hwa_calls` (forward counter, keeps the noise stream resumable) and `hwa_tile_scale` (remapping).
 */
import type { Rng } from "../../core/index.js";
import { Conv2d, type Linear, Module } from "../../nn/index.js";
import { conv2d, linear, type Tensor, tensor, zeros } from "../../tensor/index.js";
import type { HwaConfig } from "./config.js";
import { HwaMatrix } from "./hwa-matrix.js";
import { type TileGrid, tileCount } from "./tiles.js";

export type HwaTarget = Linear | Conv2d;

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
    // A grouped convolution maps every group to its own tiles (like AnalogConv2d's perGroup), so tile rows never
    // span groups. Deliberately so also for presets that pack groups block-diagonally: HWA with the packed
    // tiles' shared weight scale trained worse models for the packed chip than per-group HWA in each of 3 seeds
    // (DS-CNN, Speech Commands subset, 40 epochs; accuracy on the packed chip at 1 s / 1 y, mean of 3 seeds:
    // 69.3 / 64.8 % against 78.1 / 71.8 %; issue 3's session-18 note).
    const groups = inner instanceof Conv2d ? inner.groups : 1;
    this.matrix = new HwaMatrix(
      inner.weight.shape,
      () => this.getParameter("weight"),
      () => this.getBuffer("hwa_tile_scale").data,
      groups,
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
    return this.matrix.mvm(x, this.matrix.draw(rng), (xq, w) => this.op(xq, w), rng, bias);
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
