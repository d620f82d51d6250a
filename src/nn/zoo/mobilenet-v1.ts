/**
 * MobileNetV1 (Howard et al., arXiv 1704.04861) with width multiplier α, as the MLPerf Tiny visual-wake-words
 * reference (`vww_mobilenetv1_float.tflite`, α = 0.25, 96×96×3 input, 2 classes): conv 3×3 stride 2 + BN + ReLU,
 * 13 depthwise-separable blocks, global average pool, dense. Biases kept as in the Keras reference.
 * α = 0.25 at 96×96: 221,794 parameters incl. BN running statistics, 7,489,664 MACs.
 */
import { configError, type Rng } from "../../core/index.js";
import { globalAvgPool2d, type Tensor } from "../../tensor/index.js";
import { Linear } from "../layers/linear.js";
import { Module } from "../module.js";
import { ConvBn, DepthwiseSeparable } from "./blocks.js";

/** (pointwise output channels at α = 1, depthwise stride) of the 13 blocks. */
const BLOCKS: readonly (readonly [number, number])[] = [
  [64, 1],
  [128, 2],
  [128, 1],
  [256, 2],
  [256, 1],
  [512, 2],
  [512, 1],
  [512, 1],
  [512, 1],
  [512, 1],
  [512, 1],
  [1024, 2],
  [1024, 1],
];

export interface MobileNetV1Options {
  /** Width multiplier α (0.25 for MLPerf Tiny VWW). */
  alpha?: number;
  classes?: number;
  inChannels?: number;
}

export class MobileNetV1 extends Module {
  constructor(rng: Rng, opts: MobileNetV1Options = {}) {
    super();
    const alpha = opts.alpha ?? 0.25;
    if (!(alpha > 0 && alpha <= 1)) throw configError("MobileNetV1.alpha", "in (0, 1]", alpha);
    const ch = (c: number) => Math.max(1, Math.floor(c * alpha));
    this.registerModule("stem", new ConvBn(opts.inChannels ?? 3, ch(32), 3, rng, { stride: 2 }));
    let inC = ch(32);
    BLOCKS.forEach(([c, s], i) => {
      this.registerModule(`ds${i}`, new DepthwiseSeparable(inC, ch(c), rng, { stride: s }));
      inC = ch(c);
    });
    this.registerModule("fc", new Linear(inC, opts.classes ?? 2, { rng }));
  }

  /** x: `[N, 96, 96, 3]` → logits `[N, classes]`. */
  forward(x: Tensor): Tensor {
    let y = this.child("stem").forward(x);
    for (let i = 0; i < BLOCKS.length; i++) y = this.child(`ds${i}`).forward(y);
    return this.child<Linear>("fc").forward(globalAvgPool2d(y));
  }
}
