/**
 * Raw broadcasting kernels on Float32Arrays (no autograd): binary elementwise ops with fast paths for equal
 * shapes and trailing-dims operands (bias-like), reduction of a broadcast gradient back to an input shape,
 * and expansion of a smaller array to a larger shape.
 */
import { broadcastIndex, broadcastKind, shapeSize } from "./shape-utils.js";

/** Allocates a zero-filled array of n elements (default: a fresh one; backward passes use gradAlloc). */
export type Alloc = (n: number) => Float32Array;
const newArray: Alloc = (n) => new Float32Array(n);

export enum BinOp {
  Add = 0,
  Sub = 1,
  Mul = 2,
  Div = 3,
  Max = 4,
  Min = 5,
}

/** out[i] = a[i] op b[i] over equal-length arrays. */
function sameLoop(op: BinOp, a: Float32Array, b: Float32Array, out: Float32Array): void {
  const n = out.length;
  switch (op) {
    case BinOp.Add:
      for (let i = 0; i < n; i++) out[i] = a[i]! + b[i]!;
      break;
    case BinOp.Sub:
      for (let i = 0; i < n; i++) out[i] = a[i]! - b[i]!;
      break;
    case BinOp.Mul:
      for (let i = 0; i < n; i++) out[i] = a[i]! * b[i]!;
      break;
    case BinOp.Div:
      for (let i = 0; i < n; i++) out[i] = a[i]! / b[i]!;
      break;
    case BinOp.Max:
      for (let i = 0; i < n; i++) out[i] = Math.max(a[i]!, b[i]!);
      break;
    case BinOp.Min:
      for (let i = 0; i < n; i++) out[i] = Math.min(a[i]!, b[i]!);
      break;
  }
}

/** out[r*p + j] = a[r*p + j] op b[j] (b repeats with period p = b.length); swapped: b op a. */
function suffixLoop(op: BinOp, a: Float32Array, b: Float32Array, out: Float32Array, swapped: boolean): void {
  const p = b.length;
  const n = out.length;
  if (p === 0) return;
  for (let base = 0; base < n; base += p) {
    switch (op) {
      case BinOp.Add:
        for (let j = 0; j < p; j++) out[base + j] = a[base + j]! + b[j]!;
        break;
      case BinOp.Sub:
        if (swapped) for (let j = 0; j < p; j++) out[base + j] = b[j]! - a[base + j]!;
        else for (let j = 0; j < p; j++) out[base + j] = a[base + j]! - b[j]!;
        break;
      case BinOp.Mul:
        for (let j = 0; j < p; j++) out[base + j] = a[base + j]! * b[j]!;
        break;
      case BinOp.Div:
        if (swapped) for (let j = 0; j < p; j++) out[base + j] = b[j]! / a[base + j]!;
        else for (let j = 0; j < p; j++) out[base + j] = a[base + j]! / b[j]!;
        break;
      case BinOp.Max:
        for (let j = 0; j < p; j++) out[base + j] = Math.max(a[base + j]!, b[j]!);
        break;
      case BinOp.Min:
        for (let j = 0; j < p; j++) out[base + j] = Math.min(a[base + j]!, b[j]!);
        break;
    }
  }
}

/** out[i] = a[ia[i]] op b[ib[i]] through index maps. */
function generalLoop(
  op: BinOp,
  a: Float32Array,
  ia: Int32Array,
  b: Float32Array,
  ib: Int32Array,
  out: Float32Array,
): void {
  const n = out.length;
  switch (op) {
    case BinOp.Add:
      for (let i = 0; i < n; i++) out[i] = a[ia[i]!]! + b[ib[i]!]!;
      break;
    case BinOp.Sub:
      for (let i = 0; i < n; i++) out[i] = a[ia[i]!]! - b[ib[i]!]!;
      break;
    case BinOp.Mul:
      for (let i = 0; i < n; i++) out[i] = a[ia[i]!]! * b[ib[i]!]!;
      break;
    case BinOp.Div:
      for (let i = 0; i < n; i++) out[i] = a[ia[i]!]! / b[ib[i]!]!;
      break;
    case BinOp.Max:
      for (let i = 0; i < n; i++) out[i] = Math.max(a[ia[i]!]!, b[ib[i]!]!);
      break;
    case BinOp.Min:
      for (let i = 0; i < n; i++) out[i] = Math.min(a[ia[i]!]!, b[ib[i]!]!);
      break;
  }
}

/** Elementwise `a op b` broadcast to `outShape` (which must be the broadcast of both shapes). */
export function binaryRaw(
  op: BinOp,
  a: Float32Array,
  aShape: readonly number[],
  b: Float32Array,
  bShape: readonly number[],
  outShape: readonly number[],
  alloc: Alloc = newArray,
): Float32Array {
  const out = alloc(shapeSize(outShape));
  const ka = broadcastKind(aShape, outShape);
  const kb = broadcastKind(bShape, outShape);
  if (ka === "same" && kb === "same") sameLoop(op, a, b, out);
  else if (ka === "same" && kb === "suffix") suffixLoop(op, a, b, out, false);
  else if (kb === "same" && ka === "suffix") suffixLoop(op, b, a, out, true);
  else generalLoop(op, a, broadcastIndex(aShape, outShape), b, broadcastIndex(bShape, outShape), out);
  return out;
}

/** Sums a gradient of shape `gShape` down to `toShape` (the shape it was broadcast from). */
export function reduceTo(
  g: Float32Array,
  gShape: readonly number[],
  toShape: readonly number[],
  alloc: Alloc = newArray,
): Float32Array {
  const kind = broadcastKind(toShape, gShape);
  if (kind === "same") return g;
  const out = alloc(shapeSize(toShape));
  if (kind === "suffix") {
    const p = out.length;
    if (p === 0) return out;
    if (p === 1) {
      let s = 0;
      for (let i = 0; i < g.length; i++) s += g[i]!;
      out[0] = s;
      return out;
    }
    for (let base = 0; base < g.length; base += p) for (let j = 0; j < p; j++) out[j]! += g[base + j]!;
    return out;
  }
  const idx = broadcastIndex(toShape, gShape);
  for (let i = 0; i < g.length; i++) out[idx[i]!]! += g[i]!;
  return out;
}

/** Repeats `x` (shape `xShape`, broadcastable) to `toShape`. */
export function expandTo(
  x: Float32Array,
  xShape: readonly number[],
  toShape: readonly number[],
  alloc: Alloc = newArray,
): Float32Array {
  const kind = broadcastKind(xShape, toShape);
  if (kind === "same") return x;
  const out = alloc(shapeSize(toShape));
  if (kind === "suffix") {
    const p = x.length;
    if (p === 0) return out;
    for (let base = 0; base < out.length; base += p) out.set(x, base);
    return out;
  }
  const idx = broadcastIndex(xShape, toShape);
  for (let i = 0; i < out.length; i++) out[i] = x[idx[i]!]!;
  return out;
}
