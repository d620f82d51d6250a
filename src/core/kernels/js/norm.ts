/**
 * Per-channel kernels over a [rows, channels] view (channels-last feature maps flattened to rows):
 * statistics for batch norm, the affine/activation epilogue, and training-mode batch-norm backward.
 */
import type { Activation, Epilogue } from "../types.js";
import { applyEpilogue } from "./epilogue.js";
import { checkAct, checkDim, checkEpilogue, checkExact } from "./validate.js";

/** Validates channelStats arguments (shared with the native wrapper). */
export function checkChannelStats(
  x: Float32Array,
  rows: number,
  channels: number,
  sum: Float64Array,
  sumSq: Float64Array,
): void {
  const op = "channelStats";
  checkDim(op, "rows", rows);
  checkDim(op, "channels", channels);
  checkExact(op, "x", x, rows * channels);
  checkExact(op, "sum", sum, channels, Float64Array);
  checkExact(op, "sumSq", sumSq, channels, Float64Array);
}

/** Validates channelAffine arguments (shared with the native wrapper). */
export function checkChannelAffine(
  x: Float32Array,
  rows: number,
  channels: number,
  y: Float32Array,
  epilogue: Epilogue,
): void {
  const op = "channelAffine";
  checkDim(op, "rows", rows);
  checkDim(op, "channels", channels);
  checkExact(op, "x", x, rows * channels);
  checkExact(op, "y", y, rows * channels);
  checkEpilogue(op, epilogue, channels, rows * channels);
}

/** Validates batchNormBackward arguments (shared with the native wrapper). */
export function checkBatchNormBackward(
  x: Float32Array,
  dy: Float32Array,
  rows: number,
  channels: number,
  mean: Float32Array,
  invStd: Float32Array,
  gamma: Float32Array,
  dx: Float32Array,
  dGamma: Float32Array,
  dBeta: Float32Array,
  act: Activation,
  actOut: Float32Array | null,
  maskedDy: Float32Array | null,
): void {
  const op = "batchNormBackward";
  checkDim(op, "rows", rows);
  checkDim(op, "channels", channels);
  const total = rows * channels;
  checkExact(op, "x", x, total);
  checkExact(op, "dy", dy, total);
  checkExact(op, "dx", dx, total);
  for (const [name, a] of [
    ["mean", mean],
    ["invStd", invStd],
    ["gamma", gamma],
    ["dGamma", dGamma],
    ["dBeta", dBeta],
  ] as const) {
    checkExact(op, name, a, channels);
  }
  checkAct(op, act);
  if (act !== "none") checkExact(op, "actOut", actOut, total);
  if (maskedDy !== null) checkExact(op, "maskedDy", maskedDy, total);
}

export function channelStatsJs(
  x: Float32Array,
  rows: number,
  channels: number,
  sum: Float64Array,
  sumSq: Float64Array,
): void {
  checkChannelStats(x, rows, channels, sum, sumSq);
  sum.fill(0);
  sumSq.fill(0);
  for (let r = 0; r < rows; r++) {
    const base = r * channels;
    for (let c = 0; c < channels; c++) {
      const v = x[base + c]!;
      sum[c] += v;
      sumSq[c] += v * v;
    }
  }
}

export function channelAffineJs(
  x: Float32Array,
  rows: number,
  channels: number,
  y: Float32Array,
  epilogue: Epilogue,
): void {
  checkChannelAffine(x, rows, channels, y, epilogue);
  applyEpilogue(x, y, rows, channels, epilogue);
}

/** Gradient mask of the fused activation, evaluated on its output (PyTorch threshold/hardtanh backward). */
export function actMask(act: Activation, out: number): boolean {
  if (act === "relu") return out > 0;
  if (act === "relu6") return out > 0 && out < 6;
  return true;
}

export function batchNormBackwardJs(
  x: Float32Array,
  dy: Float32Array,
  rows: number,
  channels: number,
  mean: Float32Array,
  invStd: Float32Array,
  gamma: Float32Array,
  dx: Float32Array,
  dGamma: Float32Array,
  dBeta: Float32Array,
  act: Activation = "none",
  actOut: Float32Array | null = null,
  maskedDy: Float32Array | null = null,
): void {
  checkBatchNormBackward(
    x,
    dy,
    rows,
    channels,
    mean,
    invStd,
    gamma,
    dx,
    dGamma,
    dBeta,
    act,
    actOut,
    maskedDy,
  );
  const sg = new Float64Array(channels); // Σ g        (g = masked dy)
  const sgx = new Float64Array(channels); // Σ g·x̂
  for (let r = 0; r < rows; r++) {
    const base = r * channels;
    for (let c = 0; c < channels; c++) {
      const i = base + c;
      const g = act === "none" || actMask(act, actOut![i]!) ? dy[i]! : 0;
      if (maskedDy !== null) maskedDy[i] = g;
      sg[c] += g;
      sgx[c] += g * (x[i]! - mean[c]!) * invStd[c]!;
    }
  }
  for (let c = 0; c < channels; c++) {
    dBeta[c] = sg[c]!;
    dGamma[c] = sgx[c]!;
  }
  if (rows === 0) return;
  const invRows = 1 / rows;
  for (let r = 0; r < rows; r++) {
    const base = r * channels;
    for (let c = 0; c < channels; c++) {
      const i = base + c;
      const g = act === "none" || actMask(act, actOut![i]!) ? dy[i]! : 0;
      const xhat = (x[i]! - mean[c]!) * invStd[c]!;
      dx[i] = gamma[c]! * invStd[c]! * (g - invRows * (sg[c]! + xhat * sgx[c]!));
    }
  }
}
