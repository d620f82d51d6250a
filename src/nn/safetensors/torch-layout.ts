/**
 * PyTorch ↔ Kirchhoff weight layouts. PyTorch stores conv weights OIHW `[out, in/groups, kH, kW]`;
 * Kirchhoff stores OHWI `[out, kH, kW, in/groups]`. Linear, BatchNorm and LSTM/GRU tensors are identical.
 *
 * Caveat: PyTorch flattens NCHW feature maps in (C, H, W) order, Kirchhoff in (H, W, C) order, so a Linear
 * layer fed directly by a flattened conv map needs its input columns permuted as well; this module does not
 * guess that. Models that pool globally before their classifier (ResNets, MobileNets, DS-CNN) need nothing else.
 */
import type { StateTensor } from "../module.js";

/** Metadata key written by `saveModel`, recording the conv weight layout of the file. */
export const LAYOUT_METADATA_KEY = "kirchhoff.layout";

/** Permutes a PyTorch conv weight `[O, I, kH, kW]` into OHWI `[O, kH, kW, I]`. */
export function oihwToOhwi(t: StateTensor): StateTensor {
  const [o, i, h, w] = t.shape as [number, number, number, number];
  const out = new Float32Array(t.data.length);
  for (let a = 0; a < o; a++)
    for (let b = 0; b < i; b++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++)
          out[((a * h + y) * w + x) * i + b] = t.data[((a * i + b) * h + y) * w + x]!;
  return { data: out, shape: [o, h, w, i] };
}

/** Permutes an OHWI weight `[O, kH, kW, I]` into PyTorch's `[O, I, kH, kW]`. */
export function ohwiToOihw(t: StateTensor): StateTensor {
  const [o, h, w, i] = t.shape as [number, number, number, number];
  const out = new Float32Array(t.data.length);
  for (let a = 0; a < o; a++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let b = 0; b < i; b++)
          out[((a * i + b) * h + y) * w + x] = t.data[((a * h + y) * w + x) * i + b]!;
  return { data: out, shape: [o, i, h, w] };
}

/** A PyTorch state dict in Kirchhoff layout: every 4-D tensor (a conv weight) permuted OIHW → OHWI. */
export function fromTorchLayout(tensors: Map<string, StateTensor>): Map<string, StateTensor> {
  const out = new Map<string, StateTensor>();
  for (const [k, t] of tensors) out.set(k, t.shape.length === 4 ? oihwToOhwi(t) : t);
  return out;
}

/** A Kirchhoff state dict in PyTorch layout (inverse of `fromTorchLayout`). */
export function toTorchLayout(tensors: Map<string, StateTensor>): Map<string, StateTensor> {
  const out = new Map<string, StateTensor>();
  for (const [k, t] of tensors) out.set(k, t.shape.length === 4 ? ohwiToOihw(t) : t);
  return out;
}
