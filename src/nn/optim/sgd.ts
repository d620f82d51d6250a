/**
 * Stochastic gradient descent with momentum, dampening, Nesterov momentum and L2 weight decay, with
 * exactly `torch.optim.SGD`'s update:
 *   g ← ±grad + weightDecay·p;  b ← g on the first step, else momentum·b + (1 − dampening)·g;
 *   g ← g + momentum·b (Nesterov) or b;  p ← p − lr·g.
 */
import { configError } from "../../core/index.js";
import type { Tensor } from "../../tensor/index.js";
import {
  type BaseHyper,
  Optimizer,
  type ParamGroup,
  type ParamState,
  type ParamsInput,
} from "./optimizer.js";

export interface SgdHyper extends BaseHyper {
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  /** Ascend instead of descend. */
  maximize: boolean;
}

export class SGD extends Optimizer<SgdHyper> {
  readonly kind = "SGD";

  constructor(params: ParamsInput<SgdHyper>, opts: Partial<SgdHyper> & { lr: number }) {
    super(params, { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, ...opts });
    this.validateAll();
  }

  protected validateGroup(g: SgdHyper, i: number): void {
    const where = `SGD group ${i}`;
    if (!(g.momentum >= 0)) throw configError(`${where} momentum`, ">= 0", g.momentum);
    if (!(g.weightDecay >= 0)) throw configError(`${where} weightDecay`, ">= 0", g.weightDecay);
    if (!Number.isFinite(g.dampening))
      throw configError(`${where} dampening`, "a finite number", g.dampening);
    if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0)) {
      throw configError(`${where} nesterov`, "momentum > 0 and dampening = 0", {
        momentum: g.momentum,
        dampening: g.dampening,
      });
    }
  }

  protected updateParam(p: Tensor, grad: Float32Array, g: ParamGroup<SgdHyper>, st: ParamState): void {
    const w = p.data;
    const { lr, momentum, dampening, weightDecay, nesterov } = g;
    const sign = g.maximize ? -1 : 1;
    if (momentum === 0) {
      for (let i = 0; i < w.length; i++) w[i] = w[i]! - lr * (sign * grad[i]! + weightDecay * w[i]!);
      return;
    }
    const first = st.buffers.momentum_buffer === undefined;
    const buf = st.buffers.momentum_buffer ?? new Float32Array(w.length);
    st.buffers.momentum_buffer = buf;
    for (let i = 0; i < w.length; i++) {
      const d = sign * grad[i]! + weightDecay * w[i]!;
      const b = first ? d : momentum * buf[i]! + (1 - dampening) * d;
      buf[i] = b;
      w[i] = w[i]! - lr * (nesterov ? d + momentum * buf[i]! : buf[i]!);
    }
  }
}
