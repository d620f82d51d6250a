/**
 * The analog tile forward pass y = AnalogMVM(W, x) with aihwkit's C++ periphery order, per input vector
 * (SPEC 7.2): noise management (NM) → DAC quantise then clip → MVM → IR drop → weight read noise → output
 * noise → ADC quantise → bound test and clip → iterative bound management (BM) → ×nm·red·outScale.
 *
 * Work is batched: per pass, the backend's fused kernels (src/core/kernels, AnalogKernels) run the DAC stage
 * (analogInputPeriphery) and the ADC stage with its output noise drawn inline from one Philox stream
 * (analogOutputPeriphery), around one sgemm; BM re-runs only the input vectors whose outputs clipped (as the
 * C++ tile, which manages each vector separately). All-zero input vectors give exact zeros (SPEC 8.3).
 *
 * The common configuration (`fusable`: no IR drop, weight read noise, input noise or input asymmetry, BM per
 * vector) runs its first pass as one fused, multi-threaded kernel (analogTileForward) that reads the inputs
 * in place and writes or accumulates the finished outputs in place (forwardTile); only the vectors it flags
 * for a BM retry take the general passes. Both give the same numbers, except that conv inputs gathered by
 * the kernel (layout.patches) sum each MVM in tap-major order (float rounding in the last bits).
 */
import {
  type AnalogInputParams,
  type AnalogOutputParams,
  type AnalogTileParams,
  getBackend,
  type RandomStream,
  type Rng,
} from "../../core/index.js";
import { effectivePeriphery, effectiveStep, type IOParameters } from "../config/io.js";
import { dacStage } from "./dac-stage.js";
import { applyInputNonIdealities, applyIrDrop, applyWeightNoise } from "./nonidealities.js";
import { type TileWeights, unitsGemm } from "./tile-weights.js";
import { denseLayout, finalizeRows, finishUnits, type UnitLayout } from "./unit-layout.js";

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
  /** Whether the fused first pass (forwardTile) applies to this IO configuration. */
  readonly fusable: boolean;
  /** Bound-management reduction limit: no retry once red > maxBmFactor or red > maxBmRes / DAC step. */
  private readonly redLimit: number;
  private retryBuf = new Uint8Array(0);
  /** The periphery this MVM runs (effectivePeriphery: io, or every stage off for isPerfect). */
  private readonly periphery: IOParameters;

  constructor(readonly io: IOParameters) {
    const p = effectivePeriphery(io);
    this.periphery = p;
    this.stepIn = effectiveStep(p.inpRes, p.inpBound);
    this.stepOut = effectiveStep(p.outRes, p.outBound);
    this.inParams = {
      noiseManagement: p.noiseManagement,
      computeNm: false,
      nmCap: p.nmThres > 0 ? p.nmThres : Number.POSITIVE_INFINITY,
      step: this.stepIn,
      bound: p.inpBound > 0 ? p.inpBound : Number.POSITIVE_INFINITY,
      zeroRowsExact: !(p.inpNoise > 0),
    };
    this.outParams = {
      outAsymmetry: p.outAsymmetry,
      outNoise: p.outNoise,
      step: this.stepOut,
      bound: p.outBound > 0 ? p.outBound : Number.POSITIVE_INFINITY,
      testNegativeBound: p.bmTestNegativeBound,
    };
    this.redLimit = this.stepIn > 0 ? p.maxBmRes / this.stepIn : Number.POSITIVE_INFINITY;
    this.fusable =
      !(p.irDrop > 0) &&
      !(p.wNoiseType !== "none" && p.wNoise > 0) &&
      !(p.inpNoise > 0) &&
      p.inpAsymmetry === 0 &&
      !(p.boundManagement !== "none" && p.boundManagementScope === "batch");
  }

  /** Whether a vector with reduction `red` may be retried (×2) after clipping. */
  private canRetry(red: number): boolean {
    return !(red > this.periphery.maxBmFactor || red > this.redLimit);
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
    const M = tws[0]!.outSize;
    const G = tws.length;
    const units = rows * G;
    const io = this.periphery;
    if (io.isPerfect) {
      unitsGemm(tws, false, x, null, units, io.outScale, y);
      if (post || bias) finalizeRows(y, null, units, M, G, post, bias);
      return y;
    }
    const dynamicNm = this.initUnits(units);
    this.passes(tws, x, null, null, units, y, rng, post, bias, dynamicNm);
    return y;
  }

  /**
   * The fused forward (requires `fusable`) of G equally shaped tiles with weights w [G·M·K] (tile g at
   * g·M·K, i.e. tws[g].w concatenated; tws[0].w itself when G = 1): `rows` rows of G input vectors each,
   * read and written in place as `layout` says. Same numbers as forwardGroups on the gathered inputs (with
   * `layout.patches`: up to the MVM's tap-major summation order, see AnalogTilePatches).
   */
  forwardTile(
    tws: readonly TileWeights[],
    w: Float32Array,
    x: Float32Array,
    layout: UnitLayout,
    rows: number,
    y: Float32Array,
    rng: Rng,
    post: Float32Array | null = null,
    bias: Float32Array | null = null,
  ): void {
    const { outSize: M, inSize: K } = tws[0]!;
    const G = tws.length;
    const units = rows * G;
    const dynamicNm = this.initNm(units);
    const nm = this.unitBufs.nm;
    if (this.retryBuf.length < units) this.retryBuf = new Uint8Array(units);
    const retry = this.retryBuf;
    const bm = this.periphery.boundManagement !== "none";
    const p: AnalogTileParams = {
      input: { ...this.inParams, computeNm: dynamicNm },
      output: this.outParams,
      outScale: this.periphery.outScale,
      retryClipped: bm && this.canRetry(1),
    };
    const noise = this.periphery.outNoise > 0 ? rng.takeStream(units * M) : null;
    const { xOff, ldx, yOff: yOffset, ldy, accumulate, biasAfter } = layout;
    const pi = layout.patches;
    const n = getBackend().analogTileForward(
      {
        x,
        xOffset: pi ? 0 : xOff,
        ldx: pi ? G * K : ldx,
        patches: pi ? { conv: pi.conv, group0: pi.group0, k0: xOff, row0: pi.row0 } : null,
        rows,
        groups: G,
        k: K,
        m: M,
        w,
        nm,
        post,
        bias,
        biasAfter,
        noise,
        y,
        yOffset,
        ldy,
        accumulate,
        retry,
      },
      p,
    );
    if (n === 0) return;
    // the flagged vectors' BM state (passes reads red only for the units in `active`): reduction 1 → 2
    const active = new Int32Array(n);
    const red = this.unitBuffer("red", units);
    for (let u = 0, r = 0; u < units; u++) {
      if (retry[u] === 0) continue;
      active[r++] = u;
      red[u] = 2;
    }
    this.passes(tws, x, layout, active, n, y, rng, post, bias, false);
  }

  /** Per-unit NM and BM state for a forward of `units` vectors; returns whether NM is computed per vector. */
  private initUnits(units: number): boolean {
    this.unitBuffer("red", units).fill(1, 0, units);
    return this.initNm(units);
  }

  /** Per-unit NM scales for a forward of `units` vectors; returns whether NM is computed per vector. */
  private initNm(units: number): boolean {
    const io = this.periphery;
    const nm = this.unitBuffer("nm", units);
    // NM scales: fixed for none/constant, else computed per vector in the first DAC pass (fused)
    const dynamicNm = io.noiseManagement === "absMax" || io.noiseManagement === "max";
    if (!dynamicNm) nm.fill(io.noiseManagement === "constant" && io.nmThres > 0 ? io.nmThres : 1, 0, units);
    return dynamicNm;
  }

  /**
   * DAC → MVM → ADC passes over the n units `active` (null: all units in order, first pass) until bound
   * management is done. layout null: x [units, K] and y [units, M] dense and overwritten (forwardGroups).
   */
  private passes(
    tws: readonly TileWeights[],
    x: Float32Array,
    layout: UnitLayout | null,
    active: Int32Array | null,
    n: number,
    y: Float32Array,
    rng: Rng,
    post: Float32Array | null,
    bias: Float32Array | null,
    dynamicNm: boolean,
  ): void {
    const { outSize: M, inSize: K } = tws[0]!;
    const G = tws.length;
    const io = this.periphery;
    const bm = io.boundManagement !== "none";
    const nm = this.unitBufs.nm;
    const red = this.unitBufs.red;
    let firstPass = active === null;
    while (n > 0) {
      const v = this.buffer("v", n * K);
      const scales = this.buffer("aux", n);
      const inParams = { ...this.inParams, computeNm: firstPass && dynamicNm };
      dacStage(inParams, x, layout ?? denseLayout(G, K, M), G, active, n, K, nm, red, v, scales);
      firstPass = false;
      if (io.inpNoise > 0 || io.inpAsymmetry !== 0) applyInputNonIdealities(io, v, n * K, rng);
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
          if (this.canRetry(red[u]!)) {
            red[u]! *= 2;
            retry.push(u);
            scales[r] = Number.NaN; // marks "not final"
            continue;
          }
        }
        scales[r] = io.outScale / scales[r]!;
      }
      if (layout) finishUnits(yy, scales, n, M, G, post, bias, y, active!, layout);
      else finalizeRows(yy, scales, n, M, G, post, bias, y, active);
      active = Int32Array.from(retry);
      n = retry.length;
    }
  }

  /** Output asymmetry, output noise, ADC quantisation and clipping of yy in place; per-row "clipped" flags. */
  private adc(yy: Float32Array, z: RandomStream | null, n: number, M: number): Uint8Array {
    const failed = new Uint8Array(n);
    getBackend().analogOutputPeriphery(yy.subarray(0, n * M), n, M, this.outParams, z, failed);
    return failed;
  }
}
