/**
 * Bilinear resize of 8-bit RGB to float NHWC, with half-pixel centres (the convention of TF2's
 * tf.image.resize(method="bilinear") and PyTorch's interpolate(align_corners=False), no antialiasing):
 * source coordinate = (dst + 0.5) · in/out − 0.5, clamped to the image.
 */
import type { RgbImage } from "./png.js";

/** Writes `outH × outW × 3` floats (pixel · scale) into `out` at `offset`. */
export function resizeBilinearRgb(
  img: RgbImage,
  outH: number,
  outW: number,
  out: Float32Array,
  offset = 0,
  scale = 1 / 255,
): void {
  const { width: w, height: h, data } = img;
  const sy = h / outH;
  const sx = w / outW;
  for (let y = 0; y < outH; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), h - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, h - 1);
    const wy = fy - y0;
    for (let x = 0; x < outW; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), w - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, w - 1);
      const wx = fx - x0;
      const o = offset + (y * outW + x) * 3;
      for (let k = 0; k < 3; k++) {
        const a = data[(y0 * w + x0) * 3 + k]!;
        const b = data[(y0 * w + x1) * 3 + k]!;
        const c = data[(y1 * w + x0) * 3 + k]!;
        const d = data[(y1 * w + x1) * 3 + k]!;
        const top = a + (b - a) * wx;
        const bot = c + (d - c) * wx;
        out[o + k] = (top + (bot - top) * wy) * scale;
      }
    }
  }
}
