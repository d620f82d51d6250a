/** Fully connected layer `y = x·Wᵀ + b` with PyTorch weight layout `[outFeatures, inFeatures]`. */
import { configError, type Rng } from "../../core/index.js";
import { linear, type Tensor, zeros } from "../../tensor/index.js";
import { torchDefaultInit } from "../init.js";
import { Module } from "../module.js";

export interface LinearOptions {
  /** Generator for the PyTorch default initialisation (kaiming_uniform a=√5, bias U(±1/√in)). */
  rng: Rng;
  /** Learnable bias (default true). */
  bias?: boolean;
}

export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly hasBias: boolean;

  constructor(inFeatures: number, outFeatures: number, opts: LinearOptions) {
    super();
    for (const [k, v] of [
      ["inFeatures", inFeatures],
      ["outFeatures", outFeatures],
    ] as const) {
      if (!(Number.isInteger(v) && v > 0)) throw configError(`Linear.${k}`, "a positive integer", v);
    }
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.hasBias = opts.bias ?? true;
    const w = this.registerParameter("weight", zeros([outFeatures, inFeatures]));
    const b = this.hasBias ? this.registerParameter("bias", zeros([outFeatures])) : null;
    torchDefaultInit(w, b, opts.rng);
  }

  /** `[outFeatures, inFeatures]` */
  get weight(): Tensor {
    return this.getParameter("weight");
  }

  /** `[outFeatures]`, or null without bias. */
  get bias(): Tensor | null {
    return this.hasBias ? this.getParameter("bias") : null;
  }

  /** x: `[..., inFeatures]` → `[..., outFeatures]`. */
  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias ?? undefined);
  }

  override describe(): string {
    return `Linear(${this.inFeatures}, ${this.outFeatures}, bias=${this.hasBias})`;
  }
}
