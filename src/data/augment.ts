/**
 * Image augmentations for NHWC batches (shape [B, H, W, C]), each a `BatchTransform` taking every random
 * draw from the Rng the DataLoader hands it (so augmentation is reproducible and resume-safe).
 */
import { configError, KirchhoffError, type Rng } from "../core/index.js";
import type { Batch, BatchTransform } from "./loader.js";

function imageDims(batch: Batch, op: string): [number, number, number, number] {
  if (batch.shape.length !== 4) {
    throw new KirchhoffError(
      "shape",
      `${op}: expected an NHWC batch [B, H, W, C], got ${JSON.stringify(batch.shape)}`,
    );
  }
  return batch.shape as [number, number, number, number];
}

/** Reflect index i into [0, n) without repeating the edge (numpy/PyTorch "reflect"). */
function reflect(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  i = ((i % period) + period) % period;
  return i < n ? i : period - i;
}

export interface RandomCropOptions {
  /** Pixels of padding on every side before cropping back to H×W (CIFAR recipe: 4). */
  padding: number;
  /** "zero" (default) or "reflect". */
  mode?: "zero" | "reflect";
}

/** Pads each image by `padding` and crops a random H×W window (offset uniform in 0..2·padding). */
export function randomCrop(opts: RandomCropOptions): BatchTransform {
  const p = opts.padding;
  if (!(Number.isInteger(p) && p >= 0)) throw configError("randomCrop.padding", "a non-negative integer", p);
  const reflectMode = (opts.mode ?? "zero") === "reflect";
  return (batch: Batch, rng: Rng) => {
    const [b, h, w, c] = imageDims(batch, "randomCrop");
    const per = h * w * c;
    const tmp = new Float32Array(per);
    for (let n = 0; n < b; n++) {
      const dy = rng.int(2 * p + 1) - p;
      const dx = rng.int(2 * p + 1) - p;
      const img = batch.x.subarray(n * per, (n + 1) * per);
      for (let y = 0; y < h; y++) {
        let sy = y + dy;
        const rowOut = sy < 0 || sy >= h;
        if (rowOut && reflectMode) sy = reflect(sy, h);
        for (let x = 0; x < w; x++) {
          let sx = x + dx;
          const o = (y * w + x) * c;
          const colOut = sx < 0 || sx >= w;
          if ((rowOut || colOut) && !reflectMode) {
            tmp.fill(0, o, o + c);
            continue;
          }
          if (colOut) sx = reflect(sx, w);
          const s = (sy * w + sx) * c;
          for (let k = 0; k < c; k++) tmp[o + k] = img[s + k]!;
        }
      }
      img.set(tmp);
    }
  };
}

/** Mirrors each image left-right with probability `p` (default 0.5). */
export function horizontalFlip(p = 0.5): BatchTransform {
  if (!(p >= 0 && p <= 1)) throw configError("horizontalFlip.p", "a probability in [0, 1]", p);
  return (batch: Batch, rng: Rng) => {
    const [b, h, w, c] = imageDims(batch, "horizontalFlip");
    const per = h * w * c;
    for (let n = 0; n < b; n++) {
      if (!(rng.uniform() < p)) continue;
      const base = n * per;
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w >> 1; x++) {
          const a = base + (y * w + x) * c;
          const z = base + (y * w + (w - 1 - x)) * c;
          for (let k = 0; k < c; k++) {
            const t = batch.x[a + k]!;
            batch.x[a + k] = batch.x[z + k]!;
            batch.x[z + k] = t;
          }
        }
      }
    }
  };
}

export interface CutoutOptions {
  /** Side of the square hole in pixels (DeVries & Taylor 2017 use 16 for CIFAR-10). */
  size: number;
  /** Fill value of the hole (default 0). */
  value?: number;
  /** Probability of applying cutout to an image (default 1). */
  p?: number;
}

/** Zeroes (or fills) one size×size square per image centred at a uniform pixel, clipped at the border. */
export function cutout(opts: CutoutOptions): BatchTransform {
  const s = opts.size;
  if (!(Number.isInteger(s) && s > 0)) throw configError("cutout.size", "a positive integer", s);
  const value = opts.value ?? 0;
  const prob = opts.p ?? 1;
  return (batch: Batch, rng: Rng) => {
    const [b, h, w, c] = imageDims(batch, "cutout");
    const per = h * w * c;
    for (let n = 0; n < b; n++) {
      const cy = rng.int(h);
      const cx = rng.int(w);
      if (!(rng.uniform() < prob)) continue;
      const y0 = Math.max(0, cy - (s >> 1));
      const y1 = Math.min(h, cy - (s >> 1) + s);
      const x0 = Math.max(0, cx - (s >> 1));
      const x1 = Math.min(w, cx - (s >> 1) + s);
      for (let y = y0; y < y1; y++) {
        const o = n * per + (y * w + x0) * c;
        batch.x.fill(value, o, o + (x1 - x0) * c);
      }
    }
  };
}
