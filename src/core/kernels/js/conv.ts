/**
 * Reference 2-D convolutions in TypeScript (NHWC activations, OHWI weights, groups, stride, dilation,
 * asymmetric padding). Direct loops over output pixels and kernel taps with float64 accumulation; the
 * native backend must agree with these to float32 rounding.
 */
import type { Conv2dParams, Epilogue } from "../types.js";
import { applyEpilogue } from "./epilogue.js";
import { checkConvParams, checkEpilogue, checkExact, convSizes } from "./validate.js";

/**
 * Calls fn(xPix, yPix, wTap) for every (output pixel, kernel tap) pair whose input pixel lies inside the
 * image: xPix/yPix are element offsets of the pixel's channel 0 in x/y, wTap is the tap index kh*kW+kw.
 */
function forEachTap(p: Conv2dParams, fn: (xPix: number, yPix: number, wTap: number) => void): void {
  for (let n = 0; n < p.n; n++) {
    for (let oh = 0; oh < p.outH; oh++) {
      for (let ow = 0; ow < p.outW; ow++) {
        const yPix = ((n * p.outH + oh) * p.outW + ow) * p.outC;
        for (let kh = 0; kh < p.kH; kh++) {
          const ih = oh * p.strideH - p.padTop + kh * p.dilationH;
          if (ih < 0 || ih >= p.inH) continue;
          for (let kw = 0; kw < p.kW; kw++) {
            const iw = ow * p.strideW - p.padLeft + kw * p.dilationW;
            if (iw < 0 || iw >= p.inW) continue;
            fn(((n * p.inH + ih) * p.inW + iw) * p.inC, yPix, kh * p.kW + kw);
          }
        }
      }
    }
  }
}

export function conv2dForwardJs(
  p: Conv2dParams,
  x: Float32Array,
  w: Float32Array,
  y: Float32Array,
  epilogue?: Epilogue,
): void {
  const op = "conv2dForward";
  const [cg, og] = checkConvParams(op, p);
  const sz = convSizes(p);
  checkExact(op, "x", x, sz.x);
  checkExact(op, "w", w, sz.w);
  checkExact(op, "y", y, sz.y);
  checkEpilogue(op, epilogue, p.outC, sz.y);
  const acc = new Float64Array(sz.y);
  const taps = p.kH * p.kW;
  forEachTap(p, (xPix, yPix, tap) => {
    for (let g = 0; g < p.groups; g++) {
      const xg = xPix + g * cg;
      for (let o = g * og; o < (g + 1) * og; o++) {
        const wRow = (o * taps + tap) * cg;
        let s = 0;
        for (let ci = 0; ci < cg; ci++) s += x[xg + ci]! * w[wRow + ci]!;
        acc[yPix + o]! += s;
      }
    }
  });
  const tmp = new Float32Array(acc);
  applyEpilogue(tmp, y, p.n * p.outH * p.outW, p.outC, epilogue);
}

export function conv2dBackwardInputJs(
  p: Conv2dParams,
  dy: Float32Array,
  w: Float32Array,
  dx: Float32Array,
): void {
  const op = "conv2dBackwardInput";
  const [cg, og] = checkConvParams(op, p);
  const sz = convSizes(p);
  checkExact(op, "dy", dy, sz.y);
  checkExact(op, "w", w, sz.w);
  checkExact(op, "dx", dx, sz.x);
  const acc = new Float64Array(sz.x);
  const taps = p.kH * p.kW;
  forEachTap(p, (xPix, yPix, tap) => {
    for (let g = 0; g < p.groups; g++) {
      const xg = xPix + g * cg;
      for (let o = g * og; o < (g + 1) * og; o++) {
        const d = dy[yPix + o]!;
        const wRow = (o * taps + tap) * cg;
        for (let ci = 0; ci < cg; ci++) acc[xg + ci]! += d * w[wRow + ci]!;
      }
    }
  });
  dx.set(acc);
}

export function conv2dBackwardWeightJs(
  p: Conv2dParams,
  x: Float32Array,
  dy: Float32Array,
  dw: Float32Array,
  dbias?: Float32Array | null,
): void {
  const op = "conv2dBackwardWeight";
  const [cg, og] = checkConvParams(op, p);
  const sz = convSizes(p);
  checkExact(op, "x", x, sz.x);
  checkExact(op, "dy", dy, sz.y);
  checkExact(op, "dw", dw, sz.w);
  if (dbias) checkExact(op, "dbias", dbias, p.outC);
  const acc = new Float64Array(sz.w);
  const taps = p.kH * p.kW;
  forEachTap(p, (xPix, yPix, tap) => {
    for (let g = 0; g < p.groups; g++) {
      const xg = xPix + g * cg;
      for (let o = g * og; o < (g + 1) * og; o++) {
        const d = dy[yPix + o]!;
        const wRow = (o * taps + tap) * cg;
        for (let ci = 0; ci < cg; ci++) acc[wRow + ci]! += d * x[xg + ci]!;
      }
    }
  });
  dw.set(acc);
  if (dbias) {
    const sums = new Float64Array(p.outC);
    const rows = p.n * p.outH * p.outW;
    for (let r = 0; r < rows; r++) for (let c = 0; c < p.outC; c++) sums[c]! += dy[r * p.outC + c]!;
    dbias.set(sums);
  }
}
