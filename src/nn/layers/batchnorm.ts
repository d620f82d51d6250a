/**
 * Batch normalisation over the last (channel) axis of a channels-last tensor: `[N, C]`, `[N, L, C]` or
 * `[N, H, W, C]`. Training mode normalises with batch statistics and updates the running statistics in
 * place (`running = (1 − momentum)·running + momentum·batch`, unbiased batch variance — PyTorch semantics);
 * eval mode uses the running statistics. An optional activation and residual add are fused into the same
 * pass: `forward(x, residual)` computes `act(bn(x) + residual)`.
 */
import { configError } from "../../core/index.js";
import { batchNorm, ones, type Tensor, zeros } from "../../tensor/index.js";
import { Module } from "../module.js";

/** Activation fused after the normalisation (and the residual add). */
export type FusedActivation = "none" | "relu" | "relu6";

export interface BatchNormOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Running-statistics update factor (default 0.1, PyTorch convention). */
  momentum?: number;
  /** Learnable per-channel scale `weight` (γ) and shift `bias` (β) (default true). */
  affine?: boolean;
  /** Fused activation (default "none"). */
  act?: FusedActivation;
}

export class BatchNorm extends Module<[Tensor, Tensor?], Tensor> {
  readonly numFeatures: number;
  readonly eps: number;
  /**
   * Running-statistics update weight; may be changed between forwards (e.g. 1/k for a cumulative average
   * over k calibration batches, as PyTorch's momentum=None).
   */
  momentum: number;
  readonly affine: boolean;
  readonly act: FusedActivation;

  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super();
    if (!(Number.isInteger(numFeatures) && numFeatures > 0)) {
      throw configError(`${new.target.name}.numFeatures`, "a positive integer", numFeatures);
    }
    const eps = opts.eps ?? 1e-5;
    const momentum = opts.momentum ?? 0.1;
    if (!(eps > 0)) throw configError("BatchNorm.eps", "> 0", eps);
    if (!(momentum >= 0 && momentum <= 1)) throw configError("BatchNorm.momentum", "in [0, 1]", momentum);
    const act = opts.act ?? "none";
    if (!["none", "relu", "relu6"].includes(act)) throw configError("BatchNorm.act", "none|relu|relu6", act);
    this.numFeatures = numFeatures;
    this.eps = eps;
    this.momentum = momentum;
    this.affine = opts.affine ?? true;
    this.act = act;
    if (this.affine) {
      this.registerParameter("weight", ones([numFeatures]));
      this.registerParameter("bias", zeros([numFeatures]));
    }
    this.registerBuffer("running_mean", zeros([numFeatures]));
    this.registerBuffer("running_var", ones([numFeatures]));
    // PyTorch saves this int64 counter; kept (as float32) so PyTorch state dicts load without renaming.
    this.registerBuffer("num_batches_tracked", zeros([]));
  }

  /** γ `[C]`, or null when not affine (γ = 1). */
  get weight(): Tensor | null {
    return this.affine ? this.getParameter("weight") : null;
  }

  /** β `[C]`, or null when not affine (β = 0). */
  get bias(): Tensor | null {
    return this.affine ? this.getParameter("bias") : null;
  }

  get runningMean(): Tensor {
    return this.getBuffer("running_mean");
  }

  get runningVar(): Tensor {
    return this.getBuffer("running_var");
  }

  /** x: `[..., C]`; residual (optional): same shape as x, added before the fused activation. */
  forward(x: Tensor, residual?: Tensor): Tensor {
    const c = x.shape[x.shape.length - 1];
    if (c !== this.numFeatures) {
      throw configError(
        `${this.constructor.name}: input channels (last axis)`,
        String(this.numFeatures),
        x.shape,
      );
    }
    if (this.training) this.getBuffer("num_batches_tracked").data[0]! += 1;
    return batchNorm(x, this.weight, this.bias, this.runningMean, this.runningVar, {
      training: this.training,
      momentum: this.momentum,
      eps: this.eps,
      act: this.act,
      residual,
    });
  }

  override describe(): string {
    const act = this.act !== "none" ? `, act=${this.act}` : "";
    return `${this.constructor.name}(${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.affine}${act})`;
  }
}

/** BatchNorm over `[N, H, W, C]` (same module; the name mirrors PyTorch). */
export class BatchNorm2d extends BatchNorm {}

/** BatchNorm over `[N, C]` or `[N, L, C]` (same module; the name mirrors PyTorch). */
export class BatchNorm1d extends BatchNorm {}
