/**
 * Turning a digital model into its hardware-aware training twin and back. `toHwa` replaces every Linear and
 * Conv2d (optionally skipping depthwise convolutions) by an HwaLayer, and every LSTM and GRU by an HwaRecurrent,
 * sharing its tensors; `hwaPostStep` runs the clip/remap constraints after an optimiser step; `fromHwa` folds
 * remapping scales into the weights and puts the original layers back, so the result has the digital model's
 * exact state-dict keys.
 */
import { KirchhoffError, type Rng } from "../../core/index.js";
import { type AnyModule, Conv2d, GRU, Linear, LSTM } from "../../nn/index.js";
import type { HwaConfig } from "./config.js";
import { HwaLayer } from "./hwa-layer.js";
import { HwaRecurrent } from "./hwa-recurrent.js";

/** A layer in hardware-aware training: weights on simulated tiles in training forwards. */
export type HwaModule = HwaLayer | HwaRecurrent;

/** Whether toHwa replaces m: a Linear, Conv2d, LSTM or GRU. */
function isHwaTarget(m: AnyModule): m is Linear | Conv2d | LSTM | GRU {
  return m instanceof Linear || m instanceof Conv2d || m instanceof LSTM || m instanceof GRU;
}

export interface ToHwaOptions {
  /**
   * Keep depthwise convolutions (groups > 1) digital (default: `cfg.digitalLayers === "depthwise"`, else
   * false: they are analog too).
   */
  skipGrouped?: boolean;
}

/** Replaces analog-mappable layers in place; returns the HWA layers with their paths. */
export function toHwa(
  model: AnyModule,
  cfg: HwaConfig,
  rng: Rng,
  opts: ToHwaOptions = {},
): [string, HwaModule][] {
  if (isHwaTarget(model)) {
    throw new KirchhoffError(
      "config",
      "toHwa: the model must be a container, not a single Linear/Conv2d/LSTM/GRU layer",
    );
  }
  const out: [string, HwaModule][] = [];
  for (const [path, m] of model.namedModules()) {
    if (!path || !isHwaTarget(m)) continue;
    const skipGrouped = opts.skipGrouped ?? cfg.digitalLayers === "depthwise";
    if (skipGrouped && m instanceof Conv2d && m.groups > 1) continue;
    const r = rng.fork(`hwa:${path}`);
    const layer =
      m instanceof LSTM || m instanceof GRU ? new HwaRecurrent(m, cfg, r) : new HwaLayer(m, cfg, r);
    model.replaceModule(path, layer);
    out.push([path, layer]);
  }
  return out;
}

/** Whether m is a layer in hardware-aware training (HwaLayer or HwaRecurrent). */
export function isHwaModule(m: unknown): m is HwaModule {
  return m instanceof HwaLayer || m instanceof HwaRecurrent;
}

/** HWA layers of a model. */
export function hwaLayers(model: AnyModule): HwaModule[] {
  return model.modules().filter(isHwaModule);
}

/** Clip and remap every HWA layer (call after each optimiser step). */
export function hwaPostStep(model: AnyModule): void {
  for (const l of hwaLayers(model)) l.postStep();
}

/** Restores the digital layers (scales folded in); the model's state dict then matches the digital one. */
export function fromHwa(model: AnyModule): AnyModule {
  for (const [path, m] of model.namedModules()) {
    if (!isHwaModule(m)) continue;
    m.foldScales();
    m.inner.train(m.training);
    model.replaceModule(path, m.inner);
  }
  return model;
}
