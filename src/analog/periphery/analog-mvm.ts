/**
 * The analog tile forward pass y = AnalogMVM(W, x) with aihwkit's C++ periphery order, per input vector
 * (SPEC 7.2): noise management (NM) → DAC quantise then clip → MVM → IR drop → weight read noise → output
 * noise → ADC quantise → bound test and clip → iterative bound management (BM) → ×nm·red·outScale.
 *
 * Work is batched: per pass, the backend's fused kernels (src/core/kernels, AnalogKernels) run the DAC stage
 * (analogInputPeriphery) and the ADC stage with its output noise drawn inline from one Philox stream
 * (analogOutputPeriphery), around one sgemm; BM re-runs only the input vectors whose outputs clipped (as the
 * C++ tile, which manages each vector separately). All-zero input vectors give exact zeros (SPEC 8.3).
 */
import {
  type AnalogInputParams,
  type AnalogOutputParams,
  getBackend,
  type RandomStream,
  type Rng,
} from "../../core/index.js";
import { effectiveStep, type IOParameters } from "../config/io.js";
import { applyIrDrop, applyWeightNoise } from "./nonidealities.js";
import { type TileWeights, unitsGemm } from "./tile-weights.js";

export class AnalogMvm {
  private readonly stepIn: number;
  private readonly stepOut: number;
  /** Scratch reused across calls (grown on demand): DAC output v, MVM output y, per-vector scales. */
  private bufs = {
    v: new Float32Array(0),
    y: new Float32Array(0),
    aux: new Float32Array(0),
  };
  /** Per-unit NM scales and BM reductions, reused across calls (grown on demand). */
  private unitBufs = { nm: new Float64Array(0), red: new Float64Array(0) };

  /** DAC / ADC parameters of the fused periphery kernels (src/core/kernels, AnalogKernels). */
  private readonly inParams: AnalogInputParams;
  private readonly outParams: AnalogOutputParams;

  constructor(readonly io: IOParameters) {
    this.stepIn = effectiveStep(io.inpRes, io.inpBound);
    this.stepOut = effectiveStep(io.outRes, io.outBound);
    this.inParams = {
      noiseManagement: io.noiseManagement,
      computeNm: false,
      nmCap: io.nmThres > 0 ? io.nmThres : Number.POSITIVE_INFINITY,
      step: this.stepIn,
      bound: io.inpBound > 0 ? io.inpBound : Number.POSITIVE_INFINITY,
      zeroRowsExact: !(io.inpNoise > 0),
    };
    this.outParams = {
      outAsymmetry: io.outAsymmetry,
      outNoise: io.outNoise,
      step: this.stepOut,
      bound: io.outBound > 0 ? io.outBound : Number.POSITIVE_INFINITY,
      testNegativeBound: io.bmTestNegativeBound,
    };
  }

  private buffer(name: "v" | "y" | "aux", n: number): Float32Array {
    if (this.bufs[name].length < n) this.bufs[name] = new Float32Array(n);
    return this.bufs[name];
  }

  private unitBuffer(name: "nm" | "red", n: number): Float64Array {
    if (this.unitBufs[name].length < n) this.unitBufs[name] = new Float64Array(n);
    return this.unitBufs[name];
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
    const nm = this.unitBuffer("nm", units);
    const red = this.unitBuffer("red", units).fill(1, 0, units);
    let active: Int32Array | null = null; // null: all units, in order (first pass)
    let n = units;
    // NM scales: fixed for none/constant, else computed per vector in the first DAC pass (fused)
    const dynamicNm = io.noiseManagement === "absMax" || io.noiseManagement === "max";
    if (!dynamicNm) nm.fill(io.noiseManagement === "constant" && io.nmThres > 0 ? io.nmThres : 1, 0, units);
    let firstPass = true;
    while (n > 0) {
      const v = this.buffer("v", n * K);
      const scales = this.buffer("aux", n);
      this.dac(x, active, n, K, nm, red, v, scales, firstPass && dynamicNm);
      firstPass = false;
      if (io.inpNoise > 0 || io.inpAsymmetry !== 0) this.inputNonIdealities(v, n * K, rng);
      // --- analog MVM and its non-idealities
      const yy = this.buffer("y", n * M);
      unitsGemm(tws, false, v, active, n, 1, yy);
      if (io.irDrop > 0) applyIrDrop(io, tws, v, active, n, yy);
      if (io.wNoiseType !== "none" && io.wNoise > 0) applyWeightNoise(io, tws, v, active, n, yy, rng);
      // output noise: the stream fillNormal(n·M) would use, drawn inline by the ADC kernel
      const z = io.outNoise > 0 ? rng.takeStream(n * M) : null;
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
   * NM scale, DAC quantise (round half to even) then clip, for the n active vectors into v, by the backend's
   * fused analogInputPeriphery kernel. With `computeNm` the abs-max (or max) NM scale of each vector is
   * computed in the same pass (capped at nmThres > 0); a vector with nm ≤ 0 gets scale 0, which marks an
   * exact-zero output (aihwkit C++). Bound-management retries (a subset of units) are gathered first.
   */
  private dac(
    x: Float32Array,
    active: Int32Array | null,
    n: number,
    K: number,
    nm: Float64Array,
    red: Float64Array,
    v: Float32Array,
    scales: Float32Array,
    computeNm: boolean,
  ): void {
    const p = { ...this.inParams, computeNm };
    if (active === null) {
      getBackend().analogInputPeriphery(x, n, K, p, nm, red, v, scales);
      return;
    }
    const xs = new Float32Array(n * K);
    const nmS = new Float64Array(n);
    const redS = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      const u = active[r]!;
      xs.set(x.subarray(u * K, (u + 1) * K), r * K);
      nmS[r] = nm[u]!;
      redS[r] = red[u]!;
    }
    getBackend().analogInputPeriphery(xs, n, K, p, nmS, redS, v, scales);
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
  private adc(yy: Float32Array, z: RandomStream | null, n: number, M: number): Uint8Array {
    const failed = new Uint8Array(n);
    getBackend().analogOutputPeriphery(yy.subarray(0, n * M), n, M, this.outParams, z, failed);
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
    // the case split is hoisted out of the row loop so that each inner loop is a plain typed-array pass
    const mode = (post ? 1 : 0) | (bias ? 2 : 0);
    const p = post ?? src;
    const b = bias ?? src;
    for (let r = 0; r < n; r++) {
      const f = rowScale === null ? 1 : rowScale[r]!;
      if (Number.isNaN(f)) continue; // awaiting a bound-management retry
      const u = rows === null ? r : rows[r]!;
      const so = r * M;
      const oo = u * M;
      const po = G === 1 ? 0 : (u % G) * M;
      if (mode === 3)
        for (let i = 0; i < M; i++) out[oo + i] = Math.fround(src[so + i]! * f) * p[po + i]! + b[po + i]!;
      else if (mode === 1)
        for (let i = 0; i < M; i++) out[oo + i] = Math.fround(src[so + i]! * f) * p[po + i]!;
      else if (mode === 2)
        for (let i = 0; i < M; i++) out[oo + i] = Math.fround(src[so + i]! * f) + b[po + i]!;
      else if (f !== 1 || out !== src) for (let i = 0; i < M; i++) out[oo + i] = src[so + i]! * f;
    }
  }
}
