/**
 * LSTM keyword spotter (Zhang et al., "Hello Edge", arXiv 1711.07128, §3 LSTM baseline): 49 MFCC frames of 10
 * coefficients → one LSTM layer (64 units, PyTorch gate order i, f, g, o and parameter names) → last hidden
 * state → dense 12. Parameters: 4H(I + H) + 8H + 12(H + 1) = 20,236 for I = 10, H = 64; MACs per clip
 * 49 · 4H(I + H) + 12H = 929,024.
 */
import type { Rng } from "../../core/index.js";
import { lstmCell, reshape, slice, type Tensor, zeros } from "../../tensor/index.js";
import { uniformInit } from "../init.js";
import { Linear } from "../layers/linear.js";
import { Module } from "../module.js";

/** One LSTM layer over `[N, T, I]`, returning the last hidden state `[N, H]`. */
export class LstmLastState extends Module {
  constructor(
    readonly inputSize: number,
    readonly hiddenSize: number,
    rng: Rng,
  ) {
    super();
    const H = hiddenSize;
    const bound = 1 / Math.sqrt(H); // PyTorch nn.LSTM default initialisation U(±1/√H)
    for (const [name, shape] of [
      ["weight_ih_l0", [4 * H, inputSize]],
      ["weight_hh_l0", [4 * H, H]],
      ["bias_ih_l0", [4 * H]],
      ["bias_hh_l0", [4 * H]],
    ] as const) {
      uniformInit(this.registerParameter(name, zeros([...shape])), rng, -bound, bound);
    }
  }

  /** x: `[N, T, inputSize]` → h_T `[N, hiddenSize]`. */
  forward(x: Tensor): Tensor {
    const [n, steps] = [x.shape[0]!, x.shape[1]!];
    let h = zeros([n, this.hiddenSize]);
    let c = zeros([n, this.hiddenSize]);
    const p = (k: string) => this.getParameter(k);
    for (let t = 0; t < steps; t++) {
      const xt = reshape(slice(x, 1, t, t + 1), [n, this.inputSize]);
      ({ h, c } = lstmCell(xt, h, c, p("weight_ih_l0"), p("weight_hh_l0"), p("bias_ih_l0"), p("bias_hh_l0")));
    }
    return h;
  }
}

export interface LstmKwsOptions {
  frames?: number;
  features?: number;
  hidden?: number;
  classes?: number;
}

export class LstmKws extends Module {
  readonly frames: number;
  readonly features: number;

  constructor(rng: Rng, opts: LstmKwsOptions = {}) {
    super();
    this.frames = opts.frames ?? 49;
    this.features = opts.features ?? 10;
    const hidden = opts.hidden ?? 64;
    this.registerModule("lstm", new LstmLastState(this.features, hidden, rng));
    this.registerModule("fc", new Linear(hidden, opts.classes ?? 12, { rng }));
  }

  /** x: `[N, 49, 10]` or `[N, 49, 10, 1]` → logits `[N, classes]`. */
  forward(x: Tensor): Tensor {
    const seq = reshape(x, [x.shape[0]!, this.frames, this.features]);
    return this.child<Linear>("fc").forward(this.child("lstm").forward(seq));
  }
}
