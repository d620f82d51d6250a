/**
 * Programming, drift and 1/f read noise of a tile's weights (aihwkit `inference/noise/base.py` flow,
 * SPEC 2.4 and 2.6). `program` draws programming noise and drift exponents ONCE; each `drift(t)` restarts
 * from the programmed weights with fresh read noise (calls do not accumulate).
 */
import { configError, type Rng } from "../../core/index.js";
import type { ConverterConfig, NoiseModelConfig } from "../config/device.js";
import { type Converter, makeConverter } from "./converters.js";
import { type DevicePhysics, devicePhysics } from "./physics.js";

/** The result of programming a tile: the programmed weights and the per-slice drift exponents ν. */
export interface ProgrammedState {
  wProg: Float32Array;
  /** One ν array per conductance slice (empty for the ideal device). */
  nu: Float32Array[];
}

/** Fresh standard normals, one bulk fill. */
function normals(rng: Rng, n: number): Float32Array {
  return rng.fillNormal(new Float32Array(n));
}

/** Checks an inference time (seconds after programming). */
export function checkInferenceTime(tInferenceSec: number, where: string): void {
  if (!(Number.isFinite(tInferenceSec) && tInferenceSec >= 0)) {
    throw configError("tInferenceSec", "a finite time >= 0 seconds", tInferenceSec, where);
  }
}

export class NoiseModel {
  readonly physics: DevicePhysics | null;
  readonly converter: Converter;

  constructor(
    readonly config: NoiseModelConfig,
    converterConfig?: ConverterConfig,
  ) {
    this.physics = devicePhysics(config);
    const gMax = this.physics?.gMaxMicroSiemens ?? 25;
    this.converter = makeConverter(
      converterConfig ?? { type: "singlePair", gMaxMicroSiemens: gMax, gMinMicroSiemens: 0 },
    );
  }

  /** Conductances after programming one slice of targets gT (µS): max(0, gT + scale·σ_prog(gT)·N). */
  programConductances(gT: Float32Array, rng: Rng): Float32Array {
    const p = this.physics!;
    const z = normals(rng, gT.length);
    const out = new Float32Array(gT.length);
    for (let i = 0; i < gT.length; i++) {
      const g = gT[i]!;
      out[i] = Math.max(0, g + p.progNoiseScale * p.progSigma(g) * z[i]!);
    }
    return out;
  }

  /** Drift exponents ν = |μ(gT) + σ(gT)·N|·driftScale drawn from the TARGET conductances (µS). */
  driftExponents(gT: Float32Array, rng: Rng): Float32Array {
    const p = this.physics!;
    const z = normals(rng, gT.length);
    const nu = new Float32Array(gT.length);
    for (let i = 0; i < gT.length; i++) {
      const g = gT[i]!;
      nu[i] = Math.abs(p.nuMean(g) + p.nuStd(g) * z[i]!) * p.driftScale;
    }
    return nu;
  }

  /**
   * Drift (t/t0)^−ν (only if tInferenceSec > 0) plus accumulated 1/f read noise, multiplicative on the
   * drifted conductance with q_s taken at the programmed one; clamped at 0 (SPEC 2.4).
   */
  driftConductances(gProg: Float32Array, nu: Float32Array, tInferenceSec: number, rng: Rng): Float32Array {
    const p = this.physics!;
    const t = tInferenceSec + p.t0Sec;
    const drifts = tInferenceSec > 0;
    const logRatio = Math.log(t / p.t0Sec);
    const timeFactor = Math.sqrt(Math.log((t + p.tReadSec) / (2 * p.tReadSec)));
    const z = normals(rng, gProg.length);
    const out = new Float32Array(gProg.length);
    for (let i = 0; i < gProg.length; i++) {
      const g = gProg[i]!;
      const gDrift = drifts ? g * Math.exp(-nu[i]! * logRatio) : g;
      const sigR = p.readQs(g) * timeFactor;
      const gFin = gDrift + Math.abs(gDrift) * p.readNoiseScale * sigR * z[i]!;
      out[i] = Math.max(gFin, 0);
    }
    return out;
  }

  /**
   * Programs the tile matrix w: converts to conductances with one tile-wide scale, programs every slice and
   * draws its ν. RNG order as aihwkit: prog(slice 0), ν(slice 0), prog(slice 1), ν(slice 1), ...
   */
  program(w: Float32Array, rng: Rng): ProgrammedState {
    if (!this.physics) return { wProg: Float32Array.from(w), nu: [] };
    const map = this.converter.toConductances(w);
    const nu: Float32Array[] = [];
    const progSlices: Float32Array[] = [];
    for (const gT of map.slices) {
      progSlices.push(this.programConductances(gT, rng));
      nu.push(this.driftExponents(gT, rng));
    }
    const wProg = this.converter.toWeights({ ...map, slices: progSlices }, new Float32Array(w.length));
    return { wProg, nu };
  }

  /**
   * Weights at tInferenceSec after programming. The programmed weights are re-mapped to conductances with a
   * NEW scale g_max/max|W_prog| (SPEC 2.6 consequence 1–2); slice k drifts with ν of slice k.
   */
  drift(state: ProgrammedState, tInferenceSec: number, rng: Rng): Float32Array {
    checkInferenceTime(tInferenceSec, "NoiseModel.drift");
    if (!this.physics) return Float32Array.from(state.wProg);
    const map = this.converter.toConductances(state.wProg);
    const slices = map.slices.map((g, k) => this.driftConductances(g, state.nu[k]!, tInferenceSec, rng));
    return this.converter.toWeights({ ...map, slices }, new Float32Array(state.wProg.length));
  }
}
