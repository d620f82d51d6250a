/**
 * `HwaRecurrent`: replaces an LSTM or GRU during hardware-aware training, as HwaLayer does a Linear or Conv2d.
 * It shares the wrapped layer's parameters (same state-dict names, same optimiser references) and puts each
 * layer's input-to-hidden and hidden-to-hidden matrices on their own tiles (one HwaMatrix each, as AnalogLSTM /
 * AnalogGRU map them). In training mode every step's two products run
 *   x → DAC (per-sample abs-max NM) → x_q·W_noisyᵀ → + output noise → ADC (STE) → + digital bias,
 * with one weight-noise draw per matrix per forward (a chip's weights do not change within a sequence) and
 * fresh output noise per step; the gate non-linearities and the state update stay digital (nn's
 * RecurrentProjection hook). In eval mode it is the plain layer with the remapped tile scales applied.
 * Buffers: `hwa_calls` (forward counter) and `hwa_tile_scale_{ih,hh}_l{k}` (remapping).
 */
import type { Rng } from "../../core/index.js";
import { type GRU, type GruOutput, type LSTM, type LstmOutput, Module } from "../../nn/index.js";
import { linear, type Tensor, tensor, zeros } from "../../tensor/index.js";
import type { HwaConfig } from "./config.js";
import { type DrawnWeights, HwaMatrix } from "./hwa-matrix.js";
import { tileCount } from "./tiles.js";

type Part = "ih" | "hh";

export class HwaRecurrent extends Module<[Tensor, ...Tensor[]], LstmOutput | GruOutput> {
  readonly inner: LSTM | GRU;
  /** Per layer, its two matrices. */
  readonly matrices: Record<Part, HwaMatrix>[] = [];
  private readonly rng: Rng;

  constructor(
    inner: LSTM | GRU,
    readonly config: HwaConfig,
    rng: Rng,
  ) {
    super();
    this.inner = inner;
    for (let l = 0; l < inner.numLayers; l++) {
      const matrix = (part: Part) =>
        new HwaMatrix(
          inner.getParameter(`weight_${part}_l${l}`).shape,
          () => this.getParameter(`weight_${part}_l${l}`),
          () => this.getBuffer(`hwa_tile_scale_${part}_l${l}`).data,
          1,
          config,
        );
      this.matrices.push({ ih: matrix("ih"), hh: matrix("hh") });
    }
    for (const [name, p] of inner.namedParameters()) this.registerParameter(name, p);
    this.registerBuffer("hwa_calls", zeros([1]));
    this.matrices.forEach((m, l) => {
      for (const part of ["ih", "hh"] as const) {
        const n = tileCount(m[part].grid);
        this.registerBuffer(`hwa_tile_scale_${part}_l${l}`, tensor(new Float32Array(n).fill(1), [n]));
      }
    });
    this.rng = rng;
    this.training = inner.training;
  }

  private all(): HwaMatrix[] {
    return this.matrices.flatMap((m) => [m.ih, m.hh]);
  }

  /** BatchNorm calibration mode (`calibrateHwaBatchNorm`): see HwaMatrix.setCalibrationNoise. */
  setCalibrationNoise(stdDev: number | null): void {
    for (const m of this.all()) m.setCalibrationNoise(stdDev);
  }

  private bias(l: number, part: Part): Tensor | undefined {
    return this.inner.hasBias ? this.getParameter(`bias_${part}_l${l}`) : undefined;
  }

  forward(x: Tensor, ...states: Tensor[]): LstmOutput | GruOutput {
    const inner = this.inner;
    inner.training = this.training; // (inter-layer dropout)
    if (!this.training && this.all().every((m) => m.tileScales.every((s) => s === 1)))
      return inner.forward(x, ...states);
    // one weight draw (or scaled copy) per matrix per forward, made at its first product
    const drawn = new Map<string, DrawnWeights | Tensor>();
    const once = <T extends DrawnWeights | Tensor>(key: string, make: () => T): T => {
      if (!drawn.has(key)) drawn.set(key, make());
      return drawn.get(key) as T;
    };
    if (!this.training) {
      const weight = (l: number, part: Part) =>
        once(`${part}${l}`, () => this.matrices[l]![part].evalWeight());
      inner.projection = (l, part, v) => linear(v, weight(l, part), this.bias(l, part));
    } else {
      const calls = this.getBuffer("hwa_calls").data;
      const rng = this.rng.fork(calls[0]!);
      calls[0] = calls[0]! + 1;
      let step = 0;
      inner.projection = (l, part, v) => {
        const m = this.matrices[l]![part];
        const r = rng.fork(`${part}${l}`);
        const d = once(`${part}${l}`, () => m.draw(r));
        return m.mvm(v, d, (xq, w) => linear(xq, w), r.fork(step++), this.bias(l, part));
      };
    }
    try {
      return inner.forward(x, ...states);
    } finally {
      inner.projection = null;
    }
  }

  /** Clip then remap every matrix (aihwkit post_update_step order), in place on the stored weights. */
  postStep(): void {
    for (const m of this.all()) m.postStep();
  }

  /** Writes the effective weights (tile scales folded in) back and resets the scales. */
  foldScales(): void {
    for (const m of this.all()) m.foldScales();
  }

  override describe(): string {
    const tiles = this.all().reduce((n, m) => n + tileCount(m.grid), 0);
    return `Hwa(${this.inner.describe()}, preset=${this.config.preset}, tiles=${tiles})`;
  }
}
