/**
 * The analog tile forward pass y = AnalogMVM(W, x) with aihwkit's C++ periphery order, per input vector
 * (SPEC 7.2): noise management (NM) → DAC quantise then clip → MVM → IR drop → weight read noise → output
 * noise → ADC quantise → bound test and clip → iterative bound management (BM) → ×nm·red·outScale.
 *
 * Work is batched: the whole batch goes through a few tight passes and one sgemm per pass; noise is drawn with
 * one bulk normal fill per pass; BM re-runs only the input vectors whose outputs clipped (as the C++ tile,
 * which manages each vector separately). All-zero input vectors give exact zeros (C++ behaviour, SPEC 8.3).
 */
import type { Rng } from "../../core/index.js";
import { effectiveStep, type IOParameters } from "../config/io.js";
import { applyIrDrop, applyWeightNoise } from "./nonidealities.js";
import { RINT_LIMIT, RINT_MAGIC } from "./quantize.js";
import { type TileWeights, unitsGemm } from "./tile-weights.js";

export class AnalogMvm {
  private readonly stepIn: number;
  private readonly stepOut: number;
  private bufs = {
    v: new Float32Array(0),
    y: new Float32Array(0),
    aux: new Float32Array(0),
    z: new Float32Array(0),
  };

  constructor(readonly io: IOParameters) {
    this.stepIn = effectiveStep(io.inpRes, io.inpBound);
    this.stepOut = effectiveStep(io.outRes, io.outBound);
  }

  private buffer(name: "v" | "y" | "z", n: number): Float32Array {
    if (this.bufs[name].length < n) this.bufs[name] = new Float32Array(n);
    return this.bufs[name];
  }

  /**
   * y[batch, outSize] = AnalogMVM(W, x[batch, inSize]) · post_i + bias_i. Noise is drawn from `rng`.
   * `post` (per-output multiplier, e.g. input range × mapping scale × alpha) and `bias` are optional and
   * applied in the same pass as the ADC.
   */
  forward(
    tw: TileWeights,
    x: Float32Array,
    batch: number,
    y: Float32Array,
    rng: Rng,
    post: Float32Array | null = null,
    bias: Float32Array | null = null,
  ): Float32Array {
    return this.forwardGroups([tw], x, batch, y, rng, post, bias);
  }

  /**
   * G independent tiles of equal shape [M, K] sharing this IO, e.g. the groups of a depthwise convolution:
   * x is [rows, G·K] (group g's input is columns g·K..), y is [rows, G·M]; post and bias have G·M entries.
   * Every (row, group) pair is one input vector with its own noise and bound management.
   */
  forwardGroups(
    tws: readonly TileWeights[],
    x: Float32Array,
    rows: number,
    y: Float32Array,
    rng: Rng,
    post: Float32Array | null = null,
    bias: Float32Array | null = null,
  ): Float32Array {
    const { outSize: M, inSize: K } = tws[0]!;
    const G = tws.length;
    const units = rows * G;
    const io = this.io;
    if (io.isPerfect) {
      unitsGemm(tws, false, x, null, units, io.outScale, y);
      if (post || bias) this.finalizeRows(y, null, units, M, G, post, bias);
      return y;
    }
    const bm = io.boundManagement !== "none";
    const redLimit = this.stepIn > 0 ? io.maxBmRes / this.stepIn : Number.POSITIVE_INFINITY;
    const nm = new Float64Array(units);
    const red = new Float64Array(units).fill(1);
    let active: Int32Array | null = null; // null: all units, in order (first pass)
    let n = units;
    // NM scales: fixed for none/constant, else computed per vector in the first DAC pass (fused)
    const dynamicNm = io.noiseManagement === "absMax" || io.noiseManagement === "max";
    if (!dynamicNm) nm.fill(io.noiseManagement === "constant" && io.nmThres > 0 ? io.nmThres : 1);
    let firstPass = true;
    while (n > 0) {
      const v = this.buffer("v", n * K);
      const scales = new Float32Array(n);
      this.dac(x, active, n, K, nm, red, bm, v, scales, firstPass && dynamicNm);
      firstPass = false;
      if (io.inpNoise > 0 || io.inpAsymmetry !== 0) this.inputNonIdealities(v, n * K, rng);
      // --- analog MVM and its non-idealities
      const yy = this.buffer("y", n * M);
      unitsGemm(tws, false, v, active, n, 1, yy);
      if (io.irDrop > 0) applyIrDrop(io, tws, v, active, n, yy);
      if (io.wNoiseType !== "none" && io.wNoise > 0) applyWeightNoise(io, tws, v, active, n, yy, rng);
      const z = io.outNoise > 0 ? rng.fillNormal(this.buffer("z", n * M).subarray(0, n * M)) : null;
      const failed = this.adc(yy, z, n, M);
      // --- BM decision: per vector (C++) or for the whole batch (torch tile)
      const anyFailed = bm && failed.includes(1);
      if (anyFailed && io.boundManagementScope === "batch") failed.fill(1);
      const retry: number[] = [];
      for (let r = 0; r < n; r++) {
        if (scales[r] === 0) continue; // all-zero input vector: exact zero output (C++), final
        if (anyFailed && failed[r]) {
          const u = active ? active[r]! : r;
          if (!(red[u]! > io.maxBmFactor || red[u]! > redLimit)) {
            red[u]! *= 2;
            retry.push(u);
            scales[r] = Number.NaN; // marks "not final"
            continue;
          }
        }
        scales[r] = io.outScale / scales[r]!;
      }
      this.finalizeRows(yy, scales, n, M, G, post, bias, y, active);
      active = Int32Array.from(retry);
      n = retry.length;
    }
    return y;
  }

  /**
   * NM scale, DAC quantise (round half to even) then clip, for the n active vectors into v. With `computeNm`
   * the abs-max (or max) NM scale of each vector is computed in the same pass (capped at nmThres > 0); a
   * vector with nm ≤ 0 gets scale 0, which marks an exact-zero output (aihwkit C++).
   */
  private dac(
    x: Float32Array,
    active: Int32Array | null,
    n: number,
    K: number,
    nm: Float64Array,
    red: Float64Array,
    bm: boolean,
    v: Float32Array,
    scales: Float32Array,
    computeNm: boolean,
  ): void {
    const useNm = this.io.noiseManagement !== "none";
    const useMax = this.io.noiseManagement === "max";
    const cap = this.io.nmThres > 0 ? this.io.nmThres : Number.POSITIVE_INFINITY;
    const step = this.stepIn;
    const invStep = 1 / step;
    const MAGIC = RINT_MAGIC; // local copies: imported bindings are slow in hot loops
    const LIMIT = RINT_LIMIT;
    const hi = this.io.inpBound > 0 ? this.io.inpBound : Number.POSITIVE_INFINITY;
    const lo = -hi;
    const bounded = this.io.noiseManagement === "absMax" && cap === Number.POSITIVE_INFINITY && hi >= 1;
    for (let r = 0; r < n; r++) {
      const b = active ? active[r]! : r;
      const xo = b * K;
      const vo = r * K;
      if (computeNm) {
        let m = useMax ? Number.NEGATIVE_INFINITY : 0;
        if (useMax) {
          for (let j = 0; j < K; j++) if (x[xo + j]! > m) m = x[xo + j]!;
        } else {
          for (let j = 0; j < K; j++) {
            const a = Math.abs(x[xo + j]!);
            if (a > m) m = a;
          }
        }
        nm[b] = Math.min(m, cap);
        if (!(m > 0) && !(this.io.inpNoise > 0)) {
          scales[r] = 0;
          v.fill(0, vo, vo + K);
          continue;
        }
      }
      const s = Math.fround((useNm && nm[b]! > 0 ? 1 / nm[b]! : 1) / (bm ? red[b]! : 1));
      scales[r] = s;
      if (step === 0) {
        for (let j = 0; j < K; j++) {
          let q = Math.fround(x[xo + j]! * s);
          if (q > hi) q = hi;
          else if (q < lo) q = lo;
          v[vo + j] = q;
        }
      } else if (bounded) {
        // |x·s| ≤ 1 ≤ inpBound: no clipping and no huge values possible (the common abs-max case)
        for (let j = 0; j < K; j++) {
          const t = Math.fround(Math.fround(x[xo + j]! * s) * invStep);
          v[vo + j] = Math.fround((t + MAGIC - MAGIC) * step);
        }
      } else {
        for (let j = 0; j < K; j++) {
          // × the double reciprocal equals float32 division except within ~1e-16 of a float midpoint
          let t = Math.fround(Math.fround(x[xo + j]! * s) * invStep);
          if (t < LIMIT && t > -LIMIT) t = t + MAGIC - MAGIC;
          let q = Math.fround(t * step);
          if (q > hi) q = hi;
          else if (q < lo) q = lo;
          v[vo + j] = q;
        }
      }
    }
  }

  /** DAC output noise (one bulk fill) then asymmetry of negative inputs, in place (C++ CPU order). */
  private inputNonIdealities(v: Float32Array, len: number, rng: Rng): void {
    const { inpNoise, inpAsymmetry } = this.io;
    if (inpNoise > 0) {
      const z = rng.fillNormal(new Float32Array(len));
      for (let i = 0; i < len; i++) v[i] = Math.fround(v[i]! + inpNoise * z[i]!);
    }
    if (inpAsymmetry !== 0)
      for (let i = 0; i < len; i++) if (v[i]! < 0) v[i] = Math.fround(v[i]! * (1 - inpAsymmetry));
  }

  /** Output asymmetry, output noise, ADC quantisation and clipping of yy in place; per-row "clipped" flags. */
  private adc(yy: Float32Array, z: Float32Array | null, n: number, M: number): Uint8Array {
    const step = this.stepOut;
    const invStep = 1 / step;
    const sigma = this.io.outNoise;
    const MAGIC = RINT_MAGIC;
    const LIMIT = RINT_LIMIT;
    const hi = this.io.outBound > 0 ? this.io.outBound : Number.POSITIVE_INFINITY;
    const testNeg = this.io.bmTestNegativeBound;
    const asym = this.io.outAsymmetry;
    const failed = new Uint8Array(n);
    for (let r = 0; r < n; r++) {
      const yo = r * M;
      let f = 0;
      for (let i = 0; i < M; i++) {
        let t = yy[yo + i]!;
        if (asym !== 0 && t < 0) t = Math.fround(t * (1 - asym));
        if (z) t = Math.fround(t + sigma * z[yo + i]!);
        if (step !== 0) {
          t = Math.fround(t * invStep);
          if (t < LIMIT && t > -LIMIT) t = t + MAGIC - MAGIC;
          t = Math.fround(t * step);
        }
        if (t > hi) {
          f = 1;
          t = hi;
        } else if (t < -hi) {
          if (testNeg) f = 1;
          t = -hi;
        }
        yy[yo + i] = t;
      }
      failed[r] = f;
    }
    return failed;
  }

  /**
   * out[unit u] = src[row r] · rowScale_r · post[g, i] + bias[g, i] (g = u mod G) for every row whose rowScale
   * is a number (rows awaiting a bound-management retry have NaN). rowScale null means 1; out defaults to src.
   */
  private finalizeRows(
    src: Float32Array,
    rowScale: Float32Array | null,
    n: number,
    M: number,
    G: number,
    post: Float32Array | null,
    bias: Float32Array | null,
    out: Float32Array = src,
    rows: Int32Array | null = null,
  ): void {
    for (let r = 0; r < n; r++) {
      const f = rowScale ? rowScale[r]! : 1;
      if (Number.isNaN(f)) continue;
      const u = rows ? rows[r]! : r;
      const so = r * M;
      const oo = u * M;
      const po = (u % G) * M;
      if (post && bias)
        for (let i = 0; i < M; i++)
          out[oo + i] = Math.fround(src[so + i]! * f) * post[po + i]! + bias[po + i]!;
      else if (post) for (let i = 0; i < M; i++) out[oo + i] = Math.fround(src[so + i]! * f) * post[po + i]!;
      else if (bias) for (let i = 0; i < M; i++) out[oo + i] = Math.fround(src[so + i]! * f) + bias[po + i]!;
      else if (f !== 1 || out !== src) for (let i = 0; i < M; i++) out[oo + i] = src[so + i]! * f;
    }
  }
}
