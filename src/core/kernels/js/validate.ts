/**
 * Argument checks shared by every kernel backend. Kernels index typed arrays directly, so a length that does
 * not match the dimensions would read garbage (JS) or crash the process (native): both backends call these
 * first and throw a KirchhoffError naming the kernel, the argument, the expected and the actual length.
 */
import { KirchhoffError } from "../../errors.js";
import type { Conv2dParams, Epilogue, RandomStream } from "../types.js";

/** Throws the kernels' shape error: a KirchhoffError "op: msg". */
export function fail(op: string, msg: string): never {
  throw new KirchhoffError("shape", `${op}: ${msg}`);
}

/** A non-negative safe integer (dims may be 0: the kernel then does nothing). */
export function checkDim(op: string, name: string, v: number, min = 0): void {
  if (!(Number.isSafeInteger(v) && v >= min)) fail(op, `${name}: expected an integer >= ${min}, got ${v}`);
}

/** Asserts that `arr` holds a Float32Array with at least `need` elements. */
export function checkLen(op: string, name: string, arr: unknown, need: number): void {
  if (!(arr instanceof Float32Array)) fail(op, `${name}: expected a Float32Array, got ${typeName(arr)}`);
  if (arr.length < need) fail(op, `${name}: expected at least ${need} elements, got ${arr.length}`);
}

/** Asserts that `arr` holds exactly `need` elements of the given array type. */
export function checkExact(
  op: string,
  name: string,
  arr: unknown,
  need: number,
  ctor: typeof Float32Array | typeof Float64Array | typeof Uint8Array = Float32Array,
): void {
  if (!(arr instanceof ctor)) fail(op, `${name}: expected a ${ctor.name}, got ${typeName(arr)}`);
  if (arr.length !== need) fail(op, `${name}: expected ${need} elements, got ${arr.length}`);
}

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "object") return (v as object).constructor?.name ?? "object";
  return typeof v;
}

/** Validates a GEMM call; returns nothing, throws on any inconsistency. */
export function checkSgemm(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  a: Float32Array,
  lda: number,
  b: Float32Array,
  ldb: number,
  c: Float32Array,
  ldc: number,
  aOff: number,
  bOff: number,
  cOff: number,
): void {
  const op = "sgemm";
  checkDim(op, "m", m);
  checkDim(op, "n", n);
  checkDim(op, "k", k);
  checkDim(op, "aOffset", aOff);
  checkDim(op, "bOffset", bOff);
  checkDim(op, "cOffset", cOff);
  const aRows = transA ? k : m;
  const aCols = transA ? m : k;
  const bRows = transB ? n : k;
  const bCols = transB ? k : n;
  checkDim(op, "lda", lda, Math.max(1, aCols));
  checkDim(op, "ldb", ldb, Math.max(1, bCols));
  checkDim(op, "ldc", ldc, Math.max(1, n));
  if (m === 0 || n === 0) return;
  checkLen(op, "c", c, cOff + (m - 1) * ldc + n);
  if (k === 0) return;
  checkLen(op, "a", a, aOff + (aRows - 1) * lda + aCols);
  checkLen(op, "b", b, bOff + (bRows - 1) * ldb + bCols);
}

/** Validates convolution geometry; returns [group input channels, group output channels]. */
export function checkConvParams(op: string, p: Conv2dParams): [number, number] {
  if (p === null || typeof p !== "object") fail(op, "params: expected a Conv2dParams object");
  for (const f of ["n", "inH", "inW", "inC", "outH", "outW", "outC", "padTop", "padLeft"] as const) {
    checkDim(op, f, p[f]);
  }
  for (const f of ["kH", "kW", "strideH", "strideW", "dilationH", "dilationW", "groups"] as const) {
    checkDim(op, f, p[f], 1);
  }
  if (p.inC % p.groups !== 0) fail(op, `inC (${p.inC}) must be divisible by groups (${p.groups})`);
  if (p.outC % p.groups !== 0) fail(op, `outC (${p.outC}) must be divisible by groups (${p.groups})`);
  return [p.inC / p.groups, p.outC / p.groups];
}

/** Element counts of x, w, y for a convolution. */
export function convSizes(p: Conv2dParams): { x: number; w: number; y: number } {
  return {
    x: p.n * p.inH * p.inW * p.inC,
    w: p.outC * p.kH * p.kW * (p.inC / p.groups),
    y: p.n * p.outH * p.outW * p.outC,
  };
}

/** Validates an epilogue against `channels` per row and `total` output elements. */
export function checkEpilogue(op: string, e: Epilogue | undefined, channels: number, total: number): void {
  if (!e) return;
  if (e.bias) checkExact(op, "epilogue.bias", e.bias, channels);
  if (e.scale) checkExact(op, "epilogue.scale", e.scale, channels);
  if (e.shift) checkExact(op, "epilogue.shift", e.shift, channels);
  if (e.residual) checkExact(op, "epilogue.residual", e.residual, total);
  const act = e.act ?? "none";
  if (act !== "none" && act !== "relu" && act !== "relu6") {
    fail(op, `epilogue.act: expected "none", "relu" or "relu6", got ${JSON.stringify(act)}`);
  }
}

/** Validates an activation name. */
export function checkAct(op: string, act: unknown): void {
  if (act !== undefined && act !== "none" && act !== "relu" && act !== "relu6") {
    fail(op, `act: expected "none", "relu" or "relu6", got ${JSON.stringify(act)}`);
  }
}

/** Validates a Philox stream position (uint32 words, block a safe non-negative integer). */
export function checkStream(op: string, out: unknown, s: RandomStream): void {
  if (!(out instanceof Float32Array)) fail(op, "out: expected a Float32Array");
  for (const f of ["key0", "key1", "stream0", "stream1"] as const) {
    const v = s?.[f];
    if (!(Number.isInteger(v) && v >= 0 && v <= 0xffffffff)) {
      throw new KirchhoffError("value", `${op}: stream.${f}: expected a uint32, got ${v}`);
    }
  }
  if (!(Number.isSafeInteger(s.block) && s.block >= 0)) {
    throw new KirchhoffError(
      "value",
      `${op}: stream.block: expected a non-negative safe integer, got ${s.block}`,
    );
  }
}
