/** Activation functions and dropout (elementwise). */

import type { Rng } from "../core/index.js";
import { configError } from "../core/index.js";
import { gradAllocUninit } from "./grad-pool.js";
import { fromOp, type Tensor } from "./tensor.js";

/** max(x, 0); gradient 0 at x = 0 like PyTorch. */
export function relu(x: Tensor): Tensor {
  const d = x.data;
  const out = new Float32Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = Math.max(d[i]!, 0);
  return fromOp("relu", out, x.shape, [x], (g) => {
    const gx = gradAllocUninit(g.length);
    for (let i = 0; i < g.length; i++) gx[i] = out[i]! > 0 ? g[i]! : 0;
    return [gx];
  });
}

/** min(max(x, 0), 6); gradient 1 strictly inside (0, 6). */
export function relu6(x: Tensor): Tensor {
  const d = x.data;
  const out = new Float32Array(d.length);
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    out[i] = v > 0 ? Math.min(v, 6) : 0;
  }
  return fromOp("relu6", out, x.shape, [x], (g) => {
    const gx = gradAllocUninit(g.length);
    for (let i = 0; i < g.length; i++) {
      const v = d[i]!;
      gx[i] = v > 0 && v < 6 ? g[i]! : 0;
    }
    return [gx];
  });
}

export function leakyRelu(x: Tensor, slope = 0.01): Tensor {
  if (typeof slope !== "number" || !Number.isFinite(slope))
    throw configError("leakyRelu: slope", "a finite number", slope);
  const d = x.data;
  const out = new Float32Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = d[i]! > 0 ? d[i]! : slope * d[i]!;
  return fromOp("leakyRelu", out, x.shape, [x], (g) => {
    const gx = gradAllocUninit(g.length);
    for (let i = 0; i < g.length; i++) gx[i] = d[i]! > 0 ? g[i]! : slope * g[i]!;
    return [gx];
  });
}

export function sigmoid(x: Tensor): Tensor {
  const d = x.data;
  const out = new Float32Array(d.length);
  // In float64, exp(−v) overflows to Infinity for v < −709 and 1/(1 + Infinity) = 0: no NaN, no branch needed.
  for (let i = 0; i < d.length; i++) out[i] = 1 / (1 + Math.exp(-d[i]!));
  return fromOp("sigmoid", out, x.shape, [x], (g) => {
    const gx = gradAllocUninit(g.length);
    for (let i = 0; i < g.length; i++) {
      const s = out[i]!;
      gx[i] = g[i]! * s * (1 - s);
    }
    return [gx];
  });
}

export function tanh(x: Tensor): Tensor {
  const d = x.data;
  const out = new Float32Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = Math.tanh(d[i]!);
  return fromOp("tanh", out, x.shape, [x], (g) => {
    const gx = gradAllocUninit(g.length);
    for (let i = 0; i < g.length; i++) {
      const t = out[i]!;
      gx[i] = g[i]! * (1 - t * t);
    }
    return [gx];
  });
}

/**
 * Inverted dropout: in training, zeroes each element with probability p (uniforms drawn from `rng`) and
 * scales the survivors by 1/(1-p); outside training (or p = 0) returns x unchanged.
 */
export function dropout(x: Tensor, p: number, training: boolean, rng: Rng): Tensor {
  if (typeof p !== "number" || !(p >= 0 && p < 1)) throw configError("dropout: p", "a number in [0, 1)", p);
  if (!training || p === 0) return x;
  const u = rng.fillUniform(new Float32Array(x.size));
  const keep = 1 / (1 - p);
  const d = x.data;
  // u becomes the mask in place: keep-scale where kept, 0 where dropped.
  for (let i = 0; i < u.length; i++) u[i] = u[i]! >= p ? keep : 0;
  const out = new Float32Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = d[i]! * u[i]!;
  return fromOp("dropout", out, x.shape, [x], (g) => {
    const gx = gradAllocUninit(g.length);
    for (let i = 0; i < g.length; i++) gx[i] = g[i]! * u[i]!;
    return [gx];
  });
}
