/** Shape ops: reshape (shares data), flatten, transpose (copy), slice, concat, pad. */
import { configError, KirchhoffError, shapeError } from "../core/index.js";
import { gradAlloc } from "./grad-pool.js";
import { normAxis, shapeSize, stridesOf } from "./shape-utils.js";
import { fromOp, type Tensor } from "./tensor.js";

/** Same data, new shape; one dimension may be -1 (inferred). The result shares x's data array. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  if (!Array.isArray(shape)) throw configError("reshape: shape", "an array of integers", shape);
  const out = [...shape];
  let infer = -1;
  let known = 1;
  for (let i = 0; i < out.length; i++) {
    const d = out[i]!;
    if (d === -1) {
      if (infer >= 0) throw shapeError("reshape", "at most one -1 in shape", 1, shape);
      infer = i;
    } else if (!(Number.isInteger(d) && d >= 0)) {
      throw shapeError("reshape", "shape dimensions", "non-negative integers or one -1", shape);
    } else known *= d;
  }
  if (infer >= 0) {
    if (known === 0 || x.size % known !== 0)
      throw shapeError("reshape", `size compatible with ${JSON.stringify(shape)}`, x.size, x.shape);
    out[infer] = x.size / known;
  }
  if (shapeSize(out) !== x.size)
    throw shapeError(
      "reshape",
      `element count of ${JSON.stringify(x.shape)} into ${JSON.stringify(shape)}`,
      x.size,
      shapeSize(out),
    );
  return fromOp("reshape", x.data, out, [x], (g) => [g]);
}

/** Collapses axes startAxis..end into one: [N, H, W, C] → [N, H·W·C] by default. */
export function flatten(x: Tensor, startAxis = 1): Tensor {
  const ax = normAxis("flatten", startAxis, x.ndim);
  return reshape(x, [...x.shape.slice(0, ax), shapeSize(x.shape.slice(ax))]);
}

function permuteRaw(
  d: Float32Array,
  shape: readonly number[],
  perm: readonly number[],
  alloc: (n: number) => Float32Array = (n) => new Float32Array(n),
): Float32Array {
  const n = shape.length;
  const inStr = stridesOf(shape);
  const outShape = perm.map((p) => shape[p]!);
  const srcStr = perm.map((p) => inStr[p]!);
  const out = alloc(d.length);
  const counter = new Array<number>(n).fill(0);
  let src = 0;
  const last = n - 1;
  const lastLen = n > 0 ? outShape[last]! : 1;
  const lastStr = n > 0 ? srcStr[last]! : 0;
  for (let o = 0; o < out.length; o += lastLen) {
    for (let j = 0; j < lastLen; j++) out[o + j] = d[src + j * lastStr]!;
    for (let k = last - 1; k >= 0; k--) {
      counter[k]!++;
      src += srcStr[k]!;
      if (counter[k]! < outShape[k]!) break;
      src -= srcStr[k]! * outShape[k]!;
      counter[k] = 0;
    }
  }
  return out;
}

/** Axis permutation (copies): out.shape[i] = x.shape[perm[i]]. */
export function transpose(x: Tensor, perm: readonly number[]): Tensor {
  if (!Array.isArray(perm) || perm.length !== x.ndim)
    throw shapeError("transpose", "permutation length", x.ndim, perm);
  const seen = new Set(perm.map((p) => normAxis("transpose", p, x.ndim)));
  if (seen.size !== x.ndim)
    throw shapeError("transpose", "a permutation of the axes", `0..${x.ndim - 1}`, perm);
  const p = perm.map((a) => (a < 0 ? a + x.ndim : a));
  const inv = new Array<number>(p.length);
  for (let i = 0; i < p.length; i++) inv[p[i]!] = i;
  const shape = p.map((a) => x.shape[a]!);
  return fromOp("transpose", permuteRaw(x.data, x.shape, p), shape, [x], (g) => [
    permuteRaw(g, shape, inv, gradAlloc),
  ]);
}

function outerInner(shape: readonly number[], ax: number): [number, number] {
  let outer = 1;
  for (let i = 0; i < ax; i++) outer *= shape[i]!;
  let inner = 1;
  for (let i = ax + 1; i < shape.length; i++) inner *= shape[i]!;
  return [outer, inner];
}

/** Elements start..end-1 along `axis` (negative start/end count from the end, like Python). */
export function slice(
  x: Tensor,
  axis: number,
  start: number,
  end: number = x.shape[normAxis("slice", axis, x.ndim)]!,
): Tensor {
  const ax = normAxis("slice", axis, x.ndim);
  const n = x.shape[ax]!;
  const s = start < 0 ? start + n : start;
  const e = end < 0 ? end + n : end;
  if (!(Number.isInteger(s) && Number.isInteger(e) && s >= 0 && e <= n && s <= e)) {
    throw new KirchhoffError(
      "shape",
      `slice: range [${start}, ${end}) out of bounds for axis ${axis} of size ${n}`,
    );
  }
  const [outer, inner] = outerInner(x.shape, ax);
  const len = e - s;
  const d = x.data;
  const out = new Float32Array(outer * len * inner);
  const rowIn = n * inner;
  const rowOut = len * inner;
  for (let o = 0; o < outer; o++)
    out.set(d.subarray(o * rowIn + s * inner, o * rowIn + e * inner), o * rowOut);
  const shape = [...x.shape];
  shape[ax] = len;
  return fromOp("slice", out, shape, [x], (g) => {
    const gx = gradAlloc(d.length);
    for (let o = 0; o < outer; o++) gx.set(g.subarray(o * rowOut, (o + 1) * rowOut), o * rowIn + s * inner);
    return [gx];
  });
}

/** Joins tensors along `axis`; all other dimensions must agree. */
export function concat(xs: readonly Tensor[], axis: number): Tensor {
  if (!xs || typeof xs.length !== "number" || xs.length === 0)
    throw configError("concat: xs", "a non-empty array of tensors", xs);
  const first = xs[0]!;
  const ax = normAxis("concat", axis, first.ndim);
  for (const t of xs) {
    const ok = t.ndim === first.ndim && t.shape.every((d, i) => i === ax || d === first.shape[i]);
    if (!ok)
      throw shapeError(
        "concat",
        `shapes matching ${JSON.stringify(first.shape)} except axis ${ax}`,
        first.shape,
        t.shape,
      );
  }
  const [outer, inner] = outerInner(first.shape, ax);
  const total = xs.reduce((acc, t) => acc + t.shape[ax]!, 0);
  const rowOut = total * inner;
  const out = new Float32Array(outer * rowOut);
  let off = 0;
  const offsets: number[] = [];
  for (const t of xs) {
    const row = t.shape[ax]! * inner;
    offsets.push(off);
    for (let o = 0; o < outer; o++) out.set(t.data.subarray(o * row, (o + 1) * row), o * rowOut + off);
    off += row;
  }
  const shape = [...first.shape];
  shape[ax] = total;
  return fromOp("concat", out, shape, xs, (g) =>
    xs.map((t, k) => {
      if (!t.requiresGrad) return null;
      const row = t.shape[ax]! * inner;
      const gt = gradAlloc(t.size);
      for (let o = 0; o < outer; o++)
        gt.set(g.subarray(o * rowOut + offsets[k]!, o * rowOut + offsets[k]! + row), o * row);
      return gt;
    }),
  );
}

/** Constant padding: `widths[i] = [before, after]` for axis i (missing trailing axes get [0, 0]). */
export function pad(x: Tensor, widths: readonly (readonly [number, number])[], value = 0): Tensor {
  if (!Array.isArray(widths) || widths.length > x.ndim)
    throw shapeError("pad", "at most one [before, after] per axis", x.ndim, widths);
  const w: [number, number][] = x.shape.map((_, i) => {
    const p = widths[i] ?? [0, 0];
    if (!Array.isArray(p) || p.length !== 2 || !p.every((v) => Number.isInteger(v) && v >= 0)) {
      throw configError(`pad: widths[${i}]`, "[before, after] non-negative integers", p);
    }
    return [p[0], p[1]];
  });
  const shape = x.shape.map((d, i) => d + w[i]![0] + w[i]![1]);
  const out = new Float32Array(shapeSize(shape));
  if (value !== 0) out.fill(value);
  const n = x.ndim;
  const outStr = stridesOf(shape);
  // Copy contiguous rows of the last axis; walk the leading axes with a counter.
  const rowLen = n > 0 ? x.shape[n - 1]! : 1;
  const rows = rowLen === 0 ? 0 : x.size / rowLen;
  const counter = new Array<number>(Math.max(n - 1, 0)).fill(0);
  const rowOffsets = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let o = n > 0 ? w[n - 1]![0] : 0;
    for (let k = 0; k < n - 1; k++) o += (counter[k]! + w[k]![0]) * outStr[k]!;
    rowOffsets[r] = o;
    out.set(x.data.subarray(r * rowLen, (r + 1) * rowLen), o);
    for (let k = n - 2; k >= 0; k--) {
      counter[k]!++;
      if (counter[k]! < x.shape[k]!) break;
      counter[k] = 0;
    }
  }
  return fromOp("pad", out, shape, [x], (g) => {
    const gx = gradAlloc(x.size);
    for (let r = 0; r < rows; r++) gx.set(g.subarray(rowOffsets[r]!, rowOffsets[r]! + rowLen), r * rowLen);
    return [gx];
  });
}
