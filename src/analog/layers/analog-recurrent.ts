/**
 * Analog LSTM and GRU (aihwkit AnalogLSTM / AnalogGRU): per layer, the input-to-hidden weights
 * `weight_ih_l{k}` `[G·H, I]` and hidden-to-hidden weights `weight_hh_l{k}` `[G·H, H]` each live on their own
 * tile array (biases digital); gate non-linearities and the state update run digitally (PyTorch gate
 * order: LSTM i, f, g, o; GRU r, z, n). Parameter names match nn.LSTM / nn.GRU. The input projection of all
 * time steps is one batched tile call; the recurrent projection runs step by step.
 * Training mode uses the digital nn cell math (hardware-aware training of LSTM / GRU is train's HwaRecurrent).
 */
import { type Rng, shapeError } from "../../core/index.js";
import { GRU, LSTM } from "../../nn/index.js";
import { type Tensor, tensor } from "../../tensor/index.js";
import type { AnalogConfig } from "../config/analog-config.js";
import { AnalogTileArray } from "../tile/tile-array.js";
import { AnalogLayer, type MappedWeight } from "./analog-layer.js";

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

export type RecurrentKind = "lstm" | "gru";

export interface AnalogRecurrentOutput {
  output: Tensor;
  h: Tensor;
  /** LSTM only. */
  c?: Tensor;
}

export class AnalogRecurrent extends AnalogLayer<[Tensor, ...Tensor[]], AnalogRecurrentOutput> {
  readonly gates: number;
  /** Per layer: [input-to-hidden, hidden-to-hidden] tile arrays. */
  readonly arrays: [AnalogTileArray, AnalogTileArray][];
  private readonly mapped: MappedWeight[];
  /** The digital twin used in training mode and by toDigital (shares this layer's parameter tensors). */
  readonly digital: LSTM | GRU;

  constructor(
    readonly kind: RecurrentKind,
    readonly inputSize: number,
    readonly hiddenSize: number,
    config: AnalogConfig,
    opts: { rng: Rng; numLayers?: number; bias?: boolean; batchFirst?: boolean },
  ) {
    super(config, opts.rng);
    const Ctor = kind === "lstm" ? LSTM : GRU;
    this.digital = new Ctor(inputSize, hiddenSize, { ...opts, rng: opts.rng.fork("init") });
    this.gates = kind === "lstm" ? 4 : 3;
    for (const [name, p] of this.digital.namedParameters()) this.registerParameter(name, p);
    this.arrays = [];
    this.mapped = [];
    for (let l = 0; l < this.numLayers; l++) {
      const ih = new AnalogTileArray(this.gates * hiddenSize, l === 0 ? inputSize : hiddenSize, config);
      const hh = new AnalogTileArray(this.gates * hiddenSize, hiddenSize, config);
      this.arrays.push([ih, hh]);
      for (const [array, part] of [
        [ih, "ih"],
        [hh, "hh"],
      ] as const) {
        this.mapped.push({
          array,
          read: () => ({
            w: this.getParameter(`weight_${part}_l${l}`).data,
            bias: this.hasBias ? this.getParameter(`bias_${part}_l${l}`).data : null,
          }),
        });
      }
    }
    this.syncTiles();
  }

  /** Converts a trained digital LSTM or GRU (weights copied). */
  static fromDigital(layer: LSTM | GRU, config: AnalogConfig, rng: Rng): AnalogRecurrent {
    const opts = { rng, numLayers: layer.numLayers, bias: layer.hasBias, batchFirst: layer.batchFirst };
    const a =
      layer instanceof LSTM
        ? new AnalogLSTM(layer.inputSize, layer.hiddenSize, config, opts)
        : new AnalogGRU(layer.inputSize, layer.hiddenSize, config, opts);
    const src = new Map(layer.namedParameters());
    for (const [name, p] of a.namedParameters()) p.data.set(src.get(name)!.data);
    a.syncTiles();
    a.training = layer.training;
    return a;
  }

  get numLayers(): number {
    return this.digital.numLayers;
  }
  get hasBias(): boolean {
    return this.digital.hasBias;
  }
  get batchFirst(): boolean {
    return this.digital.batchFirst;
  }

  mappedWeights(): MappedWeight[] {
    return this.mapped;
  }

  /** x: `[N, T, I]` (batchFirst) or `[T, N, I]`; optional h0 (and c0 for LSTM) `[numLayers, N, H]`. */
  forward(x: Tensor, h0?: Tensor, c0?: Tensor): AnalogRecurrentOutput {
    if (this.training) {
      this.digital.training = true;
      return this.digital instanceof LSTM ? this.digital.forward(x, h0, c0) : this.digital.forward(x, h0);
    }
    if (x.shape.length !== 3 || x.shape[2] !== this.inputSize) {
      throw shapeError(this.describe(), "input", ["?", "?", this.inputSize], x.shape);
    }
    const [n, T] = this.batchFirst ? [x.shape[0]!, x.shape[1]!] : [x.shape[1]!, x.shape[0]!];
    const H = this.hiddenSize;
    const G = this.gates * H;
    // time-major copy of the input: seq[t][n][i]
    let seq = new Float32Array(T * n * this.inputSize);
    for (let b = 0; b < n; b++) {
      for (let t = 0; t < T; t++) {
        const src = this.batchFirst ? (b * T + t) * this.inputSize : (t * n + b) * this.inputSize;
        seq.set(x.data.subarray(src, src + this.inputSize), (t * n + b) * this.inputSize);
      }
    }
    const hOut = new Float32Array(this.numLayers * n * H);
    const cOut = new Float32Array(this.numLayers * n * H);
    for (let l = 0; l < this.numLayers; l++) {
      const h = this.initial(h0, l, n, "h0");
      const c = this.initial(c0, l, n, "c0");
      const gi = this.runTiles(this.mapped[2 * l]!, seq, T * n); // all input projections at once
      const next = new Float32Array(T * n * H);
      for (let t = 0; t < T; t++) {
        const gh = this.runTiles(this.mapped[2 * l + 1]!, h, n);
        for (let b = 0; b < n; b++) {
          const xo = (t * n + b) * G;
          const ho = b * G;
          for (let j = 0; j < H; j++) {
            const k = b * H + j;
            if (this.kind === "lstm") {
              const ig = sigmoid(gi[xo + j]! + gh[ho + j]!);
              const fg = sigmoid(gi[xo + H + j]! + gh[ho + H + j]!);
              const gg = Math.tanh(gi[xo + 2 * H + j]! + gh[ho + 2 * H + j]!);
              const og = sigmoid(gi[xo + 3 * H + j]! + gh[ho + 3 * H + j]!);
              c[k] = fg * c[k]! + ig * gg;
              h[k] = og * Math.tanh(c[k]!);
            } else {
              const r = sigmoid(gi[xo + j]! + gh[ho + j]!);
              const z = sigmoid(gi[xo + H + j]! + gh[ho + H + j]!);
              const nn = Math.tanh(gi[xo + 2 * H + j]! + r * gh[ho + 2 * H + j]!);
              h[k] = (1 - z) * nn + z * h[k]!;
            }
          }
        }
        next.set(h, t * n * H);
      }
      hOut.set(h, l * n * H);
      cOut.set(c, l * n * H);
      seq = next;
    }
    const out = new Float32Array(T * n * H);
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < n; b++) {
        const dst = this.batchFirst ? (b * T + t) * H : (t * n + b) * H;
        out.set(seq.subarray((t * n + b) * H, (t * n + b + 1) * H), dst);
      }
    }
    const res: AnalogRecurrentOutput = {
      output: tensor(out, this.batchFirst ? [n, T, H] : [T, n, H]),
      h: tensor(hOut, [this.numLayers, n, H]),
    };
    if (this.kind === "lstm") res.c = tensor(cOut, [this.numLayers, n, H]);
    return res;
  }

  private initial(state: Tensor | undefined, l: number, n: number, what: string): Float32Array {
    const H = this.hiddenSize;
    if (!state) return new Float32Array(n * H);
    const want = [this.numLayers, n, H];
    if (state.shape.length !== 3 || state.shape.some((d, i) => d !== want[i])) {
      throw shapeError(this.describe(), `initial ${what}`, want, state.shape);
    }
    return state.data.slice(l * n * H, (l + 1) * n * H);
  }

  override describe(): string {
    return `Analog${this.kind.toUpperCase()}(${this.inputSize}, ${this.hiddenSize}, numLayers=${this.numLayers}, preset=${this.config.name})`;
  }
}

/** Analog LSTM (aihwkit AnalogLSTM): `new AnalogLSTM(inputSize, hiddenSize, config, { rng })`. */
export class AnalogLSTM extends AnalogRecurrent {
  constructor(
    inputSize: number,
    hiddenSize: number,
    config: AnalogConfig,
    opts: { rng: Rng; numLayers?: number; bias?: boolean; batchFirst?: boolean },
  ) {
    super("lstm", inputSize, hiddenSize, config, opts);
  }
}

/** Analog GRU (aihwkit AnalogGRU): `new AnalogGRU(inputSize, hiddenSize, config, { rng })`. */
export class AnalogGRU extends AnalogRecurrent {
  constructor(
    inputSize: number,
    hiddenSize: number,
    config: AnalogConfig,
    opts: { rng: Rng; numLayers?: number; bias?: boolean; batchFirst?: boolean },
  ) {
    super("gru", inputSize, hiddenSize, config, opts);
  }
}
