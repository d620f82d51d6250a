/** Reductions: sum, mean (over any set of axes) and maxAlong (one axis). */
import { configError, KirchhoffError } from "../core/index.js";
import { expandTo } from "./broadcast.js";
import { gradAlloc } from "./grad-pool.js";
import { normAxis } from "./shape-utils.js";
import { fromOp, type Tensor } from "./tensor.js";

/** Sorted, de-duplicated, non-negative axes; undefined means all axes. */
function resolveAxes(op: string, axes: number | number[] | undefined, ndim: number): number[] {
  if (axes === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof axes === "number" ? [axes] : axes;
  if (!Array.isArray(list)) throw configError(`${op}: axes`, "a number or an array of numbers", axes);
  const set = new Set(list.map((a) => normAxis(op, a, ndim)));
  if (set.size !== list.length)
    throw new KirchhoffError("shape", `${op}: repeated axis in ${JSON.stringify(axes)}`);
  return [...set].sort((a, b) => a - b);
}

/** Sums x viewed as [outer, n, inner] over the middle axis. */
function sumMiddle(x: Float32Array, outer: number, n: number, inner: number): Float32Array {
  const out = new Float32Array(outer * inner);
  if (inner === 1) {
    for (let o = 0; o < outer; o++) {
      let s = 0;
      const base = o * n;
      for (let j = 0; j < n; j++) s += x[base + j]!;
      out[o] = s;
    }
    return out;
  }
  for (let o = 0; o < outer; o++) {
    const ob = o * inner;
    for (let j = 0; j < n; j++) {
      const xb = (o * n + j) * inner;
      for (let i = 0; i < inner; i++) out[ob + i]! += x[xb + i]!;
    }
  }
  return out;
}

/** Raw sum over sorted axes; returns data and the keepDims shape. */
function sumRaw(
  data: Float32Array,
  shape: readonly number[],
  axes: number[],
): { data: Float32Array; keepShape: number[] } {
  let cur = data;
  const keep = [...shape];
  // Reduce from the last axis to the first so earlier axis positions stay valid.
  for (let k = axes.length - 1; k >= 0; k--) {
    const ax = axes[k]!;
    let outer = 1;
    for (let i = 0; i < ax; i++) outer *= keep[i]!;
    let inner = 1;
    for (let i = ax + 1; i < keep.length; i++) inner *= keep[i]!;
    cur = sumMiddle(cur, outer, keep[ax]!, inner);
    keep[ax] = 1;
  }
  return { data: cur === data ? data.slice() : cur, keepShape: keep };
}

function dropAxes(keepShape: number[], axes: number[]): number[] {
  return keepShape.filter((_, i) => !axes.includes(i));
}

/** Sum over `axes` (all when omitted); keepDims keeps reduced axes with size 1. */
export function sum(x: Tensor, axes?: number | number[], keepDims = false): Tensor {
  const ax = resolveAxes("sum", axes, x.ndim);
  const { data, keepShape } = sumRaw(x.data, x.shape, ax);
  const shape = keepDims ? keepShape : dropAxes(keepShape, ax);
  return fromOp("sum", data, shape, [x], (g) => [expandTo(g, keepShape, x.shape, gradAlloc)]);
}

/** Mean over `axes` (all when omitted). */
export function mean(x: Tensor, axes?: number | number[], keepDims = false): Tensor {
  const ax = resolveAxes("mean", axes, x.ndim);
  const { data, keepShape } = sumRaw(x.data, x.shape, ax);
  let count = 1;
  for (const a of ax) count *= x.shape[a]!;
  const inv = 1 / count;
  for (let i = 0; i < data.length; i++) data[i]! *= inv;
  const shape = keepDims ? keepShape : dropAxes(keepShape, ax);
  return fromOp("mean", data, shape, [x], (g) => {
    const gx = expandTo(g, keepShape, x.shape, gradAlloc);
    const out = gx === g ? gradAlloc(g.length) : gx;
    for (let i = 0; i < out.length; i++) out[i] = gx[i]! * inv;
    return [out];
  });
}

/** Maximum along one axis (the axis is removed); the gradient goes to the first maximal element. */
export function maxAlong(x: Tensor, axis: number): Tensor {
  const ax = normAxis("maxAlong", axis, x.ndim);
  const n = x.shape[ax]!;
  if (n === 0) throw new KirchhoffError("shape", `maxAlong: axis ${axis} has size 0`);
  let outer = 1;
  for (let i = 0; i < ax; i++) outer *= x.shape[i]!;
  let inner = 1;
  for (let i = ax + 1; i < x.ndim; i++) inner *= x.shape[i]!;
  const d = x.data;
  const out = new Float32Array(outer * inner);
  const arg = new Int32Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let best = d[o * n * inner + i]!;
      let bi = 0;
      for (let j = 1; j < n; j++) {
        const v = d[(o * n + j) * inner + i]!;
        if (v > best || (Number.isNaN(v) && !Number.isNaN(best))) {
          best = v;
          bi = j;
        }
      }
      out[o * inner + i] = best;
      arg[o * inner + i] = bi;
    }
  }
  const shape = x.shape.filter((_, i) => i !== ax);
  return fromOp("maxAlong", out, shape, [x], (g) => {
    const gx = gradAlloc(d.length);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) gx[(o * n + arg[o * inner + i]!) * inner + i] = g[o * inner + i]!;
    }
    return [gx];
  });
}
