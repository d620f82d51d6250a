/**
 * Multi-layer LSTM and GRU over whole sequences, PyTorch-compatible: parameters `weight_ih_l{k}`
 * `[G·H, I_k]`, `weight_hh_l{k}` `[G·H, H]`, `bias_ih_l{k}`, `bias_hh_l{k}` `[G·H]` with gate blocks in
 * PyTorch order (LSTM i, f, g, o with G = 4; GRU r, z, n with G = 3), all initialised U(±1/√H).
 * Input `[N, T, I]` when `batchFirst` (default) else `[T, N, I]`; states are `[numLayers, N, H]`.
 * Unidirectional only.
 */
import { configError, type Rng, shapeError } from "../../core/index.js";
import {
  concat,
  dropout,
  gruUpdate,
  linear,
  lstmUpdate,
  reshape,
  slice,
  type Tensor,
  zeros,
} from "../../tensor/index.js";
import { uniformInit } from "../init.js";
import { Module } from "../module.js";

export interface RecurrentOptions {
  /** Generator for the U(±1/√hiddenSize) initialisation. */
  rng: Rng;
  /** Stacked layers (default 1). */
  numLayers?: number;
  /** Learnable biases (default true). */
  bias?: boolean;
  /** Input is `[N, T, I]` when true (default), `[T, N, I]` when false. */
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last, in training (default 0); needs `rng`. */
  dropout?: number;
}

/**
 * Computes layer l's matrix product x·W_ihᵀ + b_ih (part "ih") or h·W_hhᵀ + b_hh (part "hh") in place of the
 * digital one (hardware-aware training sets one to run the products through simulated analog tiles).
 */
export type RecurrentProjection = (l: number, part: "ih" | "hh", x: Tensor) => Tensor;

/** Shared machinery: parameter registration, time slicing, state packing. */
abstract class RecurrentBase<Out> extends Module<[Tensor, ...Tensor[]], Out> {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly hasBias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  private readonly dropoutRng: Rng;
  /** When set, the layers' matrix products go through it (see RecurrentProjection); null: digital. */
  projection: RecurrentProjection | null = null;

  constructor(gates: number, inputSize: number, hiddenSize: number, opts: RecurrentOptions) {
    super();
    const name = new.target.name;
    if (!(Number.isInteger(inputSize) && inputSize > 0))
      throw configError(`${name}.inputSize`, "a positive integer", inputSize);
    if (!(Number.isInteger(hiddenSize) && hiddenSize > 0)) {
      throw configError(`${name}.hiddenSize`, "a positive integer", hiddenSize);
    }
    const numLayers = opts.numLayers ?? 1;
    if (!(Number.isInteger(numLayers) && numLayers > 0))
      throw configError(`${name}.numLayers`, "a positive integer", numLayers);
    const p = opts.dropout ?? 0;
    if (!(p >= 0 && p < 1)) throw configError(`${name}.dropout`, "in [0, 1)", p);
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.numLayers = numLayers;
    this.hasBias = opts.bias ?? true;
    this.batchFirst = opts.batchFirst ?? true;
    this.dropout = p;
    this.dropoutRng = opts.rng.fork("dropout");
    const bound = 1 / Math.sqrt(hiddenSize);
    const initRng = opts.rng.fork("init");
    for (let l = 0; l < numLayers; l++) {
      const inSize = l === 0 ? inputSize : hiddenSize;
      const shapes: [string, number[]][] = [
        [`weight_ih_l${l}`, [gates * hiddenSize, inSize]],
        [`weight_hh_l${l}`, [gates * hiddenSize, hiddenSize]],
      ];
      if (this.hasBias)
        shapes.push([`bias_ih_l${l}`, [gates * hiddenSize]], [`bias_hh_l${l}`, [gates * hiddenSize]]);
      for (const [pname, shape] of shapes)
        uniformInit(this.registerParameter(pname, zeros(shape)), initRng, -bound, bound);
    }
  }

  /** The four parameters of layer `l` (biases undefined without bias). */
  protected layerWeights(l: number): [Tensor, Tensor, Tensor | undefined, Tensor | undefined] {
    return [
      this.getParameter(`weight_ih_l${l}`),
      this.getParameter(`weight_hh_l${l}`),
      this.hasBias ? this.getParameter(`bias_ih_l${l}`) : undefined,
      this.hasBias ? this.getParameter(`bias_hh_l${l}`) : undefined,
    ];
  }

  /** Layer l's two matrix products of one step, through `projection` when one is set. */
  protected products(l: number, x: Tensor, h: Tensor): [Tensor, Tensor] {
    const p = this.projection;
    if (p) return [p(l, "ih", x), p(l, "hh", h)];
    const [wIh, wHh, bIh, bHh] = this.layerWeights(l);
    return [linear(x, wIh, bIh), linear(h, wHh, bHh)];
  }

  /** Checks the input and splits it into T tensors of shape `[N, I]`. */
  protected splitTime(x: Tensor): { steps: Tensor[]; n: number; t: number } {
    const name = this.constructor.name;
    if (x.shape.length !== 3 || x.shape[2] !== this.inputSize) {
      throw shapeError(
        name,
        `input ${this.batchFirst ? "[N, T, I]" : "[T, N, I]"}`,
        ["?", "?", this.inputSize],
        x.shape,
      );
    }
    const timeAxis = this.batchFirst ? 1 : 0;
    const n = x.shape[this.batchFirst ? 0 : 1]!;
    const t = x.shape[timeAxis]!;
    if (t === 0) throw shapeError(name, "sequence length", ">= 1", 0);
    const steps: Tensor[] = [];
    for (let i = 0; i < t; i++) steps.push(reshape(slice(x, timeAxis, i, i + 1), [n, this.inputSize]));
    return { steps, n, t };
  }

  /** Stacks T tensors `[N, H]` back into the output layout. */
  protected joinTime(hs: Tensor[], n: number): Tensor {
    const h = this.hiddenSize;
    const axis = this.batchFirst ? 1 : 0;
    const shape = this.batchFirst ? [n, 1, h] : [1, n, h];
    return hs.length === 1
      ? reshape(hs[0]!, shape)
      : concat(
          hs.map((s) => reshape(s, shape)),
          axis,
        );
  }

  /** Layer `l`'s initial state `[N, H]` from `[numLayers, N, H]`, or zeros. */
  protected initialState(state: Tensor | undefined, l: number, n: number, what: string): Tensor {
    if (!state) return zeros([n, this.hiddenSize]);
    const want = [this.numLayers, n, this.hiddenSize];
    if (state.shape.length !== 3 || state.shape.some((d, i) => d !== want[i])) {
      throw shapeError(this.constructor.name, `initial ${what}`, want, state.shape);
    }
    return reshape(slice(state, 0, l, l + 1), [n, this.hiddenSize]);
  }

  /** Packs per-layer final states `[N, H]` into `[numLayers, N, H]`. */
  protected stackLayers(states: Tensor[], n: number): Tensor {
    const shape = [1, n, this.hiddenSize];
    return states.length === 1
      ? reshape(states[0]!, shape)
      : concat(
          states.map((s) => reshape(s, shape)),
          0,
        );
  }

  /** Inter-layer dropout (training only, not after the last layer). */
  protected betweenLayers(seq: Tensor[], l: number): Tensor[] {
    if (!this.training || this.dropout === 0 || l === this.numLayers - 1) return seq;
    return seq.map((s) => dropout(s, this.dropout, true, this.dropoutRng));
  }

  override describe(): string {
    return `${this.constructor.name}(${this.inputSize}, ${this.hiddenSize}, numLayers=${this.numLayers}, bias=${this.hasBias}, batchFirst=${this.batchFirst})`;
  }
}

/** LSTM result: all top-layer hidden states and the final hidden and cell states of every layer. */
export interface LstmOutput {
  /** `[N, T, H]` (batchFirst) or `[T, N, H]` */
  output: Tensor;
  /** `[numLayers, N, H]` */
  h: Tensor;
  /** `[numLayers, N, H]` */
  c: Tensor;
}

export class LSTM extends RecurrentBase<LstmOutput> {
  constructor(inputSize: number, hiddenSize: number, opts: RecurrentOptions) {
    super(4, inputSize, hiddenSize, opts);
  }

  /** x: `[N, T, I]`; optional initial states h0, c0 `[numLayers, N, H]` (zeros by default). */
  forward(x: Tensor, h0?: Tensor, c0?: Tensor): LstmOutput {
    const { steps, n } = this.splitTime(x);
    let seq = steps;
    const hs: Tensor[] = [];
    const cs: Tensor[] = [];
    for (let l = 0; l < this.numLayers; l++) {
      let h = this.initialState(h0, l, n, "h0");
      let c = this.initialState(c0, l, n, "c0");
      const outs: Tensor[] = [];
      for (const xt of seq) {
        ({ h, c } = lstmUpdate(...this.products(l, xt, h), c));
        outs.push(h);
      }
      hs.push(h);
      cs.push(c);
      seq = this.betweenLayers(outs, l);
    }
    return { output: this.joinTime(seq, n), h: this.stackLayers(hs, n), c: this.stackLayers(cs, n) };
  }
}

/** GRU result: all top-layer hidden states and the final hidden state of every layer. */
export interface GruOutput {
  /** `[N, T, H]` (batchFirst) or `[T, N, H]` */
  output: Tensor;
  /** `[numLayers, N, H]` */
  h: Tensor;
}

export class GRU extends RecurrentBase<GruOutput> {
  constructor(inputSize: number, hiddenSize: number, opts: RecurrentOptions) {
    super(3, inputSize, hiddenSize, opts);
  }

  /** x: `[N, T, I]`; optional initial state h0 `[numLayers, N, H]` (zeros by default). */
  forward(x: Tensor, h0?: Tensor): GruOutput {
    const { steps, n } = this.splitTime(x);
    let seq = steps;
    const hs: Tensor[] = [];
    for (let l = 0; l < this.numLayers; l++) {
      let h = this.initialState(h0, l, n, "h0");
      const outs: Tensor[] = [];
      for (const xt of seq) {
        h = gruUpdate(...this.products(l, xt, h), h);
        outs.push(h);
      }
      hs.push(h);
      seq = this.betweenLayers(outs, l);
    }
    return { output: this.joinTime(seq, n), h: this.stackLayers(hs, n) };
  }
}
