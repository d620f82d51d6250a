/** Fully connected layer `y = x·Wᵀ + b` with PyTorch weight layout `[outFeatures, inFeatures]`. */
import { configError, type Rng } from "../../core/index.js";
import { linear, type Tensor } from "../../tensor/index.js";
import { WeightLayer } from "./weight-layer.js";

export interface LinearOptions {
  /** Generator for the PyTorch default initialisation (kaiming_uniform a=√5, bias U(±1/√in)). */
  rng: Rng;
  /** Learnable bias (default true). */
  bias?: boolean;
}

/** Weight `[outFeatures, inFeatures]`, bias `[outFeatures]`. */
export class Linear extends WeightLayer {
  readonly inFeatures: number;
  readonly outFeatures: number;

  constructor(inFeatures: number, outFeatures: number, opts: LinearOptions) {
    for (const [k, v] of [
      ["inFeatures", inFeatures],
      ["outFeatures", outFeatures],
    ] as const) {
      if (!(Number.isInteger(v) && v > 0)) throw configError(`Linear.${k}`, "a positive integer", v);
    }
    super(opts.bias ?? true);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.registerWeights([outFeatures, inFeatures], opts.rng);
  }

  /** x: `[..., inFeatures]` → `[..., outFeatures]`. */
  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias ?? undefined);
  }

  override describe(): string {
    return `Linear(${this.inFeatures}, ${this.outFeatures}, bias=${this.hasBias})`;
  }
}
