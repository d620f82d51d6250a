/**
 * The analog tile forward pass y = AnalogMVM(W, x) with aihwkit's C++ periphery order, per input vector
 * (SPEC 7.2): noise management (NM) → DAC quantise then clip → MVM → IR drop → weight read noise → output
 * noise → ADC quantise → bound test and clip → iterative bound management (BM) → ×nm·red·outScale.
 *
 * Work is batched: the whole batch goes through a few tight passes and one sgemm per pass; noise is drawn with
 * one bulk normal fill per pass; BM re-runs only the input vectors whose outputs clipped (as the C++ tile,
 * which manages each vector separately). All-zero input vectors give exact zeros (C++ behaviour, SPEC 8.3).
 */
import { getBackend, type Rng } from "../../core/index.js";
import { effectiveStep, type IOParameters } from "../config/io.js";
import { RINT_LIMIT, RINT_MAGIC } from "./quantize.js";

/** Tile weights as the periphery needs them: W [outSize, inSize] row-major, |W| computed lazily. */
export interface TileWeights {
  readonly w: Float32Array;
  readonly outSize: number;
  readonly inSize: number;
  /** |W|, needed only for PCM_READ weight noise and IR drop. */
  wAbs(): Float32Array;
}

/** Builds TileWeights over a matrix (|W| cached on first use; rebuild when the weights change). */
export function tileWeights(w: Float32Array, outSize: number, inSize: number): TileWeights {
  let abs: Float32Array | null = null;
  return {
    w,
    outSize,
    inSize,
    wAbs() {
      if (!abs) abs = w.map(Math.abs);
      return abs;
    },
  };
}

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

  private buffer(name: "v" | "y" | "aux" | "z", n: number): Float32Array {
    if (this.bufs[name].length < n) this.bufs[name] = new Float32Array(n);
    return this.bufs[name];
  }

  /** Noise-management scale nm of every input vector (0 means "all-zero input": the output is 0). */
  private nmScales(x: Float32Array, batch: number, K: number, nm: Float64Array): void {
    const io = this.io;
    const cap = io.nmThres > 0 ? io.nmThres : Number.POSITIVE_INFINITY;
    if (io.noiseManagement === "none" || io.noiseManagement === "constant") {
      nm.fill(io.noiseManagement === "constant" && io.nmThres > 0 ? io.nmThres : 1);
      return;
    }
    const useMax = io.noiseManagement === "max";
    for (let b = 0; b < batch; b++) {
      const off = b * K;
      let m = useMax ? Number.NEGATIVE_INFINITY : 0;
      if (useMax) {
        for (let j = 0; j < K; j++) if (x[off + j]! > m) m = x[off + j]!;
      } else {
        for (let j = 0; j < K; j++) {
          const a = Math.abs(x[off + j]!);
          if (a > m) m = a;
        }
      }
      nm[b] = Math.min(m, cap);
    }
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
      this.unitsGemm(tws, false, x, null, units, io.outScale, y);
      if (post || bias) this.finalizeRows(y, null, units, M, G, post, bias);
      return y;
    }
    const bm = io.boundManagement !== "none";
    const redLimit = this.stepIn > 0 ? io.maxBmRes / this.stepIn : Number.POSITIVE_INFINITY;
    const nm = new Float64Array(units);
    const red = new Float64Array(units).fill(1);
    let active: Int32Array | null = null; // null: all units, in order (first pass)
    let n = units;
    this.nmScales(x, units, K, nm);
    let zeros = false;
    if (io.noiseManagement !== "none") for (let u = 0; u < units && !zeros; u++) zeros = !(nm[u]! > 0);
    if (zeros) {
      // all-zero input vectors give exact zeros (C++); they take no further part
      const keep: number[] = [];
      for (let u = 0; u < units; u++) {
        if (nm[u]! > 0) keep.push(u);
        else if (bias) y.set(bias.subarray((u % G) * M, (u % G) * M + M), u * M);
        else y.fill(0, u * M, (u + 1) * M);
      }
      active = Int32Array.from(keep);
      n = keep.length;
    }
    while (n > 0) {
      const v = this.buffer("v", n * K);
      const scales = new Float32Array(n);
      this.dac(x, active, n, K, nm, red, bm, v, scales);
      // --- analog MVM and its non-idealities
      const yy = this.buffer("y", n * M);
      this.unitsGemm(tws, false, v, active, n, 1, yy);
      if (io.irDrop > 0) this.applyIrDrop(tws, v, active, n, yy);
      if (io.wNoiseType !== "none" && io.wNoise > 0) this.applyWeightNoise(tws, v, active, n, yy, rng);
      const z = io.outNoise > 0 ? rng.fillNormal(this.buffer("z", n * M).subarray(0, n * M)) : null;
      const failed = this.adc(yy, z, n, M);
      // --- BM decision: per vector (C++) or for the whole batch (torch tile)
      const anyFailed = bm && failed.includes(1);
      if (anyFailed && io.boundManagementScope === "batch") failed.fill(1);
      const retry: number[] = [];
      for (let r = 0; r < n; r++) {
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
   * out[r, :] = alpha · W_g · src[r, :] (or |W_g| when `abs`) for the n units (unit u uses tile g = u mod G).
   * All units in order (active null, src laid out [rows, G·K]) use one strided sgemm per tile; a subset (bound
   * management retries) uses one sgemm for a single tile, else per-unit dot products.
   */
  private unitsGemm(
    tws: readonly TileWeights[],
    abs: boolean,
    src: Float32Array,
    active: Int32Array | null,
    n: number,
    alpha: number,
    out: Float32Array,
  ): void {
    const G = tws.length;
    const { outSize: M, inSize: K } = tws[0]!;
    const be = getBackend();
    if (active === null || G === 1) {
      const rows = active === null ? n / G : n;
      for (let g = 0; g < G; g++) {
        const w = abs ? tws[g]!.wAbs() : tws[g]!.w;
        be.sgemm(false, true, rows, M, K, alpha, src, G * K, w, K, 0, out, G * M, g * K, 0, g * M);
      }
      return;
    }
    for (let r = 0; r < n; r++) {
      const w = abs ? tws[active[r]! % G]!.wAbs() : tws[active[r]! % G]!.w;
      for (let i = 0; i < M; i++) {
        let acc = 0;
        for (let j = 0; j < K; j++) acc += w[i * K + j]! * src[r * K + j]!;
        out[r * M + i] = alpha * acc;
      }
    }
  }

  /** NM scale, DAC quantise (round half to even) then clip, for the n active rows into v. */
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
  ): void {
    const useNm = this.io.noiseManagement !== "none";
    const step = this.stepIn;
    const invStep = 1 / step;
    const MAGIC = RINT_MAGIC; // local copies: imported bindings are slow in hot loops
    const LIMIT = RINT_LIMIT;
    const hi = this.io.inpBound > 0 ? this.io.inpBound : Number.POSITIVE_INFINITY;
    const lo = -hi;
    for (let r = 0; r < n; r++) {
      const b = active ? active[r]! : r;
      const s = Math.fround((useNm ? 1 / nm[b]! : 1) / (bm ? red[b]! : 1));
      scales[r] = s;
      const xo = b * K;
      const vo = r * K;
      if (step === 0) {
        for (let j = 0; j < K; j++) {
          const q = Math.fround(x[xo + j]! * s);
          v[vo + j] = q > hi ? hi : Math.max(q, lo);
        }
      } else {
        for (let j = 0; j < K; j++) {
          // × the double reciprocal equals float32 division except within ~1e-16 of a float midpoint
          let t = Math.fround(Math.fround(x[xo + j]! * s) * invStep);
          if (t < LIMIT && t > -LIMIT) t = t + MAGIC - MAGIC;
          const q = Math.fround(t * step);
          v[vo + j] = q > hi ? hi : Math.max(q, lo);
        }
      }
    }
  }

  /** Adds output noise, ADC-quantises and clips yy in place; returns per-row "clipped" flags. */
  private adc(yy: Float32Array, z: Float32Array | null, n: number, M: number): Uint8Array {
    const step = this.stepOut;
    const invStep = 1 / step;
    const sigma = this.io.outNoise;
    const MAGIC = RINT_MAGIC;
    const LIMIT = RINT_LIMIT;
    const hi = this.io.outBound > 0 ? this.io.outBound : Number.POSITIVE_INFINITY;
    const testNeg = this.io.bmTestNegativeBound;
    const failed = new Uint8Array(n);
    for (let r = 0; r < n; r++) {
      const yo = r * M;
      let f = 0;
      for (let i = 0; i < M; i++) {
        let t = yy[yo + i]!;
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

  /**
   * IR drop along the input wires (C++ applyIrDrop): a_i = (K/gRatio)·Σ_j|W_ij||v_j|,
   * c_i = a_i(a_i(0.05a_i − 0.2) + 0.5), y_i −= c_i·irDrop·Σ_j W_ij v_j (1 − (1 − j/K)²).
   */
  private applyIrDrop(
    tws: readonly TileWeights[],
    v: Float32Array,
    active: Int32Array | null,
    n: number,
    yy: Float32Array,
  ): void {
    const { outSize: M, inSize: K } = tws[0]!;
    const aux = this.buffer("aux", 2 * n * K);
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
    this.unitsGemm(tws, true, absV, active, n, K / this.io.irDropGRatio, a);
    this.unitsGemm(tws, false, rampV, active, n, 1, ramp);
    for (let i = 0; i < n * M; i++) {
      const ai = a[i]!;
      const c = ai * (ai * (0.05 * ai - 0.2) + 0.5);
      yy[i]! -= c * this.io.irDrop * ramp[i]!;
    }
  }

  /** Weight read noise per input vector: PCM_READ σ_i = wNoise·sqrt(Σ_j|W_ij|v_j²), ADDITIVE σ = wNoise·‖v‖₂. */
  private applyWeightNoise(
    tws: readonly TileWeights[],
    v: Float32Array,
    active: Int32Array | null,
    n: number,
    yy: Float32Array,
    rng: Rng,
  ): void {
    const { outSize: M, inSize: K } = tws[0]!;
    const wn = this.io.wNoise;
    const z = rng.fillNormal(this.buffer("z", n * M).subarray(0, n * M));
    if (this.io.wNoiseType === "pcmRead") {
      const v2 = this.buffer("aux", n * K).subarray(0, n * K);
      for (let i = 0; i < n * K; i++) v2[i] = v[i]! * v[i]!;
      const s2 = new Float32Array(n * M);
      this.unitsGemm(tws, true, v2, active, n, 1, s2);
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
}
