/**
 * MLPerf Tiny image-classification ResNet-8 (the Keras reference behind `ic_resnet8_float.tflite`,
 * Banbury et al., "MLPerf Tiny Benchmark", NeurIPS 2021): 32×32×3 input, conv 3×3 16 + BN + ReLU, three residual
 * stacks of 16/32/64 channels with strides 1/2/2 (1×1 projection shortcuts where the shape changes), global
 * average pool, dense 10. All convolutions keep their bias and use TF "same" padding, as in Keras.
 * 78,666 parameters including BN running statistics (78,186 trainable + 480 BN statistics), 12,501,632 MACs.
 */
import type { Rng } from "../../core/index.js";
import { globalAvgPool2d, type Tensor } from "../../tensor/index.js";
import { Conv2d } from "../layers/conv.js";
import { Linear } from "../layers/linear.js";
import { Module } from "../module.js";
import { ConvBn } from "./blocks.js";

/** Keras MLPerf residual stack: relu(bn(conv(relu(bn(conv_s(x))))) + shortcut(x)). */
export class MlperfResidualBlock extends Module {
  readonly projected: boolean;

  constructor(inC: number, outC: number, stride: number, rng: Rng) {
    super();
    this.registerModule("conv1", new ConvBn(inC, outC, 3, rng, { stride }));
    this.registerModule("conv2", new ConvBn(outC, outC, 3, rng, { act: "relu" }));
    this.projected = stride !== 1 || inC !== outC;
    if (this.projected)
      this.registerModule("shortcut", new Conv2d(inC, outC, 1, { rng, stride, padding: "same" }));
  }

  forward(x: Tensor): Tensor {
    const y = this.child<ConvBn>("conv1").forward(x);
    const s = this.projected ? this.child<Conv2d>("shortcut").forward(x) : x;
    // BN of the second conv, residual add and ReLU in one fused pass.
    return this.child<ConvBn>("conv2").forward(y, s);
  }
}

export interface ResNet8Options {
  classes?: number;
  inChannels?: number;
}

export class ResNet8 extends Module {
  constructor(rng: Rng, opts: ResNet8Options = {}) {
    super();
    this.registerModule("stem", new ConvBn(opts.inChannels ?? 3, 16, 3, rng));
    this.registerModule("stack1", new MlperfResidualBlock(16, 16, 1, rng));
    this.registerModule("stack2", new MlperfResidualBlock(16, 32, 2, rng));
    this.registerModule("stack3", new MlperfResidualBlock(32, 64, 2, rng));
    this.registerModule("fc", new Linear(64, opts.classes ?? 10, { rng }));
  }

  /** x: `[N, 32, 32, 3]` → logits `[N, classes]`. */
  forward(x: Tensor): Tensor {
    let y = this.child("stem").forward(x);
    for (const s of ["stack1", "stack2", "stack3"]) y = this.child(s).forward(y);
    return this.child<Linear>("fc").forward(globalAvgPool2d(y));
  }
}
