/**
 * LSTM keyword spotter (Zhang et al., "Hello Edge", arXiv 1711.07128, §3 LSTM baseline): 49 MFCC frames of 10
 * coefficients → one LSTM layer (64 units, PyTorch gate order i, f, g, o and parameter names) → last hidden
 * state → dense 12. Parameters: 4H(I + H) + 8H + 12(H + 1) = 20,236 for I = 10, H = 64; MACs per clip
 * 49 · 4H(I + H) + 12H = 929,024.
 */
import type { Rng } from "../../core/index.js";
import { reshape, type Tensor } from "../../tensor/index.js";
import { Linear } from "../layers/linear.js";
import { LSTM } from "../layers/recurrent.js";
import { Module } from "../module.js";

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
    // an nn.LSTM (no cell math of its own), so that toAnalog puts it on tiles like any LSTM layer
    this.registerModule("lstm", new LSTM(this.features, hidden, { rng, batchFirst: true }));
    this.registerModule("fc", new Linear(hidden, opts.classes ?? 12, { rng }));
  }

  /** x: `[N, 49, 10]` or `[N, 49, 10, 1]` → logits `[N, classes]`. */
  forward(x: Tensor): Tensor {
    const n = x.shape[0]!;
    const { h } = this.child<LSTM>("lstm").forward(reshape(x, [n, this.frames, this.features]));
    return this.child<Linear>("fc").forward(reshape(h, [n, h.shape[2]!])); // the last hidden state h_T
  }
}
