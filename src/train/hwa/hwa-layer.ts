/**
 * `HwaLayer`: replaces a Linear or Conv2d during hardware-aware training. It shares the wrapped layer's weight
 * and bias tensors (same state-dict names, same optimiser references) and, in training mode, runs
 *   x → DAC (per-sample abs-max NM) → op(x_q, W_noisy) → + output noise → ADC (STE) → + digital bias,
 * with fresh weight noise per forward (SPEC §7.2, §9): `noisyWeights` (addNormal / pcmProg) or, for `chip`
 * weight noise, `chipNoisyWeights` through the preset's own device model at the configured drift time (or one
 * drawn log-uniformly per forward from `tRangeSec`, `drawDriftTimeSec`). In eval
 * mode it is the plain digital layer with the remapped tile scales applied. After each optimiser step
 * `postStep()` clips and remaps the weights.
 * Buffers: `hwa_calls` (forward counter, keeps the noise stream resumable) and `hwa_tile_scale` (remapping).
 */
import { type DevicePhysics, devicePhysics, NoiseModel } from "../../analog/index.js";
import type { Rng } from "../../core/index.js";
import { Conv2d, type Linear, Module } from "../../nn/index.js";
import { add, conv2d, linear, type Tensor, tensor, zeros } from "../../tensor/index.js";
import { applyTileScales, clipWeights, remapTiles } from "./clip.js";
import type { HwaConfig, WeightNoiseConfig } from "./config.js";
import { adcQuantize, dacQuantize, weightView } from "./ste-ops.js";
import { forEachTile, type TileGrid, tileAbsMax, tileCount, tileGrid } from "./tiles.js";
import { chipNoisyWeights, drawDriftTimeSec, noisyWeights } from "./weight-noise.js";

export type HwaTarget = Linear | Conv2d;

export class HwaLayer extends Module {
  readonly inner: HwaTarget;
  readonly grid: TileGrid;
  readonly physics: DevicePhysics | null;
  /** The preset's device model (programming noise scaled by weightNoise.stdDev) for `chip` weight noise. */
  readonly chipNoise: NoiseModel | null;
  private readonly rng: Rng;
  /** Weight noise of BatchNorm calibration forwards (setCalibrationNoise); null while training. */
  private calibration: { weightNoise: WeightNoiseConfig; chipNoise: NoiseModel | null } | null = null;

  constructor(
    inner: HwaTarget,
    readonly config: HwaConfig,
    rng: Rng,
  ) {
    super();
    this.inner = inner;
    const w = inner.weight;
    // A grouped convolution maps every group to its own tiles (like AnalogConv2d), so tile rows never span groups.
    const groups = inner instanceof Conv2d ? inner.groups : 1;
    this.grid = tileGrid(
      w.shape[0]!,
      w.size / w.shape[0]!,
      config.maxInputSize,
      config.maxOutputSize,
      groups,
    );
    this.registerParameter("weight", w);
    if (inner.bias) this.registerParameter("bias", inner.bias);
    this.registerBuffer("hwa_calls", zeros([1]));
    this.registerBuffer(
      "hwa_tile_scale",
      tensor(new Float32Array(tileCount(this.grid)).fill(1), [tileCount(this.grid)]),
    );
    this.physics = config.noiseModel ? devicePhysics(config.noiseModel) : null;
    this.chipNoise = this.chipNoiseAt(config.weightNoise.stdDev);
    this.rng = rng;
    this.training = inner.training;
  }

  /** The preset's device model with its programming noise × stdDev (`chip` weight noise only, else null). */
  private chipNoiseAt(stdDev: number): NoiseModel | null {
    const nm = this.config.noiseModel;
    if (this.config.weightNoise.type !== "chip" || !nm || nm.type === "ideal") return null;
    return new NoiseModel({ ...nm, progNoiseScale: nm.progNoiseScale * stdDev }, this.config.converter);
  }

  /**
   * BatchNorm calibration mode (`calibrateHwaBatchNorm`): training forwards draw their weight noise at `stdDev`
   * instead of the configured training value; null returns to training noise.
   */
  setCalibrationNoise(stdDev: number | null): void {
    this.calibration =
      stdDev === null
        ? null
        : { weightNoise: { ...this.config.weightNoise, stdDev }, chipNoise: this.chipNoiseAt(stdDev) };
  }

  /** Per-tile remapping scales (all 1 unless remapping is on). */
  get tileScales(): Float32Array {
    return this.getBuffer("hwa_tile_scale").data;
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

  /** Per-element gradient scale of the effective weights (null when all tile scales are 1). */
  private gradScale(): Float32Array | null {
    const s = this.tileScales;
    if (s.every((v) => v === 1)) return null;
    const g = new Float32Array(this.grid.out * this.grid.fanIn).fill(1);
    return applyTileScales(g, this.grid, s);
  }

  forward(x: Tensor): Tensor {
    const w = this.getParameter("weight");
    const bias = this.inner.bias ?? undefined;
    const scales = this.tileScales;
    const eff = applyTileScales(w.data, this.grid, scales);
    if (!this.training) return this.op(x, scales.every((v) => v === 1) ? w : tensor(eff, w.shape), bias);
    const calls = this.getBuffer("hwa_calls").data;
    const rng = this.rng.fork(calls[0]!);
    calls[0] = calls[0]! + 1;
    const cfg = this.config;
    const weightNoise = this.calibration?.weightNoise ?? cfg.weightNoise;
    const chipNoise = this.calibration ? this.calibration.chipNoise : this.chipNoise;
    const noisy = chipNoise
      ? chipNoisyWeights(
          eff,
          this.grid,
          chipNoise,
          drawDriftTimeSec(weightNoise, rng.fork("time")),
          rng.fork("weight"),
        )
      : noisyWeights(eff, this.grid, weightNoise, this.physics, rng.fork("weight"));
    const wView = weightView(w, noisy, this.gradScale());
    const { y: xq, scales: xScales } = dacQuantize(x, cfg.inpSteps);
    let y = this.op(xq, wView);
    // Per output channel: the largest abs-max of the tiles in its row band (the ADC normalisation of that output).
    const amax = tileAbsMax(eff, this.grid);
    const wScale = new Float32Array(this.grid.out);
    forEachTile(this.grid, (t, r0, r1) => {
      for (let r = r0; r < r1; r++) wScale[r] = Math.max(wScale[r]!, amax[t]!);
    });
    // Each input tile adds its own output noise: σ_total = σ·sqrt(number of input tiles).
    const outNoise = cfg.outNoise * Math.sqrt(this.grid.colRanges.length);
    if (outNoise > 0 || cfg.outSteps > 0 || cfg.clipOutput) {
      y = adcQuantize(y, {
        inputScales: xScales,
        wScale,
        outNoise,
        steps: cfg.outSteps,
        bound: cfg.outBound,
        clip: cfg.clipOutput,
        rng: rng.fork("out"),
      });
    }
    return bias ? add(y, bias) : y;
  }

  /** Clip then remap (aihwkit post_update_step order), in place on the stored weights. */
  postStep(): void {
    const w = this.getParameter("weight").data;
    if (this.config.clip.type !== "none") {
      // Clip in effective (tile-scaled) units so a fixed bound means the same thing with and without remapping.
      const eff = applyTileScales(w, this.grid, this.tileScales);
      clipWeights(eff, this.config.clip);
      const s = this.tileScales;
      forEachTile(this.grid, (t, r0, r1, c0, c1) => {
        const inv = 1 / s[t]!;
        for (let r = r0; r < r1; r++) {
          for (let i = r * this.grid.fanIn + c0, e = r * this.grid.fanIn + c1; i < e; i++)
            w[i] = eff[i]! * inv;
        }
      });
    }
    if (this.config.remap === "tile") remapTiles(w, this.grid, this.tileScales);
  }

  /** Writes the effective weights (tile scales folded in) back into the weight tensor and resets the scales. */
  foldScales(): void {
    const w = this.getParameter("weight");
    w.data.set(applyTileScales(w.data, this.grid, this.tileScales));
    this.tileScales.fill(1);
  }

  override describe(): string {
    return `Hwa(${this.inner.describe()}, preset=${this.config.preset}, tiles=${tileCount(this.grid)})`;
  }
}
