/**
 * Building blocks shared by the zoo models (all channels-last, NHWC): a convolution followed by batch
 * normalisation with a fused activation (and optional fused residual add), and a depthwise-separable block.
 */
import type { Rng } from "../../core/index.js";
import type { Tensor } from "../../tensor/index.js";
import { BatchNorm2d, type FusedActivation } from "../layers/batchnorm.js";
import { Conv2d, type Conv2dPadding, DepthwiseConv2d } from "../layers/conv.js";
import { Module } from "../module.js";

export interface ConvBnOptions {
  stride?: number;
  padding?: Conv2dPadding;
  /** Convolution bias (Keras reference models keep it, CIFAR ResNets drop it). */
  bias?: boolean;
  /** Activation fused into the batch norm (default "relu"). */
  act?: FusedActivation;
  /** Depthwise convolution (groups = channels; outChannels must equal inChannels). */
  depthwise?: boolean;
}

/** conv → BN → act, with `forward(x, residual?)` computing act(bn(conv(x)) + residual). */
export class ConvBn extends Module<[Tensor, Tensor?], Tensor> {
  constructor(
    inC: number,
    outC: number,
    kernel: number | readonly [number, number],
    rng: Rng,
    opts: ConvBnOptions = {},
  ) {
    super();
    const convOpts = {
      rng,
      stride: opts.stride ?? 1,
      padding: opts.padding ?? "same",
      bias: opts.bias ?? true,
    };
    this.registerModule(
      "conv",
      opts.depthwise ? new DepthwiseConv2d(inC, kernel, convOpts) : new Conv2d(inC, outC, kernel, convOpts),
    );
    this.registerModule("bn", new BatchNorm2d(outC, { act: opts.act ?? "relu" }));
  }

  forward(x: Tensor, residual?: Tensor): Tensor {
    const y = this.child<Conv2d>("conv").forward(x);
    return this.child<BatchNorm2d>("bn").forward(y, residual);
  }
}

/**
 * MobileNet / DS-CNN depthwise-separable block: depthwise k×k (stride) → BN → ReLU → pointwise 1×1 → BN → ReLU.
 */
export class DepthwiseSeparable extends Module {
  constructor(
    inC: number,
    outC: number,
    rng: Rng,
    opts: { stride?: number; kernel?: number; bias?: boolean } = {},
  ) {
    super();
    const bias = opts.bias ?? true;
    this.registerModule(
      "dw",
      new ConvBn(inC, inC, opts.kernel ?? 3, rng, { stride: opts.stride ?? 1, depthwise: true, bias }),
    );
    this.registerModule("pw", new ConvBn(inC, outC, 1, rng, { bias }));
  }

  forward(x: Tensor): Tensor {
    return this.child<ConvBn>("pw").forward(this.child<ConvBn>("dw").forward(x));
  }
}
