/**
 * Turning a digital model into its hardware-aware training twin and back. `toHwa` replaces every Linear and
 * Conv2d (optionally skipping depthwise convolutions) by an HwaLayer sharing its tensors; `hwaPostStep` runs the
 * clip/remap constraints after an optimiser step; `fromHwa` folds remapping scales into the weights and puts the
 * original layers back, so the result has the digital model's exact state-dict keys.
 */
import { KirchhoffError, type Rng } from "../../core/index.js";
import { type AnyModule, Conv2d, Linear } from "../../nn/index.js";
import type { HwaConfig } from "./config.js";
import { HwaLayer } from "./hwa-layer.js";

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
): [string, HwaLayer][] {
  if (model instanceof Linear || model instanceof Conv2d) {
    throw new KirchhoffError(
      "config",
      "toHwa: the model must be a container, not a single Linear/Conv2d layer",
    );
  }
  const out: [string, HwaLayer][] = [];
  for (const [path, m] of model.namedModules()) {
    if (!path || !(m instanceof Linear || m instanceof Conv2d)) continue;
    const skipGrouped = opts.skipGrouped ?? cfg.digitalLayers === "depthwise";
    if (skipGrouped && m instanceof Conv2d && m.groups > 1) continue;
    const layer = new HwaLayer(m, cfg, rng.fork(`hwa:${path}`));
    model.replaceModule(path, layer);
    out.push([path, layer]);
  }
  return out;
}

/** HWA layers of a model. */
export function hwaLayers(model: AnyModule): HwaLayer[] {
  return model.modules().filter((m): m is HwaLayer => m instanceof HwaLayer);
}

/** Clip and remap every HWA layer (call after each optimiser step). */
export function hwaPostStep(model: AnyModule): void {
  for (const l of hwaLayers(model)) l.postStep();
}

/** Restores the digital layers (scales folded in); the model's state dict then matches the digital one. */
export function fromHwa(model: AnyModule): AnyModule {
  for (const [path, m] of model.namedModules()) {
    if (!(m instanceof HwaLayer)) continue;
    m.foldScales();
    m.inner.train(m.training);
    model.replaceModule(path, m.inner);
  }
  return model;
}
