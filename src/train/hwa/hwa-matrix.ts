/**
 * `HwaMatrix`: the hardware-aware training state of one weight matrix on its tiles, shared by HwaLayer (a Linear
 * or Conv2d) and HwaRecurrent (the input-to-hidden and hidden-to-hidden matrices of each LSTM / GRU layer):
 * - the tile grid and the per-tile remapping scales (a buffer of the owning module, read through `scales`);
 * - the weight noise of one training forward (SPEC §7.2, §9): `noisyWeights` (addNormal / pcmProg) or, for
 *   `chip` weight noise, `chipNoisyWeights` through the preset's own device model at the configured drift time
 *   (or one drawn log-uniformly per forward from `tRangeSec`, `drawDriftTimeSec`);
 * - the periphery of its products, x → DAC (per-sample abs-max NM) → op(x_q, W_noisy) → + output noise → ADC
 *   (STE) → + the caller's digital bias;
 * - the clip / remap step after each optimiser step (aihwkit post_update_step order).
 */
import { type DevicePhysics, devicePhysics, NoiseModel } from "../../analog/index.js";
import type { Rng } from "../../core/index.js";
import { add, type Tensor, tensor } from "../../tensor/index.js";
import { applyTileScales, clipWeights, remapTiles } from "./clip.js";
import type { HwaConfig, WeightNoiseConfig } from "./config.js";
import { adcQuantize, dacQuantize, weightView } from "./ste-ops.js";
import { forEachTile, type TileGrid, tileAbsMax, tileGrid } from "./tiles.js";
import { chipNoisyWeights, drawDriftTimeSec, noisyWeights } from "./weight-noise.js";

/** One training forward's weights: the noisy view (gradient to the clean weights) and each output's ADC scale. */
export interface DrawnWeights {
  view: Tensor;
  /** Per output row: the largest abs-max of the tiles in its row band (the ADC normalisation of that output). */
  wScale: Float32Array;
}

export class HwaMatrix {
  readonly grid: TileGrid;
  readonly physics: DevicePhysics | null;
  /** The preset's device model (programming noise scaled by weightNoise.stdDev) for `chip` weight noise. */
  readonly chipNoise: NoiseModel | null;
  /** Weight noise of BatchNorm calibration forwards (setCalibrationNoise); null while training. */
  private calibration: { weightNoise: WeightNoiseConfig; chipNoise: NoiseModel | null } | null = null;

  /**
   * shape: the weight's shape (`[out, …]`, its rows flattened to fan-in); weight: the stored tensor (read at
   * each use: a loaded state replaces tensors); scales: the owner's per-tile scale buffer; groups: grouped
   * convolutions map each group to its own tiles.
   */
  constructor(
    shape: readonly number[],
    private readonly weight: () => Tensor,
    private readonly scales: () => Float32Array,
    groups: number,
    readonly config: HwaConfig,
  ) {
    const out = shape[0]!;
    const fanIn = shape.reduce((a, b) => a * b, 1) / out;
    this.grid = tileGrid(out, fanIn, config.maxInputSize, config.maxOutputSize, groups);
    this.physics = config.noiseModel ? devicePhysics(config.noiseModel) : null;
    this.chipNoise = this.chipNoiseAt(config.weightNoise.stdDev);
  }

  /** Per-tile remapping scales (all 1 unless remapping is on). */
  get tileScales(): Float32Array {
    return this.scales();
  }

  /** The preset's device model with its programming noise × stdDev (`chip` weight noise only, else null). */
  private chipNoiseAt(stdDev: number): NoiseModel | null {
    const nm = this.config.noiseModel;
    if (this.config.weightNoise.type !== "chip" || !nm || nm.type === "ideal") return null;
    return new NoiseModel({ ...nm, progNoiseScale: nm.progNoiseScale * stdDev }, this.config.converter);
  }

  /** BatchNorm calibration mode: forwards draw their weight noise at `stdDev`; null returns to training noise. */
  setCalibrationNoise(stdDev: number | null): void {
    this.calibration =
      stdDev === null
        ? null
        : { weightNoise: { ...this.config.weightNoise, stdDev }, chipNoise: this.chipNoiseAt(stdDev) };
  }

  /** The weights of an eval forward: the stored tensor, or a copy with the tile scales applied. */
  evalWeight(): Tensor {
    const w = this.weight();
    const s = this.tileScales;
    return s.every((v) => v === 1) ? w : tensor(applyTileScales(w.data, this.grid, s), w.shape);
  }

  /** Per-element gradient scale of the effective weights (null when all tile scales are 1). */
  private gradScale(): Float32Array | null {
    const s = this.tileScales;
    if (s.every((v) => v === 1)) return null;
    const g = new Float32Array(this.grid.out * this.grid.fanIn).fill(1);
    return applyTileScales(g, this.grid, s);
  }

  /** The weights of one training forward, their noise drawn from rng's forks "time" and "weight". */
  draw(rng: Rng): DrawnWeights {
    const w = this.weight();
    const eff = applyTileScales(w.data, this.grid, this.tileScales);
    const weightNoise = this.calibration?.weightNoise ?? this.config.weightNoise;
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
    const amax = tileAbsMax(eff, this.grid);
    const wScale = new Float32Array(this.grid.out);
    forEachTile(this.grid, (t, r0, r1) => {
      for (let r = r0; r < r1; r++) wScale[r] = Math.max(wScale[r]!, amax[t]!);
    });
    return { view: weightView(w, noisy, this.gradScale()), wScale };
  }

  /** op(DAC(x), the drawn weights), then output noise (rng's fork "out"), the ADC and the digital bias. */
  mvm(x: Tensor, d: DrawnWeights, op: (xq: Tensor, w: Tensor) => Tensor, rng: Rng, bias?: Tensor): Tensor {
    const cfg = this.config;
    const { y: xq, scales: xScales } = dacQuantize(x, cfg.inpSteps);
    const y = op(xq, d.view);
    // Each input tile adds its own output noise: σ_total = σ·sqrt(number of input tiles).
    const outNoise = cfg.outNoise * Math.sqrt(this.grid.colRanges.length);
    if (!(outNoise > 0 || cfg.outSteps > 0 || cfg.clipOutput)) return bias ? add(y, bias) : y;
    return adcQuantize(y, {
      inputScales: xScales,
      wScale: d.wScale,
      outNoise,
      steps: cfg.outSteps,
      bound: cfg.outBound,
      clip: cfg.clipOutput,
      rng: rng.fork("out"),
      bias,
    });
  }

  /** Clip then remap, in place on the stored weights. */
  postStep(): void {
    const w = this.weight().data;
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
    const w = this.weight();
    w.data.set(applyTileScales(w.data, this.grid, this.tileScales));
    this.tileScales.fill(1);
  }
}
