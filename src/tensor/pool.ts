/**
 * Pooling on NHWC tensors (floor output size, PyTorch defaults): maxPool2d (padding counts as −∞),
 * avgPool2d (count_include_pad = true: every window divides by kH·kW), globalAvgPool2d → [N, C].
 */
import { configError, getBackend, shapeError } from "../core/index.js";
import { gradAlloc, gradAllocUninit } from "./grad-pool.js";
import { spatialPair } from "./shape-utils.js";
import { fromOp, type Tensor } from "./tensor.js";

type Pair = number | readonly [number, number];

interface PoolGeometry {
  n: number;
  h: number;
  w: number;
  c: number;
  kH: number;
  kW: number;
  sH: number;
  sW: number;
  pH: number;
  pW: number;
  outH: number;
  outW: number;
}

function geometry(op: string, x: Tensor, k: Pair, stride: Pair | undefined, padding: Pair): PoolGeometry {
  if (x.ndim !== 4) throw shapeError(op, "input rank (NHWC)", 4, x.shape);
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const [kH, kW] = spatialPair(op, "kernel", k, 1);
  const [sH, sW] = spatialPair(op, "stride", stride ?? k, 1);
  const [pH, pW] = spatialPair(op, "padding", padding, 0);
  if (2 * pH > kH || 2 * pW > kW)
    throw configError(`${op}: padding`, "at most half the kernel size", padding);
  const outH = Math.floor((h + 2 * pH - kH) / sH) + 1;
  const outW = Math.floor((w + 2 * pW - kW) / sW) + 1;
  if (outH <= 0 || outW <= 0)
    throw shapeError(op, `positive output size for input ${JSON.stringify(x.shape)}`, ">= 1", [outH, outW]);
  return { n, h, w, c, kH, kW, sH, sW, pH, pW, outH, outW };
}

/**
 * Calls `visit(ob, ib)` for every output position and every in-bounds input position of its window
 * (padding skipped): `ob` / `ib` are the NHWC offsets of channel 0 of the output / input pixel.
 */
function forEachWindowTap(p: PoolGeometry, visit: (ob: number, ib: number) => void): void {
  const { n, h, w, c, kH, kW, sH, sW, pH, pW, outH, outW } = p;
  for (let b = 0; b < n; b++) {
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        const ob = ((b * outH + oh) * outW + ow) * c;
        for (let i = 0; i < kH; i++) {
          const ih = oh * sH - pH + i;
          if (ih < 0 || ih >= h) continue;
          for (let j = 0; j < kW; j++) {
            const iw = ow * sW - pW + j;
            if (iw < 0 || iw >= w) continue;
            visit(ob, ((b * h + ih) * w + iw) * c);
          }
        }
      }
    }
  }
}

/** Max over kH×kW windows; the gradient goes to the (first) maximal input of each window. */
export function maxPool2d(x: Tensor, k: Pair, stride?: Pair, padding: Pair = 0): Tensor {
  const p = geometry("maxPool2d", x, k, stride, padding);
  const { n, c, outH, outW } = p;
  const d = x.data;
  const out = new Float32Array(n * outH * outW * c).fill(-Infinity);
  const arg = new Int32Array(out.length).fill(-1);
  forEachWindowTap(p, (ob, ib) => {
    for (let ch = 0; ch < c; ch++) {
      const v = d[ib + ch]!;
      if (v > out[ob + ch]! || arg[ob + ch] === -1 || (Number.isNaN(v) && !Number.isNaN(out[ob + ch]!))) {
        out[ob + ch] = v;
        arg[ob + ch] = ib + ch;
      }
    }
  });
  return fromOp("maxPool2d", out, [n, outH, outW, c], [x], (g) => {
    const gx = gradAlloc(d.length);
    for (let i = 0; i < g.length; i++) {
      const a = arg[i]!;
      if (a >= 0) gx[a]! += g[i]!;
    }
    return [gx];
  });
}

/** Mean over kH×kW windows, zero padding counted in the divisor (PyTorch count_include_pad = true). */
export function avgPool2d(x: Tensor, k: Pair, stride?: Pair, padding: Pair = 0): Tensor {
  const p = geometry("avgPool2d", x, k, stride, padding);
  const { n, c, kH, kW, outH, outW } = p;
  const inv = 1 / (kH * kW);
  const d = x.data;
  const out = new Float32Array(n * outH * outW * c);
  forEachWindowTap(p, (ob, ib) => {
    for (let ch = 0; ch < c; ch++) out[ob + ch]! += d[ib + ch]!;
  });
  for (let i = 0; i < out.length; i++) out[i]! *= inv;
  return fromOp("avgPool2d", out, [n, outH, outW, c], [x], (g) => {
    const gx = gradAlloc(d.length);
    forEachWindowTap(p, (ob, ib) => {
      for (let ch = 0; ch < c; ch++) gx[ib + ch]! += g[ob + ch]! * inv;
    });
    return [gx];
  });
}

/** Mean over H and W: [N, H, W, C] → [N, C]. */
export function globalAvgPool2d(x: Tensor): Tensor {
  if (x.ndim !== 4) throw shapeError("globalAvgPool2d", "input rank (NHWC)", 4, x.shape);
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const hw = h * w;
  if (hw === 0) throw shapeError("globalAvgPool2d", "non-empty spatial size", ">= 1", [h, w]);
  const inv = 1 / hw;
  const d = x.data;
  const out = new Float32Array(n * c);
  // Per-sample channel sums through the backend (vectorised, float64 accumulation); sumSq is a by-product.
  const be = getBackend();
  const sum = new Float64Array(c);
  const sumSq = new Float64Array(c);
  for (let b = 0; b < n && c > 0; b++) {
    be.channelStats(d.subarray(b * hw * c, (b + 1) * hw * c), hw, c, sum, sumSq);
    for (let ch = 0; ch < c; ch++) out[b * c + ch] = sum[ch]! * inv;
  }
  return fromOp("globalAvgPool2d", out, [n, c], [x], (g) => {
    // Every spatial position of sample b receives g[b, :]/hw: write one row, then copy it by doubling.
    const gx = gradAllocUninit(d.length);
    const span = hw * c;
    for (let b = 0; b < n; b++) {
      const base = b * span;
      for (let ch = 0; ch < c; ch++) gx[base + ch] = g[b * c + ch]! * inv;
      for (let filled = c; filled < span; filled *= 2)
        gx.copyWithin(base + filled, base, base + Math.min(filled, span - filled));
    }
    return [gx];
  });
}
