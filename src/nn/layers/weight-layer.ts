/**
 * Base of the layers with one learnable `weight` and an optional `bias` `[outSize]` (Linear, Conv2d),
 * both initialised as PyTorch does (kaiming_uniform a=√5, bias U(±1/√fanIn); see init.ts).
 */
import type { Rng } from "../../core/index.js";
import { type Tensor, zeros } from "../../tensor/index.js";
import { torchDefaultInit } from "../init.js";
import { Module } from "../module.js";

export abstract class WeightLayer extends Module {
  /** Whether the layer has a learnable `bias` parameter. */
  readonly hasBias: boolean;

  protected constructor(bias: boolean) {
    super();
    this.hasBias = bias;
  }

  /**
   * Registers and initialises `weight` (shape `weightShape`, first dim = outSize) and, with a bias,
   * `bias` `[outSize]`. Subclasses call it at the end of their constructor, once `describe()` works.
   */
  protected registerWeights(weightShape: readonly number[], rng: Rng): void {
    const w = this.registerParameter("weight", zeros(weightShape));
    const b = this.hasBias ? this.registerParameter("bias", zeros([weightShape[0]!])) : null;
    torchDefaultInit(w, b, rng);
  }

  /** The weight; its layout is documented by the subclass. */
  get weight(): Tensor {
    return this.getParameter("weight");
  }

  /** `[outSize]`, or null without bias. */
  get bias(): Tensor | null {
    return this.hasBias ? this.getParameter("bias") : null;
  }
}
