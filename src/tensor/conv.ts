/**
 * 2-D convolution on NHWC activations with OHWI weights, through the backend's direct conv kernels.
 * Padding "same" follows TensorFlow SAME (= PyTorch padding="same" for stride 1):
 *   total = max((ceil(in/s) − 1)·s + (k − 1)·d + 1 − in, 0),  before = floor(total/2), after = total − before.
 */
import { type Conv2dParams, configError, getBackend, shapeError } from "../core/index.js";
import { gradAllocUninit } from "./grad-pool.js";
import { spatialPair } from "./shape-utils.js";
import { fromOp, type Tensor } from "./tensor.js";
import { allocActivation } from "./uninit.js";

export type Conv2dPadding = number | readonly [number, number] | "same" | "valid";

export interface Conv2dOptions {
  stride?: number | readonly [number, number];
  padding?: Conv2dPadding;
  dilation?: number | readonly [number, number];
  groups?: number;
}

/** Padding before (top/left) and the output size along one spatial axis. */
function resolveAxis(
  padding: "same" | "valid" | number,
  inSize: number,
  k: number,
  s: number,
  d: number,
): { before: number; out: number } {
  const eff = (k - 1) * d + 1;
  if (padding === "same") {
    const out = Math.ceil(inSize / s);
    const total = Math.max((out - 1) * s + eff - inSize, 0);
    return { before: Math.floor(total / 2), out };
  }
  const p = padding === "valid" ? 0 : padding;
  return { before: p, out: Math.floor((inSize + 2 * p - eff) / s) + 1 };
}

/** Full conv geometry for x [N, H, W, C] and w [O, KH, KW, C/groups]; validates every field. */
export function conv2dGeometry(
  xShape: readonly number[],
  wShape: readonly number[],
  opts: Conv2dOptions = {},
): Conv2dParams {
  if (xShape.length !== 4) throw shapeError("conv2d", "input rank (NHWC)", 4, xShape);
  if (wShape.length !== 4) throw shapeError("conv2d", "weight rank (OHWI)", 4, wShape);
  const [n, inH, inW, inC] = xShape as [number, number, number, number];
  const [outC, kH, kW, cg] = wShape as [number, number, number, number];
  const groups = opts.groups ?? 1;
  if (!(Number.isInteger(groups) && groups >= 1))
    throw configError("conv2d: groups", "a positive integer", groups);
  if (outC % groups !== 0)
    throw shapeError(
      "conv2d",
      `output channels of weight ${JSON.stringify(wShape)} (OHWI)`,
      `a multiple of groups=${groups}`,
      outC,
    );
  if (cg * groups !== inC)
    throw shapeError(
      "conv2d",
      `input channels of input ${JSON.stringify(xShape)} for weight ${JSON.stringify(wShape)} (OHWI, groups=${groups})`,
      cg * groups,
      inC,
    );
  const [strideH, strideW] = spatialPair("conv2d", "stride", opts.stride ?? 1, 1);
  const [dilationH, dilationW] = spatialPair("conv2d", "dilation", opts.dilation ?? 1, 1);
  const padOpt = opts.padding ?? 0;
  let ph: "same" | "valid" | number;
  let pw: "same" | "valid" | number;
  if (padOpt === "same" || padOpt === "valid") ph = pw = padOpt;
  else [ph, pw] = spatialPair("conv2d", "padding", padOpt, 0);
  const h = resolveAxis(ph, inH, kH, strideH, dilationH);
  const w = resolveAxis(pw, inW, kW, strideW, dilationW);
  if (h.out <= 0 || w.out <= 0) {
    throw shapeError(
      "conv2d",
      `positive output size for input ${JSON.stringify(xShape)} and kernel ${kH}x${kW}`,
      ">= 1",
      [h.out, w.out],
    );
  }
  return {
    n,
    inH,
    inW,
    inC,
    outH: h.out,
    outW: w.out,
    outC,
    kH,
    kW,
    strideH,
    strideW,
    padTop: h.before,
    padLeft: w.before,
    dilationH,
    dilationW,
    groups,
  };
}

/** y = conv(x, w) + b; x NHWC, w OHWI [outC, kH, kW, inC/groups], b [outC]. Depthwise: groups = inC. */
export function conv2d(x: Tensor, w: Tensor, b?: Tensor | null, opts: Conv2dOptions = {}): Tensor {
  const p = conv2dGeometry(x.shape, w.shape, opts);
  if (b && (b.ndim !== 1 || b.shape[0] !== p.outC))
    throw shapeError("conv2d", "bias shape", [p.outC], b.shape);
  const out = allocActivation(p.n * p.outH * p.outW * p.outC); // the kernel overwrites y
  getBackend().conv2dForward(p, x.data, w.data, out, b ? { bias: b.data } : undefined);
  const parents = b ? [x, w, b] : [x, w];
  return fromOp("conv2d", out, [p.n, p.outH, p.outW, p.outC], parents, (g) => {
    const be = getBackend();
    let gx: Float32Array | null = null;
    let gw: Float32Array | null = null;
    let gb: Float32Array | null = null;
    if (x.requiresGrad) {
      gx = gradAllocUninit(x.size); // the kernel overwrites dx
      be.conv2dBackwardInput(p, g, w.data, gx);
    }
    const wantB = b?.requiresGrad === true;
    if (w.requiresGrad || wantB) {
      if (wantB) gb = new Float32Array(p.outC);
      const dw = gradAllocUninit(w.size); // the kernel overwrites dw
      be.conv2dBackwardWeight(p, x.data, g, dw, gb);
      if (w.requiresGrad) gw = dw;
    }
    return b ? [gx, gw, gb] : [gx, gw];
  });
}
