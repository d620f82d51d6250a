/**
 * Weight noise injected in the HWA training forward pass (aihwkit WeightModifier, SPEC §9.3), on plain arrays:
 * a fresh noisy copy of the weights per mini-batch, relative to each tile's max|W|.
 */

import type { DevicePhysics, NoiseModel } from "../../analog/index.js";
import type { Rng } from "../../core/index.js";
import type { WeightNoiseConfig } from "./config.js";
import { forEachTile, type TileGrid, tileAbsMax } from "./tiles.js";

/**
 * Returns a noisy copy of w (`[out, fanIn]` row-major, tiled by `grid`):
 * - addNormal: w + stdDev·amax·N;
 * - pcmProg: sign(w)·|w + amax·stdDev·σ(|w|/amax·g_max)/g_max·N| with σ the device's programming-noise std (µS),
 *   times exp(−σ_ν(g)·N'·ln((t + t0)/t0)) when `tInferenceSec` > 0 (drift-exponent spread at that time).
 * All draws come from one bulk fill of `rng`.
 */
export function noisyWeights(
  w: Float32Array,
  grid: TileGrid,
  cfg: WeightNoiseConfig,
  physics: DevicePhysics | null,
  rng: Rng,
): Float32Array {
  const out = w.slice();
  const driftTerm = cfg.type === "pcmProg" && (cfg.tInferenceSec ?? 0) > 0;
  if (cfg.type === "none" || (cfg.stdDev === 0 && !driftTerm)) return out;
  const z = rng.fillNormal(new Float32Array(w.length));
  const amax = tileAbsMax(w, grid);
  const fanIn = grid.fanIn;
  if (cfg.type === "addNormal") {
    forEachTile(grid, (t, r0, r1, c0, c1) => {
      const s = cfg.stdDev * amax[t]!;
      for (let r = r0; r < r1; r++) {
        for (let i = r * fanIn + c0, e = r * fanIn + c1; i < e; i++) out[i] = w[i]! + s * z[i]!;
      }
    });
    return out;
  }
  const p = physics!;
  const gMax = p.gMaxMicroSiemens;
  const tSec = cfg.tInferenceSec ?? 0;
  // Drift-exponent spread after global compensation: (t/t0)^(−Δν) with Δν = σ_ν(g)·N (the mean drift is
  // compensated, like aihwkit's PCM_NOISE modifier which keeps only the ν variation).
  const logT = tSec > 0 ? Math.log((tSec + p.t0Sec) / p.t0Sec) : 0;
  const z2 = logT > 0 ? rng.fillNormal(new Float32Array(w.length)) : null;
  forEachTile(grid, (t, r0, r1, c0, c1) => {
    const a = amax[t]!;
    const k = (cfg.stdDev * a) / gMax;
    for (let r = r0; r < r1; r++) {
      for (let i = r * fanIn + c0, e = r * fanIn + c1; i < e; i++) {
        const v = w[i]!;
        const g = (Math.abs(v) / a) * gMax;
        let noisy = Math.abs(v + k * p.progSigma(g) * z[i]!);
        if (z2) noisy *= Math.exp(-p.nuStd(g) * z2[i]! * logT);
        out[i] = v < 0 ? -noisy : noisy;
      }
    }
  });
  return out;
}

/**
 * Drift time (s) of one `chip` training forward: drawn log-uniformly from `tRangeSec` = [min, max] when set
 * (ln t uniform, so each decade of the window is equally likely; one `rng.uniform()` draw), else the fixed
 * `tInferenceSec` (0 when unset) without touching `rng`.
 */
export function drawDriftTimeSec(cfg: WeightNoiseConfig, rng: Rng): number {
  const range = cfg.tRangeSec;
  if (!range) return cfg.tInferenceSec ?? 0;
  const [lo, hi] = range;
  if (lo === hi) return lo;
  return Math.exp(Math.log(lo) + rng.uniform() * (Math.log(hi) - Math.log(lo)));
}

/**
 * `chip` weight noise: each tile goes through the preset's own device model exactly as the chip evaluation
 * does it (aihwkit flow, SPEC 2.4, 2.6, 5.2): per-output weight scaling to max|row| = 1 (ω = 1 columnwise),
 * `noise.program` (programming noise, conductance-dependent drift exponents ν(g) via the preset's converter),
 * `noise.drift` to `tInferenceSec` (the g-dependent MEAN drift, its spread and the 1/f read noise), then global
 * drift compensation α = mean|W_prog| / mean|W_t| per tile (the eye-readout ratio without its output noise),
 * and the row scales put back. Unlike `pcmProg` this includes the systematic part of drift: on HERMES small
 * conductances drift with ν ≈ 0.07–0.13 but g_max with ν ≈ 0.017 (Le Gallo et al., Nat. Electron. 2023),
 * so after one month small weights shrink ~2.5× relative to large ones, a distortion global compensation
 * cannot undo and which HWA training must see. `noise` carries the noise scales (e.g. progNoiseScale).
 */
export function chipNoisyWeights(
  w: Float32Array,
  grid: TileGrid,
  noise: NoiseModel,
  tInferenceSec: number,
  rng: Rng,
): Float32Array {
  const out = w.slice();
  const fanIn = grid.fanIn;
  forEachTile(grid, (_t, r0, r1, c0, c1) => {
    const rows = r1 - r0;
    const cols = c1 - c0;
    const tile = new Float32Array(rows * cols);
    const rowScale = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      let m = 0;
      for (let c = 0; c < cols; c++) m = Math.max(m, Math.abs(w[(r0 + r) * fanIn + c0 + c]!));
      const s = m > 0 ? m : 1;
      rowScale[r] = s;
      for (let c = 0; c < cols; c++) tile[r * cols + c] = w[(r0 + r) * fanIn + c0 + c]! / s;
    }
    const state = noise.program(tile, rng);
    const wt = noise.drift(state, tInferenceSec, rng);
    let sumProg = 0;
    let sumNow = 0;
    for (let i = 0; i < wt.length; i++) {
      sumProg += Math.abs(state.wProg[i]!);
      sumNow += Math.abs(wt[i]!);
    }
    const alpha = sumNow > 0 ? sumProg / sumNow : 1;
    for (let r = 0; r < rows; r++) {
      const k = alpha * rowScale[r]!;
      for (let c = 0; c < cols; c++) out[(r0 + r) * fanIn + c0 + c] = wt[r * cols + c]! * k;
    }
  });
  return out;
}
