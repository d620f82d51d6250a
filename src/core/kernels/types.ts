/**
 * The kernel backend contract. Two implementations exist: `js` (plain TypeScript reference, always
 * available) and `native` (C++ N-API addon with runtime CPU dispatch). Both must pass the same conformance
 * suite (test/core/kernels-conformance.test.ts). All arrays are float32, row-major, contiguous unless a
 * leading dimension says otherwise. Kernels never allocate their outputs: the caller passes them.
 *
 * Layout conventions (Kirchhoff is channels-last throughout):
 *   activations  NHWC   x[((n*H + h)*W + w)*C + c]
 *   conv weights OHWI   w[((o*KH + kh)*KW + kw)*Cg + ci]   with Cg = C_in / groups
 *   group g owns input channels [g*Cg, (g+1)*Cg) and output channels [g*Og, (g+1)*Og), Og = C_out / groups
 */
import type { HwaKernels } from "./hwa-types.js";

export type { HwaAdcParams, HwaKernels } from "./hwa-types.js";

/** Geometry of a 2-D convolution. Output size is computed by the caller (see conv2dOutputSize). */
export interface Conv2dParams {
  n: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  /** Zero padding before the first row / column; padding after is implied by outH/outW. */
  padTop: number;
  padLeft: number;
  dilationH: number;
  dilationW: number;
  groups: number;
}

/** Activation applied in a fused epilogue. */
export type Activation = "none" | "relu" | "relu6";

/** Fused epilogue: y = act(acc * scale[c] + shift[c] + bias[c] + residual[i]); every part optional. */
export interface Epilogue {
  bias?: Float32Array | null;
  scale?: Float32Array | null;
  shift?: Float32Array | null;
  residual?: Float32Array | null;
  act?: Activation;
}

/** Where a counter-based random fill starts (see philox.ts for the exact stream layout). */
export interface RandomStream {
  key0: number;
  key1: number;
  stream0: number;
  stream1: number;
  /** First Philox block index; a fill of n values consumes ceil(n/4) blocks. */
  block: number;
}

export interface KernelBackend extends AnalogKernels, HwaKernels {
  readonly name: "js" | "native";
  /** Human-readable description of the code path, e.g. "avx512" or "typescript". */
  readonly isa: string;
  /** Code paths this backend can switch between on this CPU, best first (native: "avx512", "avx2", "generic"). */
  readonly isas?: readonly string[];
  /** Forces one of `isas` (used by the conformance suite to test every path); `isa` reports the choice. */
  setIsa?(isa: string): void;
  /**
   * Native only (benchmarks): runs `iters` rounds of 12 independent vector FMA chains on every pool thread
   * at once and returns the FLOPs executed; time it to get the machine's FMA peak.
   */
  fmaProbe?(iters: number): number;
  /** Number of worker threads the backend uses for large kernels. */
  getThreads(): number;
  setThreads(threads: number): void;

  /**
   * C[m×n] = alpha * op(A) * op(B) + beta * C. op(A) is m×k (A stored k×m when transA), op(B) is k×n
   * (B stored n×k when transB). lda/ldb/ldc are row strides in elements. aOffset/bOffset/cOffset
   * index into the arrays (default 0). beta = 0 means C is overwritten (NaNs in C are ignored).
   */
  sgemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: Float32Array,
    lda: number,
    b: Float32Array,
    ldb: number,
    beta: number,
    c: Float32Array,
    ldc: number,
    aOffset?: number,
    bOffset?: number,
    cOffset?: number,
  ): void;

  /** y[N,outH,outW,outC] = epilogue(conv(x[N,inH,inW,inC], w[outC,kH,kW,inC/groups])). */
  conv2dForward(
    p: Conv2dParams,
    x: Float32Array,
    w: Float32Array,
    y: Float32Array,
    epilogue?: Epilogue,
  ): void;
  /** dx[N,inH,inW,inC] = gradient of the convolution w.r.t. its input (overwrites dx). */
  conv2dBackwardInput(p: Conv2dParams, dy: Float32Array, w: Float32Array, dx: Float32Array): void;
  /**
   * dw[outC,kH,kW,inC/groups] = gradient w.r.t. the weights (overwrites dw); when dbias is given it is
   * overwritten with the per-channel sum of dy.
   */
  conv2dBackwardWeight(
    p: Conv2dParams,
    x: Float32Array,
    dy: Float32Array,
    dw: Float32Array,
    dbias?: Float32Array | null,
  ): void;

  /** Per-channel sum and sum of squares of x viewed as [rows, channels] (float64 accumulation inside). */
  channelStats(x: Float32Array, rows: number, channels: number, sum: Float64Array, sumSq: Float64Array): void;
  /** y[r,c] = epilogue(x[r,c]) with the epilogue's per-channel scale/shift/bias, residual and activation. */
  channelAffine(x: Float32Array, rows: number, channels: number, y: Float32Array, epilogue: Epilogue): void;
  /**
   * Batch-norm backward over [rows, channels] in training mode, with an optional fused activation mask.
   * Inputs: x (the BN input), dy (gradient of the BN-then-activation output), mean and invStd per channel,
   * gamma, and `actOut` (the post-activation output, required when act != "none": the gradient is zeroed
   * where the activation was inactive). Outputs: dx (overwritten), dGamma and dBeta (overwritten), and
   * `maskedDy` when given (overwritten with the activation-masked dy: the gradient of a fused residual input).
   */
  batchNormBackward(
    x: Float32Array,
    dy: Float32Array,
    rows: number,
    channels: number,
    mean: Float32Array,
    invStd: Float32Array,
    gamma: Float32Array,
    dx: Float32Array,
    dGamma: Float32Array,
    dBeta: Float32Array,
    act?: Activation,
    actOut?: Float32Array | null,
    maskedDy?: Float32Array | null,
  ): void;

  /** out[i] = lo + (hi-lo) * U_i, bit-identical uint32 stream across backends (philox.ts). */
  fillUniform(out: Float32Array, s: RandomStream, lo?: number, hi?: number): void;
  /** out[i] = mean + std * Z_i (Box-Muller, philox.ts); equal across backends to ~1e-6 relative. */
  fillNormal(out: Float32Array, s: RandomStream, mean?: number, std?: number): void;
}

/**
 * Analog tile input periphery (aihwkit C++ order, SPEC 7.2), see analogInputPeriphery. Physical values are
 * normalised: the DAC full scale is 1 (inputs are divided by the noise-management scale first).
 */
export interface AnalogInputParams {
  /** Noise management: per-row abs-max or max, a constant (the caller fills nm), or none (scale 1). */
  noiseManagement: "none" | "absMax" | "max" | "constant";
  /** Compute nm[r] from the row (absMax / max only); otherwise nm is read as given. */
  computeNm: boolean;
  /** Upper cap of a computed nm value (aihwkit nm_thres; Infinity = none). */
  nmCap: number;
  /** DAC quantisation step (2/(inpRes) style effective step; 0 = no quantisation). */
  step: number;
  /** DAC clip bound (|v| ≤ bound; Infinity = none). */
  bound: number;
  /**
   * With computeNm: a row whose nm is not > 0 and that holds no NaN gets scale 0 and zero output (exact-zero
   * rows, C++); a row with a NaN keeps it (its outputs are NaN).
   */
  zeroRowsExact: boolean;
}

/** Analog tile output periphery (after the MVM), see analogOutputPeriphery. */
export interface AnalogOutputParams {
  /** Output asymmetry: negative outputs are multiplied by (1 − outAsymmetry). */
  outAsymmetry: number;
  /** Standard deviation of the additive output noise (in units of the ADC full scale 1); 0 = none. */
  outNoise: number;
  /** ADC quantisation step (0 = none). */
  step: number;
  /** ADC clip bound (Infinity = none). */
  bound: number;
  /** Whether clipping at −bound also flags the row (aihwkit bm_test_negative_bound). */
  testNegativeBound: boolean;
}

/** Periphery of the fused analog tile forward (analogTileForward). */
export interface AnalogTileParams {
  input: AnalogInputParams;
  output: AnalogOutputParams;
  /** aihwkit out_scale: a finished vector's output is y·fround(outScale / s)·post + bias (s: its DAC scale). */
  outScale: number;
  /** Iterative bound management: clipped vectors (with s ≠ 0) are flagged in `retry` instead of written. */
  retryClipped: boolean;
}

/**
 * A convolution input that analogTileForward gathers itself instead of reading materialised patches: vector
 * (r, g) holds columns [k0, k0 + k) of group (group0 + g)'s patch of output pixel row0 + r (analogIm2col's
 * (c, ki, kj) columns, zero outside the image), and x is the NHWC input [n, inH, inW, inC]. Inside the kernel
 * the vector is laid out tap-major (taps in order, each with its channels ascending: contiguous runs of x)
 * and the tile's weight columns are permuted to match, so every product pairs the same input and weight;
 * only the summation order of the MVM differs from (c, ki, kj) order (float rounding in the last bits).
 */
export interface AnalogTilePatches {
  conv: Conv2dParams;
  group0: number;
  k0: number;
  row0: number;
}

/**
 * Operands of analogTileForward: `rows` input rows, each holding G = `groups` input vectors of k values
 * (vector (r, g) at x[xOffset + r·ldx + g·k ..], or gathered from a conv input when `patches` is set) for G
 * tiles of [m, k] weights w[g·m·k ..] (row-major); unit u = r·G + g. Output of vector (r, g) goes to
 * y[yOffset + r·ldy + g·m ..].
 */
export interface AnalogTileArgs {
  x: Float32Array;
  /** Unused (0) with `patches`. */
  xOffset: number;
  /** Unused (G·k) with `patches`. */
  ldx: number;
  /** Gather the vectors from a conv input (see AnalogTilePatches); null or absent: read them from x. */
  patches?: AnalogTilePatches | null;
  rows: number;
  groups: number;
  k: number;
  m: number;
  w: Float32Array;
  /** NM scale per unit (float64, rows·G): computed (absMax / max with computeNm) or read, as the DAC stage. */
  nm: Float64Array;
  /** Per-output factor and bias [G·m] applied to each finished vector (null = 1 / 0). */
  post: Float32Array | null;
  bias: Float32Array | null;
  /** Added after the accumulation into y [G·m] (the digital bias of a multi-tile layer), or null. */
  biasAfter: Float32Array | null;
  /** Output-noise stream: element (u·m + i) is the normal fillNormal(rows·G·m) would give there; or null. */
  noise: RandomStream | null;
  y: Float32Array;
  yOffset: number;
  ldy: number;
  /** y += output (partial sums over input blocks) instead of y = output. */
  accumulate: boolean;
  /** Out: retry[u] = 1 where the vector clipped and bound management re-runs it (its y is not written). */
  retry: Uint8Array;
}

/** Fused analog periphery kernels (additive part of the contract, used by src/analog/periphery). */
export interface AnalogKernels {
  /**
   * DAC stage for `rows` input vectors x[rows, k] (contiguous): optional per-row noise-management scale
   * (nm[r], float64, computed or given), s_r = fround((nm>0 ? 1/nm : 1) / red[r]), then per element
   * v = clip(rint(fround(fround(x·s)/step))·step, ±bound) (round half to even, quantise then clip).
   * Writes v[rows, k] and scales[r] = s_r (0 marks an exact-zero row). `red` (bound-management reduction,
   * may be null = 1) divides the scale.
   */
  analogInputPeriphery(
    x: Float32Array,
    rows: number,
    k: number,
    p: AnalogInputParams,
    nm: Float64Array,
    red: Float64Array | null,
    v: Float32Array,
    scales: Float32Array,
  ): void;
  /**
   * ADC stage in place on y[rows, m]: asymmetry, + outNoise·z (z: rows·m standard normals, or a RandomStream
   * from which they are drawn inline exactly as fillNormal(rows·m values) would, ~1e-6 relative, or null),
   * quantise (round half to even) then clip to ±bound; failed[r] = 1 when row r clipped (positive bound,
   * or either bound with testNegativeBound), else 0.
   */
  analogOutputPeriphery(
    y: Float32Array,
    rows: number,
    m: number,
    p: AnalogOutputParams,
    z: Float32Array | RandomStream | null,
    failed: Uint8Array,
  ): void;
  /**
   * Patch matrix of output pixels row0..row0+nRows−1 (pixel index over N·outH·outW) for groups g0..g0+ng−1:
   * out[nRows, ng·Cg·kH·kW], each group's block in (c, ki, kj) order (PyTorch unfold / aihwkit tile column
   * order), zero outside the image. x is NHWC.
   */
  analogIm2col(
    p: Conv2dParams,
    x: Float32Array,
    g0: number,
    ng: number,
    row0: number,
    nRows: number,
    out: Float32Array,
  ): void;
  /**
   * The whole first pass of an analog tile forward for G equally shaped tiles (see AnalogTileArgs): per
   * vector the DAC stage (as analogInputPeriphery with red = 1), MVM with the tile weights (as sgemm), the ADC
   * stage (as analogOutputPeriphery, noise from `noise`), then, unless flagged for a bound-management retry,
   * out_i = fround(y_i · fround(outScale/s)) · post_i + bias_i (s = 0: exact-zero vector, factor 0),
   * y = accumulate ? y + out : out, then y += biasAfter_i. Returns the number of vectors flagged in retry.
   */
  analogTileForward(a: AnalogTileArgs, p: AnalogTileParams): number;
}
