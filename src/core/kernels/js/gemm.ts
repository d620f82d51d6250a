/**
 * Reference SGEMM in TypeScript: C = alpha·op(A)·op(B) + beta·C, row-major with leading dimensions and
 * offsets. Loop order i-k-j (contiguous inner loop over a row of B and C) when B is not transposed, and
 * i-j-k dot products (contiguous over rows of A and B) when it is. Products accumulate in float64 JS
 * numbers per row before rounding to float32 once.
 */
import { checkSgemm } from "./validate.js";

export function sgemmJs(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Float32Array,
  lda: number,
  b: Float32Array,
  ldb: number,
  beta: number,
  c: Float32Array,
  ldc: number,
  aOffset = 0,
  bOffset = 0,
  cOffset = 0,
): void {
  checkSgemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, aOffset, bOffset, cOffset);
  if (m === 0 || n === 0) return;
  const acc = new Float64Array(n);
  // Strides of op(A)(i, p): element = a[aOffset + i*aRs + p*aCs].
  const aRs = transA ? 1 : lda;
  const aCs = transA ? lda : 1;
  for (let i = 0; i < m; i++) {
    const aRow = aOffset + i * aRs;
    if (transB) {
      for (let j = 0; j < n; j++) {
        const bRow = bOffset + j * ldb;
        let s = 0;
        for (let p = 0; p < k; p++) s += a[aRow + p * aCs]! * b[bRow + p]!;
        acc[j] = s;
      }
    } else {
      acc.fill(0);
      for (let p = 0; p < k; p++) {
        const av = a[aRow + p * aCs]!;
        const bRow = bOffset + p * ldb;
        for (let j = 0; j < n; j++) acc[j] += av * b[bRow + j]!;
      }
    }
    const cRow = cOffset + i * ldc;
    if (beta === 0) {
      for (let j = 0; j < n; j++) c[cRow + j] = alpha * acc[j]!;
    } else {
      for (let j = 0; j < n; j++) c[cRow + j] = alpha * acc[j]! + beta * c[cRow + j]!;
    }
  }
}
