/** Differentiable elementwise binary ops with NumPy broadcasting: add, sub, mul, div, maximum, minimum. */
import { BinOp, binaryRaw, expandTo, reduceTo } from "./broadcast.js";
import { gradAlloc, gradAllocUninit, recycle } from "./grad-pool.js";
import { broadcastShapes } from "./shape-utils.js";
import { fromOp, type Tensor } from "./tensor.js";

/** −g as a new gradient buffer. */
function negate(g: Float32Array): Float32Array {
  const out = gradAllocUninit(g.length);
  for (let i = 0; i < g.length; i++) out[i] = -g[i]!;
  return out;
}

/** Reduces a temporary full-shape gradient to an input's shape; recycles the temporary if not returned. */
function reduceTemp(full: Float32Array, shape: readonly number[], toShape: readonly number[]): Float32Array {
  const r = reduceTo(full, shape, toShape, gradAlloc);
  if (r !== full) recycle(full);
  return r;
}

export function add(a: Tensor, b: Tensor): Tensor {
  const shape = broadcastShapes("add", a.shape, b.shape);
  const out = binaryRaw(BinOp.Add, a.data, a.shape, b.data, b.shape, shape);
  return fromOp("add", out, shape, [a, b], (g) => [
    a.requiresGrad ? reduceTo(g, shape, a.shape, gradAlloc) : null,
    b.requiresGrad ? reduceTo(g, shape, b.shape, gradAlloc) : null,
  ]);
}

export function sub(a: Tensor, b: Tensor): Tensor {
  const shape = broadcastShapes("sub", a.shape, b.shape);
  const out = binaryRaw(BinOp.Sub, a.data, a.shape, b.data, b.shape, shape);
  return fromOp("sub", out, shape, [a, b], (g) => [
    a.requiresGrad ? reduceTo(g, shape, a.shape, gradAlloc) : null,
    b.requiresGrad ? reduceTemp(negate(g), shape, b.shape) : null,
  ]);
}

export function mul(a: Tensor, b: Tensor): Tensor {
  const shape = broadcastShapes("mul", a.shape, b.shape);
  const out = binaryRaw(BinOp.Mul, a.data, a.shape, b.data, b.shape, shape);
  return fromOp("mul", out, shape, [a, b], (g) => [
    a.requiresGrad
      ? reduceTemp(binaryRaw(BinOp.Mul, g, shape, b.data, b.shape, shape, gradAlloc), shape, a.shape)
      : null,
    b.requiresGrad
      ? reduceTemp(binaryRaw(BinOp.Mul, g, shape, a.data, a.shape, shape, gradAlloc), shape, b.shape)
      : null,
  ]);
}

export function div(a: Tensor, b: Tensor): Tensor {
  const shape = broadcastShapes("div", a.shape, b.shape);
  const out = binaryRaw(BinOp.Div, a.data, a.shape, b.data, b.shape, shape);
  return fromOp("div", out, shape, [a, b], (g) => {
    // d(a/b)/da = 1/b;  d(a/b)/db = -a/b² = -(1/b)·out.
    const gOverB = binaryRaw(BinOp.Div, g, shape, b.data, b.shape, shape, gradAlloc);
    let gb: Float32Array | null = null;
    if (b.requiresGrad) {
      const t = gradAlloc(out.length);
      for (let i = 0; i < t.length; i++) t[i] = -gOverB[i]! * out[i]!;
      gb = reduceTemp(t, shape, b.shape);
    }
    if (!a.requiresGrad) {
      recycle(gOverB);
      return [null, gb];
    }
    return [reduceTemp(gOverB, shape, a.shape), gb];
  });
}

/** Shared backward of maximum/minimum: the gradient goes to the selected operand, split half/half on ties (PyTorch). */
function selectGrads(
  a: Tensor,
  b: Tensor,
  out: Float32Array,
  shape: number[],
  g: Float32Array,
): (Float32Array | null)[] {
  const aFull = expandTo(a.data, a.shape, shape);
  const bFull = expandTo(b.data, b.shape, shape);
  const ga = gradAlloc(out.length);
  const gb = gradAlloc(out.length);
  for (let i = 0; i < out.length; i++) {
    const selA = aFull[i] === out[i];
    const selB = bFull[i] === out[i];
    if (selA && selB) {
      ga[i] = 0.5 * g[i]!;
      gb[i] = 0.5 * g[i]!;
    } else if (selA) ga[i] = g[i]!;
    else gb[i] = g[i]!;
  }
  if (!a.requiresGrad) recycle(ga);
  if (!b.requiresGrad) recycle(gb);
  return [
    a.requiresGrad ? reduceTemp(ga, shape, a.shape) : null,
    b.requiresGrad ? reduceTemp(gb, shape, b.shape) : null,
  ];
}

export function maximum(a: Tensor, b: Tensor): Tensor {
  const shape = broadcastShapes("maximum", a.shape, b.shape);
  const out = binaryRaw(BinOp.Max, a.data, a.shape, b.data, b.shape, shape);
  return fromOp("maximum", out, shape, [a, b], (g) => selectGrads(a, b, out, shape, g));
}

export function minimum(a: Tensor, b: Tensor): Tensor {
  const shape = broadcastShapes("minimum", a.shape, b.shape);
  const out = binaryRaw(BinOp.Min, a.data, a.shape, b.data, b.shape, shape);
  return fromOp("minimum", out, shape, [a, b], (g) => selectGrads(a, b, out, shape, g));
}
