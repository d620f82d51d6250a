/**
 * Fused epilogue in TypeScript: y = act(acc·scale[c] + shift[c] + bias[c] + residual[i]), applied in place
 * to a [rows, channels] block. Shared by conv2dForward and channelAffine of the js backend.
 */
import type { Activation, Epilogue } from "../types.js";

/** Applies the activation to one value (NaN passes through relu/relu6 unchanged). */
export function activate(v: number, act: Activation): number {
  if (act === "relu") return Math.max(v, 0);
  if (act === "relu6") return v < 0 ? 0 : Math.min(v, 6);
  return v;
}

/**
 * Writes y[r*channels + c] = epilogue(src[r*channels + c]) for r in [0, rows). `src` and `y` may be the
 * same array. `residual` is indexed like `y`.
 */
export function applyEpilogue(
  src: Float32Array,
  y: Float32Array,
  rows: number,
  channels: number,
  e: Epilogue | undefined,
): void {
  const scale = e?.scale ?? null;
  const shift = e?.shift ?? null;
  const bias = e?.bias ?? null;
  const res = e?.residual ?? null;
  const act: Activation = e?.act ?? "none";
  if (!scale && !shift && !bias && !res && act === "none") {
    if (src !== y) y.set(src.subarray(0, rows * channels));
    return;
  }
  for (let r = 0; r < rows; r++) {
    const base = r * channels;
    for (let c = 0; c < channels; c++) {
      let v = src[base + c]!;
      if (scale) v *= scale[c]!;
      if (shift) v += shift[c]!;
      if (bias) v += bias[c]!;
      if (res) v += res[base + c]!;
      y[base + c] = activate(v, act);
    }
  }
}
