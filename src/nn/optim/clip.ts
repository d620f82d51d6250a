/** Gradient clipping helpers (`torch.nn.utils.clip_grad_norm_` / `clip_grad_value_` semantics). */
import { configError } from "../../core/index.js";
import type { Tensor } from "../../tensor/index.js";

/**
 * Scales all gradients together so that their global norm is at most `maxNorm`
 * (coefficient maxNorm / (norm + 1e-6), applied only when below 1). Returns the norm before clipping.
 * `normType` is p of the p-norm, or Infinity for the max-abs norm. Parameters without gradient are skipped.
 */
export function clipGradNorm(params: readonly Tensor[], maxNorm: number, normType = 2): number {
  if (!(maxNorm >= 0)) throw configError("clipGradNorm maxNorm", ">= 0", maxNorm);
  if (!(normType > 0)) throw configError("clipGradNorm normType", "> 0 or Infinity", normType);
  const grads = params.flatMap((p) => (p.grad ? [p.grad.data] : []));
  let total = 0;
  if (normType === Number.POSITIVE_INFINITY) {
    for (const g of grads) for (let i = 0; i < g.length; i++) total = Math.max(total, Math.abs(g[i]!));
  } else {
    for (const g of grads) for (let i = 0; i < g.length; i++) total += Math.abs(g[i]!) ** normType;
    total **= 1 / normType;
  }
  const coef = maxNorm / (total + 1e-6);
  if (coef < 1) {
    for (const g of grads) for (let i = 0; i < g.length; i++) g[i] = g[i]! * coef;
  }
  return total;
}

/** Clamps every gradient element to [−clipValue, clipValue]. */
export function clipGradValue(params: readonly Tensor[], clipValue: number): void {
  if (!(clipValue >= 0)) throw configError("clipGradValue clipValue", ">= 0", clipValue);
  for (const p of params) {
    if (!p.grad) continue;
    const g = p.grad.data;
    for (let i = 0; i < g.length; i++) g[i] = Math.min(clipValue, Math.max(-clipValue, g[i]!));
  }
}
