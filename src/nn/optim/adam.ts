/**
 * Adam (Kingma & Ba 2015, arXiv 1412.6980) and AdamW (Loshchilov & Hutter 2019, arXiv 1711.05101) with
 * `torch.optim.Adam` / `AdamW` semantics: bias-corrected moments, optional AMSGrad, and either L2 weight
 * decay folded into the gradient (Adam) or decoupled decay `p ← p·(1 − lr·weightDecay)` (AdamW).
 */
import { configError } from "../../core/index.js";
import type { Tensor } from "../../tensor/index.js";
import {
  type BaseHyper,
  Optimizer,
  type ParamGroup,
  type ParamState,
  type ParamsInput,
  stateBuffer,
} from "./optimizer.js";

export interface AdamHyper extends BaseHyper {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

abstract class AdamBase extends Optimizer<AdamHyper> {
  /** True for AdamW's decoupled weight decay. */
  protected abstract readonly decoupled: boolean;

  protected validateGroup(g: AdamHyper, i: number): void {
    const where = `${this.kind} group ${i}`;
    if (!(g.beta1 >= 0 && g.beta1 < 1)) throw configError(`${where} beta1`, "in [0, 1)", g.beta1);
    if (!(g.beta2 >= 0 && g.beta2 < 1)) throw configError(`${where} beta2`, "in [0, 1)", g.beta2);
    if (!(g.eps >= 0)) throw configError(`${where} eps`, ">= 0", g.eps);
    if (!(g.weightDecay >= 0)) throw configError(`${where} weightDecay`, ">= 0", g.weightDecay);
  }

  protected updateParam(p: Tensor, grad: Float32Array, g: ParamGroup<AdamHyper>, st: ParamState): void {
    const w = p.data;
    const n = w.length;
    const { lr, beta1, beta2, eps, weightDecay, amsgrad } = g;
    const sign = g.maximize ? -1 : 1;
    const m = stateBuffer(st, "exp_avg", n);
    const v = stateBuffer(st, "exp_avg_sq", n);
    const vMax = amsgrad ? stateBuffer(st, "max_exp_avg_sq", n) : null;
    const stepSize = lr / (1 - beta1 ** st.step);
    const bc2Sqrt = Math.sqrt(1 - beta2 ** st.step);
    const l2 = this.decoupled ? 0 : weightDecay;
    const shrink = this.decoupled ? 1 - lr * weightDecay : 1;
    for (let i = 0; i < n; i++) {
      const wi = w[i]! * shrink;
      const gi = sign * grad[i]! + l2 * w[i]!;
      const mi = beta1 * m[i]! + (1 - beta1) * gi;
      const vi = beta2 * v[i]! + (1 - beta2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      let vUse = v[i]!;
      if (vMax) vMax[i] = vUse = Math.max(vMax[i]!, vUse);
      w[i] = wi - (stepSize * m[i]!) / (Math.sqrt(vUse) / bc2Sqrt + eps);
    }
  }
}

export type AdamOptions = Partial<AdamHyper> & { lr?: number };

/** PyTorch's Adam defaults: lr 1e-3, betas 0.9 / 0.999, eps 1e-8, no weight decay, no AMSGrad. */
const ADAM_DEFAULTS: AdamHyper = {
  lr: 1e-3,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  weightDecay: 0,
  amsgrad: false,
  maximize: false,
};

/** Adam with L2 weight decay added to the gradient (defaults: lr 1e-3, betas 0.9/0.999, eps 1e-8, wd 0). */
export class Adam extends AdamBase {
  readonly kind = "Adam";
  protected readonly decoupled = false;
  constructor(params: ParamsInput<AdamHyper>, opts: AdamOptions = {}) {
    super(params, { ...ADAM_DEFAULTS, ...opts });
    this.validateAll();
  }
}

/** AdamW with decoupled weight decay (defaults as Adam but weightDecay 0.01, PyTorch's default). */
export class AdamW extends AdamBase {
  readonly kind = "AdamW";
  protected readonly decoupled = true;
  constructor(params: ParamsInput<AdamHyper>, opts: AdamOptions = {}) {
    super(params, { ...ADAM_DEFAULTS, weightDecay: 0.01, ...opts });
    this.validateAll();
  }
}
