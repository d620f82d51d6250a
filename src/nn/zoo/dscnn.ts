/**
 * MLPerf Tiny keyword-spotting DS-CNN (Zhang et al., "Hello Edge", arXiv 1711.07128; the Keras reference behind
 * `kws_dscnn_float32.tflite`): 49×10×1 MFCC input, conv 10×4 stride 2 64 channels + BN + ReLU, four depthwise-
 * separable blocks (depthwise 3×3 + BN + ReLU, pointwise 1×1 64 + BN + ReLU), global average pool, dense 12.
 * TF "same" padding and biases as in Keras. 24,908 parameters incl. BN running statistics, 2,656,768 MACs.
 */
import type { Rng } from "../../core/index.js";
import { globalAvgPool2d, type Tensor } from "../../tensor/index.js";
import { Linear } from "../layers/linear.js";
import { Module } from "../module.js";
import { ConvBn, DepthwiseSeparable } from "./blocks.js";

export interface DsCnnOptions {
  classes?: number;
  /** Channels of every layer (64 in the MLPerf reference). */
  width?: number;
  /** Depthwise-separable blocks (4 in the MLPerf reference). */
  blocks?: number;
}

export class DsCnn extends Module {
  readonly blocks: number;

  constructor(rng: Rng, opts: DsCnnOptions = {}) {
    super();
    const w = opts.width ?? 64;
    this.blocks = opts.blocks ?? 4;
    this.registerModule("stem", new ConvBn(1, w, [10, 4], rng, { stride: 2 }));
    for (let i = 0; i < this.blocks; i++) this.registerModule(`ds${i}`, new DepthwiseSeparable(w, w, rng));
    this.registerModule("fc", new Linear(w, opts.classes ?? 12, { rng }));
  }

  /** x: `[N, 49, 10, 1]` (MFCC frames × coefficients) → logits `[N, classes]`. */
  forward(x: Tensor): Tensor {
    let y = this.child("stem").forward(x);
    for (let i = 0; i < this.blocks; i++) y = this.child(`ds${i}`).forward(y);
    return this.child<Linear>("fc").forward(globalAvgPool2d(y));
  }
}
