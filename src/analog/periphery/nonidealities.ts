/**
 * Analog MVM non-idealities applied between the MVM and the ADC (aihwkit C++ `applyIrDrop`,
 * `applyOutputWeightNoise`, SPEC 7.2): IR drop along the input wires, and weight read noise per input vector;
 * and the DAC-side input noise and asymmetry applied before the MVM.
 */
import type { Rng } from "../../core/index.js";
import type { IOParameters } from "../config/io.js";
import { type TileWeights, unitsGemm } from "./tile-weights.js";

/**
 * IR drop along the input wires (C++ applyIrDrop): a_i = (K/gRatio)·Σ_j|W_ij||v_j|,
 * c_i = a_i(a_i(0.05a_i − 0.2) + 0.5), y_i −= c_i·irDrop·Σ_j W_ij v_j (1 − (1 − j/K)²).
 */
export function applyIrDrop(
  io: IOParameters,
  tws: readonly TileWeights[],
  v: Float32Array,
  active: Int32Array | null,
  n: number,
  yy: Float32Array,
): void {
  const { outSize: M, inSize: K } = tws[0]!;
  const aux = new Float32Array(2 * n * K);
  const absV = aux.subarray(0, n * K);
  const rampV = aux.subarray(n * K, 2 * n * K);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < K; j++) {
      const u = v[r * K + j]!;
      const d = 1 - j / K;
      absV[r * K + j] = Math.abs(u);
      rampV[r * K + j] = u * (1 - d * d);
    }
  }
  const a = new Float32Array(n * M);
  const ramp = new Float32Array(n * M);
  unitsGemm(tws, true, absV, active, n, K / io.irDropGRatio, a);
  unitsGemm(tws, false, rampV, active, n, 1, ramp);
  for (let i = 0; i < n * M; i++) {
    const ai = a[i]!;
    const c = ai * (ai * (0.05 * ai - 0.2) + 0.5);
    yy[i]! -= c * io.irDrop * ramp[i]!;
  }
}

/** Weight read noise per input vector: PCM_READ σ_i = wNoise·sqrt(Σ_j|W_ij|v_j²), ADDITIVE σ = wNoise·‖v‖₂. */
export function applyWeightNoise(
  io: IOParameters,
  tws: readonly TileWeights[],
  v: Float32Array,
  active: Int32Array | null,
  n: number,
  yy: Float32Array,
  rng: Rng,
): void {
  const { outSize: M, inSize: K } = tws[0]!;
  const wn = io.wNoise;
  const z = rng.fillNormal(new Float32Array(n * M));
  if (io.wNoiseType === "pcmRead") {
    const v2 = new Float32Array(n * K);
    for (let i = 0; i < n * K; i++) v2[i] = v[i]! * v[i]!;
    const s2 = new Float32Array(n * M);
    unitsGemm(tws, true, v2, active, n, 1, s2);
    for (let i = 0; i < n * M; i++) yy[i]! += wn * Math.sqrt(s2[i]!) * z[i]!;
  } else {
    for (let r = 0; r < n; r++) {
      let ss = 0;
      for (let j = 0; j < K; j++) ss += v[r * K + j]! * v[r * K + j]!;
      const sd = wn * Math.sqrt(ss);
      for (let i = 0; i < M; i++) yy[r * M + i]! += sd * z[r * M + i]!;
    }
  }
}

/** DAC output noise (one bulk fill) then asymmetry of negative inputs, in place (C++ CPU order). */
export function applyInputNonIdealities(io: IOParameters, v: Float32Array, len: number, rng: Rng): void {
  const { inpNoise, inpAsymmetry } = io;
  if (inpNoise > 0) {
    const z = rng.fillNormal(new Float32Array(len));
    for (let i = 0; i < len; i++) v[i] = Math.fround(v[i]! + inpNoise * z[i]!);
  }
  if (inpAsymmetry !== 0)
    for (let i = 0; i < len; i++) if (v[i]! < 0) v[i] = Math.fround(v[i]! * (1 - inpAsymmetry));
}
