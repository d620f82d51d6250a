/**
 * Conductance-level statistics of PCM-like devices: programming-noise σ, drift-exponent ν distribution and
 * 1/f read-noise coefficient q_s, each as a function of conductance (µS). The shared program/drift flow that
 * uses them lives in noise-model.ts.
 *
 * - PCM: aihwkit PCMLikeNoiseModel (Nandakumar et al., "Phase-change memory models for deep learning training
 *   and inference", ICECS 2019), SPEC 2.2–2.4.
 * - HERMES: aihwkit HermesNoiseModel, fitted on the IBM HERMES chip (Le Gallo et al., Nat. Electron. 2023;
 *   2-device programming after Vasilopoulos et al., TED 2023), SPEC 2.8.
 * - generic: user polynomial and tables (aihwkit CustomDriftPCMLikeNoiseModel generalised).
 */
import type { ConductanceTable, NoiseModelConfig } from "../config/device.js";

export interface DevicePhysics {
  readonly gMaxMicroSiemens: number;
  /** First read after programming; t_inference counts from t0 (aihwkit `t_0`). */
  readonly t0Sec: number;
  /** 1/f integration time (aihwkit `t_read`). */
  readonly tReadSec: number;
  readonly progNoiseScale: number;
  readonly readNoiseScale: number;
  readonly driftScale: number;
  /** Programming-noise std (µS) at target conductance gTarget (µS). Not clipped (SPEC 2.2). */
  progSigma(gTargetMicroSiemens: number): number;
  /** Drift-exponent mean of the folded normal |μ + σN|, from the TARGET conductance (µS). */
  nuMean(gTargetMicroSiemens: number): number;
  nuStd(gTargetMicroSiemens: number): number;
  /** 1/f read-noise coefficient q_s at the PROGRAMMED conductance (µS). */
  readQs(gProgMicroSiemens: number): number;
}

const clamp = (v: number, lo: number, hi: number): number => (v < lo ? lo : Math.min(v, hi));

/** Σ c_i x^i with coefficients lowest order first. */
export function polyval(coeff: readonly number[], x: number): number {
  let acc = 0;
  for (let i = coeff.length - 1; i >= 0; i--) acc = acc * x + coeff[i]!;
  return acc;
}

/** numpy.interp: piecewise linear, clamped to the end values outside the table. */
export function interp(t: ConductanceTable, g: number): number {
  const xs = t.gMicroSiemens;
  const ys = t.values;
  if (g <= xs[0]!) return ys[0]!;
  const last = xs.length - 1;
  if (g >= xs[last]!) return ys[last]!;
  let i = 1;
  while (xs[i]! < g) i++;
  const x0 = xs[i - 1]!;
  const x1 = xs[i]!;
  return ys[i - 1]! + ((ys[i]! - ys[i - 1]!) * (g - x0)) / (x1 - x0);
}

/** aihwkit PCMLikeNoiseModel statistics (pcm.py lines 100-158). */
function pcmPhysics(cfg: Extract<NoiseModelConfig, { type: "pcm" }>): DevicePhysics {
  const gMax = cfg.gMaxMicroSiemens;
  const progScale = gMax / cfg.progCoeffGMaxReferenceMicroSiemens;
  const rel = (g: number) => Math.max(Math.abs(g / gMax), 1e-7);
  return {
    gMaxMicroSiemens: gMax,
    t0Sec: cfg.t0Sec,
    tReadSec: cfg.tReadSec,
    progNoiseScale: cfg.progNoiseScale,
    readNoiseScale: cfg.readNoiseScale,
    driftScale: cfg.driftScale,
    progSigma: (g) => polyval(cfg.progCoeff, g / gMax) * progScale,
    nuMean: (g) => clamp(-0.0155 * Math.log(rel(g)) + 0.0244, 0.049, 0.1),
    nuStd: (g) => clamp(-0.0125 * Math.log(rel(g)) - 0.0059, 0.008, 0.045),
    readQs: (g) => Math.min(0.0088 / Math.max((Math.abs(g) / gMax) ** 0.65, 1e-3), 0.2),
  };
}

/** aihwkit HermesNoiseModel statistics (noise/hermes.py); coefficients per device count. */
function hermesPhysics(cfg: Extract<NoiseModelConfig, { type: "hermes" }>): DevicePhysics {
  const two = cfg.numDevices === 2;
  const gMax = cfg.gMaxMicroSiemens ?? (two ? 20.7 : 10.35);
  const prog = two
    ? [0.16603222, 4.71806468, -8.48101252, 4.68961419]
    : [0.15781817, 2.32443916, -2.16310839, 0.68841818];
  const rel = (g: number) => Math.max(Math.abs(g / gMax), 1e-7);
  const nuMean = (g: number) => {
    const r = rel(g);
    return r < 0.0945
      ? clamp(-0.0387 * Math.log(r) - 0.0182, 0.072, 0.13)
      : -0.0436 * r * r - 0.0126 * r + 0.0736;
  };
  const nuStd = two
    ? (g: number) => {
        const r = rel(g);
        return r < 0.3055
          ? clamp(-0.0117 * Math.log(r) - 0.0057, 0.0091, 0.04)
          : -0.0118 * r * r + 0.0093 * r + 0.0073;
      }
    : (g: number) => {
        const r = rel(g);
        return r < 0.3039
          ? clamp(-0.012 * Math.log(r) - 0.0023, 0.0124, 0.04)
          : -0.0165 * r * r + 0.0116 * r + 0.0104;
      };
  const readQs = two
    ? (g: number) => {
        const r = rel(g);
        return r < 0.16
          ? clamp(-0.0117 * Math.log(r) - 0.0069, 0.015, 0.04)
          : polyval([0.0123, 0.0211, -0.028, 0.0069], r);
      }
    : (g: number) => {
        const r = rel(g);
        return r < 0.1591
          ? clamp(-0.0078 * Math.log(r) + 0.0038, 0.0179, 0.04)
          : polyval([0.0088, 0.0768, -0.1352, 0.0664], r);
      };
  return {
    gMaxMicroSiemens: gMax,
    t0Sec: cfg.t0Sec ?? (two ? 300 : 200),
    tReadSec: cfg.tReadSec,
    progNoiseScale: cfg.progNoiseScale,
    readNoiseScale: cfg.readNoiseScale,
    driftScale: cfg.driftScale,
    progSigma: (g) => polyval(prog, g / gMax),
    nuMean,
    nuStd,
    readQs,
  };
}

/** A user-parametrised PCM-like device. */
function genericPhysics(cfg: Extract<NoiseModelConfig, { type: "generic" }>): DevicePhysics {
  const gMax = cfg.gMaxMicroSiemens;
  const progScale = gMax / (cfg.progCoeffGMaxReferenceMicroSiemens ?? gMax);
  return {
    gMaxMicroSiemens: gMax,
    t0Sec: cfg.t0Sec,
    tReadSec: cfg.tReadSec,
    progNoiseScale: cfg.progNoiseScale,
    readNoiseScale: cfg.readNoiseScale,
    driftScale: cfg.driftScale,
    progSigma: (g) => polyval(cfg.progCoeff, g / gMax) * progScale,
    nuMean: (g) => interp(cfg.nuMean, g),
    nuStd: (g) => interp(cfg.nuStd, g),
    readQs: (g) => interp(cfg.readNoiseQs, Math.abs(g)),
  };
}

/** Device statistics for a noise-model config (null for the ideal device). */
export function devicePhysics(cfg: NoiseModelConfig): DevicePhysics | null {
  switch (cfg.type) {
    case "pcm":
      return pcmPhysics(cfg);
    case "hermes":
      return hermesPhysics(cfg);
    case "generic":
      return genericPhysics(cfg);
    case "ideal":
      return null;
  }
}
