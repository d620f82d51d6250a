/**
 * The DAC stage of an analog tile pass (SPEC 7.2): noise-management scale, DAC quantisation (round half to
 * even) then clipping, by the backend's fused analogInputPeriphery kernel.
 */
import { type AnalogInputParams, getBackend } from "../../core/index.js";
import { copyUnitInput, type UnitLayout } from "./unit-layout.js";

/**
 * NM scale, DAC quantise then clip, for the n active vectors into v. With `computeNm` the abs-max (or max) NM
 * scale of each vector is computed in the same pass (capped at nmThres > 0); a vector with nm ≤ 0 gets scale
 * 0, which marks an exact-zero output (aihwkit C++). active null: the first n units in order, read straight
 * from x (dense [n, K]); otherwise the bound-management retries (a subset of units) are gathered first.
 */
export function dacStage(
  params: AnalogInputParams,
  x: Float32Array,
  layout: UnitLayout,
  G: number,
  active: Int32Array | null,
  n: number,
  K: number,
  nm: Float64Array,
  red: Float64Array,
  v: Float32Array,
  scales: Float32Array,
): void {
  if (active === null) {
    getBackend().analogInputPeriphery(x, n, K, params, nm, red, v, scales);
    return;
  }
  const xs = new Float32Array(n * K);
  const nmS = new Float64Array(n);
  const redS = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const u = active[r]!;
    copyUnitInput(layout, x, u, G, K, xs, r * K);
    nmS[r] = nm[u]!;
    redS[r] = red[u]!;
  }
  getBackend().analogInputPeriphery(xs, n, K, params, nmS, redS, v, scales);
}
