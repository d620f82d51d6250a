/**
 * BatchNorm calibration of a hardware-aware trained model at the chip's own noise. During HWA training every
 * BatchNorm keeps an exponential average of batch statistics taken under the TRAINING noise (the device's
 * programming noise ×1.5 by default, Rasch et al., Nat. Commun. 2023), so its running variance is that of a
 * noisier chip than the one deployed. After the last epoch the running statistics are replaced by the average
 * batch statistics of a few training batches through the HWA forward with the weight noise at the device's own
 * level (`HwaConfig.bnCalibration`) at the HWA drift horizon: the same estimate AdaBS makes on a drifted chip
 * (Joshi et al., Nat. Commun. 2020), but from the device model, so no chip is needed and it is part of training.
 */

import type { DataLoader } from "../../data/index.js";
import type { AnyModule } from "../../nn/index.js";
import { recalibrateBatchNorm } from "../drift/adabs.js";
import type { BnCalibrationConfig } from "./config.js";
import { hwaLayers, isHwaModule } from "./convert.js";

/**
 * Calibrates the BatchNorm statistics of `model` (still holding its HwaLayers) on `cal.batches` batches of
 * `loader`'s epoch `epoch`; returns the number of samples used. The model is left in eval mode.
 */
export function calibrateHwaBatchNorm(
  model: AnyModule,
  loader: DataLoader,
  cal: BnCalibrationConfig,
  epoch: number,
): number {
  const layers = hwaLayers(model);
  for (const l of layers) {
    const wn = l.config.weightNoise;
    l.setCalibrationNoise(cal.stdDev ?? (wn.type === "addNormal" ? wn.stdDev : 1));
  }
  try {
    return recalibrateBatchNorm(model, { loader, batches: cal.batches, epoch }, isHwaModule);
  } finally {
    for (const l of layers) l.setCalibrationNoise(null);
  }
}
