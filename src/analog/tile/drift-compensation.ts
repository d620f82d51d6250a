/**
 * Drift compensation (aihwkit `inference/compensation`, SPEC section 3). The tile is read out with one-hot
 * inputs eye(inSize) through the raw analog MVM (all IO non-idealities, no periphery scaling); the readout is
 * mean|Y| (global, one value) or mean over inputs per output (per column), floored at 1e-4. The baseline is
 * taken right after programming; after each drift alpha = baseline / readout(now) scales eval outputs.
 */
import type { Rng } from "../../core/index.js";
import type { DriftCompensation } from "../config/device.js";
import type { AnalogMvm } from "../periphery/analog-mvm.js";
import type { TileWeights } from "../periphery/tile-weights.js";

/** Readout vector: length 1 (global) or outSize (per column); null when compensation is off. */
export function driftReadout(
  kind: DriftCompensation,
  mvm: AnalogMvm,
  tw: TileWeights,
  rng: Rng,
): Float64Array | null {
  if (kind === "none") return null;
  const { outSize: M, inSize: K } = tw;
  const eye = new Float32Array(K * K);
  for (let j = 0; j < K; j++) eye[j * K + j] = 1;
  const y = mvm.forward(tw, eye, K, new Float32Array(K * M), rng);
  if (kind === "global") {
    let s = 0;
    for (let i = 0; i < y.length; i++) s += Math.abs(y[i]!);
    return Float64Array.of(Math.max(s / y.length, 1e-4));
  }
  const col = new Float64Array(M);
  for (let j = 0; j < K; j++) for (let i = 0; i < M; i++) col[i]! += Math.abs(y[j * M + i]!);
  for (let i = 0; i < M; i++) col[i] = Math.max(col[i]! / K, 1e-4);
  return col;
}

/** alpha = baseline / current, element-wise (float32, one value or one per output). */
export function compensationAlpha(baseline: Float64Array, current: Float64Array): Float32Array {
  return Float32Array.from(baseline, (b, i) => b / current[i]!);
}
