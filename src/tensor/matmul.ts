/** Matrix products through the backend's sgemm (transpose flags, never explicit transposes). */
import { getBackend, shapeError } from "../core/index.js";
import { gradAlloc } from "./grad-pool.js";
import { fromOp, type Tensor } from "./tensor.js";

/**
 * a [..., M, K] · b [K, N] → [..., M, N] (leading dims of a are batch rows), or batched
 * a [B..., M, K] · b [B..., K, N] when b has the same leading dims.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim < 2 || b.ndim < 2) throw shapeError("matmul", "operand ranks (>= 2)", [2, 2], [a.ndim, b.ndim]);
  const k = a.shape[a.ndim - 1]!;
  const kb = b.shape[b.ndim - 2]!;
  if (k !== kb)
    throw shapeError(
      "matmul",
      `inner dims of ${JSON.stringify(a.shape)} · ${JSON.stringify(b.shape)}`,
      k,
      kb,
    );
  const n = b.shape[b.ndim - 1]!;
  const be = getBackend();
  if (b.ndim === 2) {
    const rows = a.shape.slice(0, -1).reduce((x, y) => x * y, 1);
    const out = new Float32Array(rows * n);
    if (rows > 0 && n > 0) be.sgemm(false, false, rows, n, k, 1, a.data, k, b.data, n, 0, out, n);
    const shape = [...a.shape.slice(0, -1), n];
    return fromOp("matmul", out, shape, [a, b], (g) => {
      let ga: Float32Array | null = null;
      let gb: Float32Array | null = null;
      if (a.requiresGrad) {
        ga = gradAlloc(a.size);
        if (rows > 0 && k > 0) getBackend().sgemm(false, true, rows, k, n, 1, g, n, b.data, n, 0, ga, k);
      }
      if (b.requiresGrad) {
        gb = gradAlloc(b.size);
        if (k > 0 && n > 0) getBackend().sgemm(true, false, k, n, rows, 1, a.data, k, g, n, 0, gb, n);
      }
      return [ga, gb];
    });
  }
  const lead = a.shape.slice(0, -2);
  const leadB = b.shape.slice(0, -2);
  if (lead.length !== leadB.length || lead.some((d, i) => d !== leadB[i])) {
    throw shapeError("matmul", "batch dims of b (equal to a's)", lead, leadB);
  }
  const m = a.shape[a.ndim - 2]!;
  const batch = lead.reduce((x, y) => x * y, 1);
  const out = new Float32Array(batch * m * n);
  for (let t = 0; t < batch; t++)
    be.sgemm(false, false, m, n, k, 1, a.data, k, b.data, n, 0, out, n, t * m * k, t * k * n, t * m * n);
  const shape = [...lead, m, n];
  return fromOp("matmul", out, shape, [a, b], (g) => {
    const bk = getBackend();
    let ga: Float32Array | null = null;
    let gb: Float32Array | null = null;
    if (a.requiresGrad) {
      ga = gradAlloc(a.size);
      for (let t = 0; t < batch; t++)
        bk.sgemm(false, true, m, k, n, 1, g, n, b.data, n, 0, ga, k, t * m * n, t * k * n, t * m * k);
    }
    if (b.requiresGrad) {
      gb = gradAlloc(b.size);
      for (let t = 0; t < batch; t++)
        bk.sgemm(true, false, k, n, m, 1, a.data, k, g, n, 0, gb, n, t * m * k, t * m * n, t * k * n);
    }
    return [ga, gb];
  });
}

/** y = x · wᵀ + b with x [..., in], w [out, in] (PyTorch layout), b [out]. */
export function linear(x: Tensor, w: Tensor, b?: Tensor | null): Tensor {
  if (w.ndim !== 2) throw shapeError("linear", "weight rank ([out, in])", 2, w.shape);
  if (x.ndim < 1) throw shapeError("linear", "input rank (>= 1)", 1, x.shape);
  const [outF, inF] = w.shape as [number, number];
  const xin = x.shape[x.ndim - 1]!;
  if (xin !== inF)
    throw shapeError(
      "linear",
      `input features of ${JSON.stringify(x.shape)} for weight ${JSON.stringify(w.shape)}`,
      inF,
      xin,
    );
  if (b && (b.ndim !== 1 || b.shape[0] !== outF)) throw shapeError("linear", "bias shape", [outF], b.shape);
  const rows = x.shape.slice(0, -1).reduce((p, q) => p * q, 1);
  const out = new Float32Array(rows * outF);
  if (b) for (let r = 0; r < rows; r++) out.set(b.data, r * outF);
  if (rows > 0 && outF > 0 && inF > 0)
    getBackend().sgemm(false, true, rows, outF, inF, 1, x.data, inF, w.data, inF, b ? 1 : 0, out, outF);
  const shape = [...x.shape.slice(0, -1), outF];
  const parents = b ? [x, w, b] : [x, w];
  return fromOp("linear", out, shape, parents, (g) => {
    const be = getBackend();
    let gx: Float32Array | null = null;
    let gw: Float32Array | null = null;
    if (x.requiresGrad) {
      gx = gradAlloc(x.size);
      if (rows > 0 && inF > 0 && outF > 0)
        be.sgemm(false, false, rows, inF, outF, 1, g, outF, w.data, inF, 0, gx, inF);
    }
    if (w.requiresGrad) {
      gw = gradAlloc(w.size);
      if (rows > 0 && inF > 0 && outF > 0)
        be.sgemm(true, false, outF, inF, rows, 1, g, outF, x.data, inF, 0, gw, inF);
    }
    const grads: (Float32Array | null)[] = [gx, gw];
    if (b) {
      let gb: Float32Array | null = null;
      if (b.requiresGrad) {
        gb = new Float32Array(outF);
        for (let r = 0; r < rows; r++) {
          const base = r * outF;
          for (let j = 0; j < outF; j++) gb[j]! += g[base + j]!;
        }
      }
      grads.push(gb);
    }
    return grads;
  });
}
