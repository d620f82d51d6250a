/** softmax and logSoftmax along one axis (numerically stable: max subtracted first). */

import { gradAlloc } from "./grad-pool.js";
import { normAxis } from "./shape-utils.js";
import { fromOp, type Tensor } from "./tensor.js";

interface Geometry {
  outer: number;
  n: number;
  inner: number;
}

function geometry(op: string, x: Tensor, axis: number): Geometry {
  const ax = normAxis(op, axis, x.ndim);
  let outer = 1;
  for (let i = 0; i < ax; i++) outer *= x.shape[i]!;
  let inner = 1;
  for (let i = ax + 1; i < x.ndim; i++) inner *= x.shape[i]!;
  return { outer, n: x.shape[ax]!, inner };
}

/** Writes log-softmax of x (viewed as [outer, n, inner], normalised over n) into out. */
function logSoftmaxRaw(x: Float32Array, out: Float32Array, { outer, n, inner }: Geometry): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let m = -Infinity;
      for (let j = 0; j < n; j++) m = Math.max(m, x[base + j * inner]!);
      if (m === -Infinity) m = 0;
      let s = 0;
      for (let j = 0; j < n; j++) s += Math.exp(x[base + j * inner]! - m);
      const lse = m + Math.log(s);
      for (let j = 0; j < n; j++) out[base + j * inner] = x[base + j * inner]! - lse;
    }
  }
}

export function softmax(x: Tensor, axis = -1): Tensor {
  const geo = geometry("softmax", x, axis);
  const out = new Float32Array(x.size);
  logSoftmaxRaw(x.data, out, geo);
  for (let i = 0; i < out.length; i++) out[i] = Math.exp(out[i]!);
  const { outer, n, inner } = geo;
  return fromOp("softmax", out, x.shape, [x], (g) => {
    // dx = y ⊙ (g − Σ_j g_j y_j)
    const gx = gradAlloc(g.length);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * n * inner + i;
        let dot = 0;
        for (let j = 0; j < n; j++) dot += g[base + j * inner]! * out[base + j * inner]!;
        for (let j = 0; j < n; j++)
          gx[base + j * inner] = out[base + j * inner]! * (g[base + j * inner]! - dot);
      }
    }
    return [gx];
  });
}

export function logSoftmax(x: Tensor, axis = -1): Tensor {
  const geo = geometry("logSoftmax", x, axis);
  const out = new Float32Array(x.size);
  logSoftmaxRaw(x.data, out, geo);
  const { outer, n, inner } = geo;
  return fromOp("logSoftmax", out, x.shape, [x], (g) => {
    // dx = g − softmax · Σ_j g_j
    const gx = gradAlloc(g.length);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * n * inner + i;
        let s = 0;
        for (let j = 0; j < n; j++) s += g[base + j * inner]!;
        for (let j = 0; j < n; j++)
          gx[base + j * inner] = g[base + j * inner]! - Math.exp(out[base + j * inner]!) * s;
      }
    }
    return [gx];
  });
}
