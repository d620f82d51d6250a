/** Differentiable elementwise unary ops: neg, exp, log, sqrt, abs, square, clamp, scale, addScalar, pow. */
import { configError } from "../core/index.js";
import { gradAlloc } from "./grad-pool.js";
import { fromOp, type Tensor } from "./tensor.js";

function finiteNumber(op: string, name: string, v: number): void {
  if (typeof v !== "number" || Number.isNaN(v)) throw configError(`${op}: ${name}`, "a number", v);
}

export function neg(x: Tensor): Tensor {
  const d = x.data;
  const out = new Float32Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = -d[i]!;
  return fromOp("neg", out, x.shape, [x], (g) => {
    const gx = gradAlloc(g.length);
    for (let i = 0; i < g.length; i++) gx[i] = -g[i]!;
    return [gx];
  });
}

export function exp(x: Tensor): Tensor {
  const d = x.data;
  const out = new Float32Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = Math.exp(d[i]!);
  return fromOp("exp", out, x.shape, [x], (g) => {
    const gx = gradAlloc(g.length);
    for (let i = 0; i < g.length; i++) gx[i] = g[i]! * out[i]!;
    return [gx];
  });
}

/** Natural logarithm (log of a negative number is NaN, of 0 is -Infinity, as in PyTorch). */
export function log(x: Tensor): Tensor {
  const d = x.data;
  const out = new Float32Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = Math.log(d[i]!);
  return fromOp("log", out, x.shape, [x], (g) => {
    const gx = gradAlloc(g.length);
    for (let i = 0; i < g.length; i++) gx[i] = g[i]! / d[i]!;
    return [gx];
  });
}

export function sqrt(x: Tensor): Tensor {
  const d = x.data;
  const out = new Float32Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = Math.sqrt(d[i]!);
  return fromOp("sqrt", out, x.shape, [x], (g) => {
    const gx = gradAlloc(g.length);
    for (let i = 0; i < g.length; i++) gx[i] = (0.5 * g[i]!) / out[i]!;
    return [gx];
  });
}

/** |x|; the gradient at 0 is 0 (PyTorch's sign convention). */
export function abs(x: Tensor): Tensor {
  const d = x.data;
  const out = new Float32Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = Math.abs(d[i]!);
  return fromOp("abs", out, x.shape, [x], (g) => {
    const gx = gradAlloc(g.length);
    for (let i = 0; i < g.length; i++) {
      const v = d[i]!;
      gx[i] = v > 0 ? g[i]! : v < 0 ? -g[i]! : 0;
    }
    return [gx];
  });
}

export function square(x: Tensor): Tensor {
  const d = x.data;
  const out = new Float32Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = d[i]! * d[i]!;
  return fromOp("square", out, x.shape, [x], (g) => {
    const gx = gradAlloc(g.length);
    for (let i = 0; i < g.length; i++) gx[i] = 2 * d[i]! * g[i]!;
    return [gx];
  });
}

/** min(max(x, lo), hi); the gradient passes where lo <= x <= hi. */
export function clamp(x: Tensor, lo: number, hi: number): Tensor {
  finiteNumber("clamp", "lo", lo);
  finiteNumber("clamp", "hi", hi);
  if (lo > hi) throw configError("clamp: lo", `<= hi (${hi})`, lo);
  const d = x.data;
  const out = new Float32Array(d.length);
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    out[i] = v < lo ? lo : Math.min(v, hi);
  }
  return fromOp("clamp", out, x.shape, [x], (g) => {
    const gx = gradAlloc(g.length);
    for (let i = 0; i < g.length; i++) {
      const v = d[i]!;
      if (v >= lo && v <= hi) gx[i] = g[i]!;
    }
    return [gx];
  });
}

/** x · s for a constant s. */
export function scale(x: Tensor, s: number): Tensor {
  finiteNumber("scale", "s", s);
  const d = x.data;
  const out = new Float32Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = d[i]! * s;
  return fromOp("scale", out, x.shape, [x], (g) => {
    const gx = gradAlloc(g.length);
    for (let i = 0; i < g.length; i++) gx[i] = g[i]! * s;
    return [gx];
  });
}

/** x + s for a constant s. */
export function addScalar(x: Tensor, s: number): Tensor {
  finiteNumber("addScalar", "s", s);
  const d = x.data;
  const out = new Float32Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = d[i]! + s;
  return fromOp("addScalar", out, x.shape, [x], (g) => [g]);
}

/** x^p for a constant exponent p. */
export function pow(x: Tensor, p: number): Tensor {
  finiteNumber("pow", "p", p);
  const d = x.data;
  const out = new Float32Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = d[i]! ** p;
  return fromOp("pow", out, x.shape, [x], (g) => {
    const gx = gradAlloc(g.length);
    if (p === 0) return [gx];
    for (let i = 0; i < g.length; i++) gx[i] = g[i]! * p * d[i]! ** (p - 1);
    return [gx];
  });
}
