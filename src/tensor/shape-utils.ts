/** Shape arithmetic shared by the ops: sizes, strides, axis normalisation, broadcasting rules. */
import { configError, KirchhoffError, shapeError } from "../core/index.js";

/** Throws unless every dimension is a non-negative integer. */
export function checkShape(op: string, shape: readonly number[]): void {
  if (!Array.isArray(shape)) throw shapeError(op, "shape", "an array of integers", shape);
  for (const d of shape) {
    if (!(Number.isInteger(d) && d >= 0))
      throw shapeError(op, "shape dimensions", "non-negative integers", shape);
  }
}

export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Normalises a possibly negative axis for a tensor of rank `ndim`. */
export function normAxis(op: string, axis: number, ndim: number): number {
  if (!Number.isInteger(axis) || axis < -ndim || axis >= ndim) {
    throw new KirchhoffError("shape", `${op}: axis ${axis} out of range for a tensor of rank ${ndim}`);
  }
  return axis < 0 ? axis + ndim : axis;
}

/** NumPy broadcasting of two shapes; throws a shape error naming both when incompatible. */
export function broadcastShapes(op: string, a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new KirchhoffError(
        "shape",
        `${op}: shapes ${JSON.stringify(a)} and ${JSON.stringify(b)} do not broadcast`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * How `inShape` repeats inside `outShape` (inShape broadcastable to outShape):
 *   "same"   — identical element order;
 *   "suffix" — in equals the trailing dims of out (e.g. a bias [C] against [N, H, W, C]); `period` = in size;
 *   "general" — anything else (use `broadcastIndex`).
 */
export function broadcastKind(
  inShape: readonly number[],
  outShape: readonly number[],
): "same" | "suffix" | "general" {
  const inSize = shapeSize(inShape);
  const outSize = shapeSize(outShape);
  if (inSize === outSize) return "same";
  // Strip leading ones of in, then compare with the trailing dims of out.
  let k = 0;
  while (k < inShape.length && inShape[k] === 1) k++;
  const core = inShape.slice(k);
  if (core.length > outShape.length) return "general";
  for (let i = 0; i < core.length; i++) {
    if (core[core.length - 1 - i] !== outShape[outShape.length - 1 - i]) return "general";
  }
  return "suffix";
}

const indexCache = new Map<string, Int32Array>();
let cachedElements = 0;
/** Upper bound on cached index entries (4 bytes each): 16 M entries = 64 MB. */
const MAX_CACHED_ELEMENTS = 16 * 1024 * 1024;

/** For every element of `outShape`, the flat index of the corresponding element of `inShape` (cached). */
export function broadcastIndex(inShape: readonly number[], outShape: readonly number[]): Int32Array {
  const key = `${inShape.join(",")}>${outShape.join(",")}`;
  const hit = indexCache.get(key);
  if (hit) return hit;
  const n = outShape.length;
  const inStrides = stridesOf(inShape);
  const bstr = new Array<number>(n).fill(0);
  for (let i = 0; i < inShape.length; i++) {
    const o = n - inShape.length + i;
    bstr[o] = inShape[i] === 1 ? 0 : inStrides[i]!;
  }
  const size = shapeSize(outShape);
  const idx = new Int32Array(size);
  const counter = new Array<number>(n).fill(0);
  let off = 0;
  for (let e = 0; e < size; e++) {
    idx[e] = off;
    for (let d = n - 1; d >= 0; d--) {
      counter[d]!++;
      off += bstr[d]!;
      if (counter[d]! < outShape[d]!) break;
      off -= bstr[d]! * outShape[d]!;
      counter[d] = 0;
    }
  }
  if (cachedElements + size > MAX_CACHED_ELEMENTS) {
    indexCache.clear();
    cachedElements = 0;
  }
  if (size <= MAX_CACHED_ELEMENTS) {
    indexCache.set(key, idx);
    cachedElements += size;
  }
  return idx;
}

/**
 * A spatial hyper-parameter (kernel, stride, padding, dilation) given as one number or an [h, w] pair,
 * as [h, w]; throws a config error "`op`: `field`" unless both are integers ≥ `min`.
 */
export function spatialPair(
  op: string,
  field: string,
  v: number | readonly [number, number],
  min: number,
): [number, number] {
  const p: [number, number] =
    typeof v === "number"
      ? [v, v]
      : Array.isArray(v) && v.length === 2
        ? [v[0], v[1]]
        : [Number.NaN, Number.NaN];
  if (!p.every((x) => Number.isInteger(x) && x >= min))
    throw configError(`${op}: ${field}`, `an integer >= ${min} or a pair of them`, v);
  return p;
}
