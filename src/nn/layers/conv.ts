/**
 * 2-D convolution on channels-last input: x `[N, H, W, inChannels]`, weight OHWI
 * `[outChannels, kH, kW, inChannels/groups]`, output `[N, outH, outW, outChannels]`.
 */
import { configError, type Rng } from "../../core/index.js";
import { conv2d, type Tensor } from "../../tensor/index.js";
import { WeightLayer } from "./weight-layer.js";

/** Zero padding: symmetric rows/cols `[pH, pW]`, or "same" (output = ceil(input/stride)) / "valid" (none). */
export type Conv2dPadding = number | readonly [number, number] | "same" | "valid";

export interface Conv2dOptions {
  /** Generator for the PyTorch default initialisation. */
  rng: Rng;
  stride?: number | readonly [number, number];
  padding?: Conv2dPadding;
  dilation?: number | readonly [number, number];
  groups?: number;
  /** Learnable bias (default true). */
  bias?: boolean;
}

function pair(v: number | readonly [number, number], field: string, min: number): [number, number] {
  const p: [number, number] = typeof v === "number" ? [v, v] : [v[0], v[1]];
  if (!p.every((x) => Number.isInteger(x) && x >= min)) {
    throw configError(`Conv2d.${field}`, `an integer >= ${min} or a pair of them`, v);
  }
  return p;
}

/** Weight OHWI `[outChannels, kH, kW, inChannels/groups]`, bias `[outChannels]`. */
export class Conv2d extends WeightLayer {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: number | readonly [number, number] | "same" | "valid";
  readonly dilation: readonly [number, number];
  readonly groups: number;

  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: number | readonly [number, number],
    opts: Conv2dOptions,
  ) {
    const groups = opts.groups ?? 1;
    if (!(Number.isInteger(inChannels) && inChannels > 0)) {
      throw configError("Conv2d.inChannels", "a positive integer", inChannels);
    }
    if (!(Number.isInteger(outChannels) && outChannels > 0)) {
      throw configError("Conv2d.outChannels", "a positive integer", outChannels);
    }
    if (
      !(Number.isInteger(groups) && groups > 0 && inChannels % groups === 0 && outChannels % groups === 0)
    ) {
      throw configError(
        "Conv2d.groups",
        `a positive divisor of inChannels ${inChannels} and outChannels ${outChannels}`,
        groups,
      );
    }
    const padding = opts.padding ?? 0;
    if (typeof padding !== "string") pair(padding, "padding", 0);
    else if (padding !== "same" && padding !== "valid") {
      throw configError("Conv2d.padding", 'a number, a pair, "same" or "valid"', padding);
    }
    const [kH, kW] = pair(kernelSize, "kernelSize", 1);
    const stride = pair(opts.stride ?? 1, "stride", 1);
    const dilation = pair(opts.dilation ?? 1, "dilation", 1);
    super(opts.bias ?? true);
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = [kH, kW];
    this.stride = stride;
    this.padding =
      typeof padding === "number" || typeof padding === "string" ? padding : [padding[0], padding[1]];
    this.dilation = dilation;
    this.groups = groups;
    this.registerWeights([outChannels, kH, kW, inChannels / groups], opts.rng);
  }

  /** x: `[N, H, W, inChannels]` → `[N, outH, outW, outChannels]`. */
  forward(x: Tensor): Tensor {
    const [sH, sW] = this.stride;
    const [dH, dW] = this.dilation;
    return conv2d(x, this.weight, this.bias ?? undefined, {
      stride: sH === sW ? sH : [sH, sW],
      padding: typeof this.padding === "object" ? [this.padding[0], this.padding[1]] : this.padding,
      dilation: dH === dW ? dH : [dH, dW],
      groups: this.groups,
    });
  }

  override describe(): string {
    const k = this.kernelSize.join("x");
    const extra = [
      `k=${k}`,
      `stride=${this.stride.join(",")}`,
      `padding=${JSON.stringify(this.padding)}`,
      this.dilation[0] !== 1 || this.dilation[1] !== 1 ? `dilation=${this.dilation.join(",")}` : "",
      this.groups !== 1 ? `groups=${this.groups}` : "",
      `bias=${this.hasBias}`,
    ].filter(Boolean);
    return `${this.constructor.name}(${this.inChannels}, ${this.outChannels}, ${extra.join(", ")})`;
  }
}

/** Depthwise convolution: groups = channels, `depthMultiplier` output channels per input channel. */
export class DepthwiseConv2d extends Conv2d {
  readonly depthMultiplier: number;

  constructor(
    channels: number,
    kernelSize: number | readonly [number, number],
    opts: Omit<Conv2dOptions, "groups"> & { depthMultiplier?: number },
  ) {
    const mult = opts.depthMultiplier ?? 1;
    if (!(Number.isInteger(mult) && mult > 0))
      throw configError("DepthwiseConv2d.depthMultiplier", "a positive integer", mult);
    super(channels, channels * mult, kernelSize, { ...opts, groups: channels });
    this.depthMultiplier = mult;
  }
}
