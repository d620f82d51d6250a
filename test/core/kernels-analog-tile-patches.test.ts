/**
 * analogTileForward with `patches` (conv vectors gathered inside the kernel) on every backend / ISA path /
 * thread count: bit for bit the same call on materialised patches — analogIm2col's (c, ki, kj) columns
 * [k0, k0 + k) of each vector, rearranged tap-major (taps in order, channels ascending), with the weight
 * columns rearranged the same way — including NM scales, bound-management retry flags and output noise.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type AnalogTileArgs,
  type AnalogTileParams,
  type Conv2dParams,
  type KernelBackend,
  KirchhoffError,
  Rng,
} from "../../src/core/index.js";
import { conv } from "./helpers.js";
import { variants } from "./variants.js";

interface Case {
  name: string;
  conv: Conv2dParams;
  group0: number;
  groups: number;
  k0: number;
  k: number;
  m: number;
  row0: number;
  rows: number;
  nm: "absMax" | "max";
  /** ADC bound: low enough that some vectors clip and are retried. */
  outBound?: number;
  /**
   * The presets' float DAC and ADC steps, and inputs whose DAC levels sit on rounding ties (every 3×3 window
   * holds a pixel at the NM maximum, the others at half-integer levels) with one all-zero channel.
   */
  ties?: true;
  /** The presets' float DAC and ADC steps (implied by `ties`). */
  floatSteps?: true;
  /** NM cap (default ∞): vectors whose maximum exceeds it are scaled by 1/cap, so the DAC clips. */
  nmCap?: number;
  /** Added to every input (a negative shift makes whole vectors negative: NM max ≤ 0). */
  shift?: number;
  /** The DAC step (default 2/254, or the presets' float step with `ties` / `floatSteps`). */
  inStep?: number;
}

const g3x3 = conv(2, 6, 5, 10, 1, [3, 3], { stride: [1, 1], pad: [1, 1, 1, 1], dil: [1, 1], groups: 1 });
const cases: Case[] = [
  // a tile slice that starts and ends inside channels (30 = 3⅓ channels of 9 taps)
  {
    name: "3×3 slice mid-channel",
    conv: g3x3,
    group0: 0,
    groups: 1,
    k0: 30,
    k: 30,
    m: 7,
    row0: 0,
    rows: 60,
    nm: "absMax",
  },
  {
    name: "stride 2, dilation, row window",
    conv: conv(1, 9, 7, 4, 1, [3, 2], { stride: [2, 1], pad: [1, 1, 0, 0], dil: [2, 1], groups: 1 }),
    group0: 0,
    groups: 1,
    k0: 0,
    k: 24,
    m: 5,
    row0: 5,
    rows: 7,
    nm: "max",
  },
  {
    name: "grouped whole patches",
    conv: conv(2, 5, 5, 6, 3, [3, 3], { stride: [1, 1], pad: [1, 1, 1, 1], dil: [1, 1], groups: 3 }),
    group0: 0,
    groups: 3,
    k0: 0,
    k: 18,
    m: 2,
    row0: 0,
    rows: 50,
    nm: "absMax",
  },
  {
    name: "depthwise",
    conv: conv(2, 6, 4, 8, 8, [3, 3], { stride: [1, 1], pad: [1, 1, 1, 1], dil: [1, 1], groups: 8 }),
    group0: 0,
    groups: 8,
    k0: 0,
    k: 9,
    m: 1,
    row0: 3,
    rows: 40,
    nm: "absMax",
    outBound: 0.3,
  },
  {
    name: "1×1",
    conv: conv(3, 4, 4, 16, 1, [1, 1], { stride: [1, 1], pad: [0, 0, 0, 0], dil: [1, 1], groups: 1 }),
    group0: 0,
    groups: 1,
    k0: 0,
    k: 16,
    m: 5,
    row0: 0,
    rows: 48,
    nm: "absMax",
  },
  // whole-channel tiles (every tap the same 16 / 32 / 64 channels): the unrolled gather, padding and the
  // window-inside-the-image fast path, across an image boundary
  {
    name: "3×3 whole channels, padded, two images",
    conv: conv(2, 5, 6, 16, 4, [3, 3], { stride: [1, 1], pad: [1, 1, 1, 1], dil: [1, 1], groups: 1 }),
    group0: 0,
    groups: 1,
    k0: 0,
    k: 144,
    m: 6,
    row0: 7,
    rows: 45,
    nm: "absMax",
  },
  {
    name: "3×3 upper 16 of 32 channels, stride 2",
    conv: conv(2, 7, 7, 32, 3, [3, 3], { stride: [2, 2], pad: [1, 1, 1, 1], dil: [1, 1], groups: 1 }),
    group0: 0,
    groups: 1,
    k0: 144,
    k: 144,
    m: 3,
    row0: 0,
    rows: 32,
    nm: "absMax",
  },
  {
    name: "3×3 64 channels whole",
    conv: conv(1, 4, 4, 64, 2, [3, 3], { stride: [1, 1], pad: [1, 1, 1, 1], dil: [1, 1], groups: 1 }),
    group0: 0,
    groups: 1,
    k0: 0,
    k: 576,
    m: 2,
    row0: 0,
    rows: 16,
    nm: "absMax",
  },
  // whole-channel tiles with the presets' float DAC: quantised straight from the input pixels (16, 32, 64
  // channels: one, two, four vectors per tap on AVX-512), on random inputs (nearly every vector direct) and on
  // tie inputs (nearly every vector redone exactly)
  ...[16, 32, 64].flatMap((ch): Case[] =>
    [false, true].map((ties) => ({
      name: `3×3 ${ch} channels whole, float steps${ties ? ", DAC ties" : ""}`,
      conv: conv(2, 5, 4, ch, 3, [3, 3], { stride: [1, 1], pad: [1, 1, 1, 1], dil: [1, 1], groups: 1 }),
      group0: 0,
      groups: 1,
      k0: 0,
      k: 9 * ch,
      m: 3,
      row0: 2,
      rows: 36,
      nm: "absMax",
      outBound: 3, // MVM outputs of ~2 (k ≥ 144): some vectors clip, most finish and show their DAC levels
      floatSteps: true,
      ...(ties ? { ties: true as const } : { nmCap: 1.2 }),
    })),
  ),
  {
    name: "second group, slice",
    conv: conv(1, 5, 6, 10, 2, [2, 2], { stride: [1, 2], pad: [1, 1, 1, 1], dil: [1, 1], groups: 2 }),
    group0: 1,
    groups: 1,
    k0: 7,
    k: 10,
    m: 4,
    row0: 2,
    rows: 15,
    nm: "max",
  },
  // NM max over runs shorter than a vector (masked tails), with whole vectors below zero
  {
    name: "NM max, mostly negative inputs, partial channels",
    conv: conv(2, 5, 5, 7, 1, [3, 3], { stride: [1, 1], pad: [1, 1, 1, 1], dil: [1, 1], groups: 1 }),
    group0: 0,
    groups: 1,
    k0: 4,
    k: 40,
    m: 3,
    row0: 0,
    rows: 50,
    nm: "max",
    shift: -1.2,
  },
  // depthwise tiles in whole vectors of W channels plus a remainder (37 = 32 + 5, or 36 + 1 for W = 4)
  {
    name: "depthwise 37 of 40 channels, float steps, DAC ties",
    conv: conv(2, 5, 6, 40, 40, [3, 3], { stride: [1, 1], pad: [1, 1, 1, 1], dil: [1, 1], groups: 40 }),
    group0: 3,
    groups: 37,
    k0: 0,
    k: 9,
    m: 1,
    row0: 0,
    rows: 60,
    nm: "absMax",
    outBound: 0.3,
    ties: true,
  },
  {
    name: "depthwise 16 channels, NM max, stride 2, float steps, DAC ties",
    conv: conv(2, 7, 6, 16, 16, [3, 3], { stride: [2, 2], pad: [1, 1, 1, 1], dil: [1, 1], groups: 16 }),
    group0: 0,
    groups: 16,
    k0: 0,
    k: 9,
    m: 1,
    row0: 1,
    rows: 22,
    nm: "max",
    outBound: 0.3,
    ties: true,
  },
  // 1/step = 127.8: the NM maximum's level 128 lies above the bound (128·step > 1), so the DAC clips it
  // at its own abs-max scale, where the presets' steps (1/step = 127) never clip
  {
    name: "depthwise 32 channels, a DAC step whose top level clips",
    conv: conv(2, 5, 6, 32, 32, [3, 3], { stride: [1, 1], pad: [1, 1, 1, 1], dil: [1, 1], groups: 32 }),
    group0: 0,
    groups: 32,
    k0: 0,
    k: 9,
    m: 1,
    row0: 0,
    rows: 60,
    nm: "absMax",
    inStep: Math.fround(1 / 127.8),
  },
];

function randn(rng: Rng, n: number, scale = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = scale * rng.normal();
  return a;
}

/** The tap-major order of columns [k0, k0 + k): the (c, ki, kj) index (minus k0) at each position. */
function tapMajor(conv: Conv2dParams, k0: number, k: number): number[] {
  const kk = conv.kH * conv.kW;
  const cols = Array.from({ length: k }, (_, i) => k0 + i);
  cols.sort((a, b) => (a % kk) - (b % kk) || a - b);
  return cols.map((q) => q - k0);
}

/** The 8-bit DAC step of the presets (effectiveStep rounds it to float). */
const FLOAT_STEP = Math.fround(2 / 254);

/** Round half to even. */
function rintEven(t: number): number {
  const f = Math.floor(t);
  return t - f > 0.5 || (t - f === 0.5 && f % 2 !== 0) ? f + 1 : f;
}

/** The NM maximum of every vector of the tie cases (0.8 would give no split values below). */
const TIE_MAX = Math.fround(0.7);

/**
 * Floats x whose DAC level at scale s = fround(1/TIE_MAX) one of the all-float paths puts on the other side of a
 * half-integer than the reference's double path (fround(x·s)·(1/step)): fround(x·s)·fround(1/step) (a scale per
 * element) or x·fround(s·fround(1/step)) (one scale per vector, as the depthwise blocks compute it); only the
 * exact redo gets them right. Found by scanning 64 ulps either side of every half-integer level up to ±40.
 */
function splitTies(): number[] {
  const s = Math.fround(1 / TIE_MAX);
  const invF = Math.fround(1 / FLOAT_STEP);
  const f = new Float32Array(1);
  const bits = new Int32Array(f.buffer);
  const out: number[] = [];
  const found = [0, 0];
  for (let j = -40; j <= 40; j++) {
    f[0] = ((j + 0.5) * FLOAT_STEP) / s;
    const base = bits[0]!;
    for (let d = -64; d <= 64; d++) {
      bits[0] = base + d;
      const x = f[0]!;
      const want = rintEven(Math.fround(Math.fround(x * s) * (1 / FLOAT_STEP)));
      const perElement = rintEven(Math.fround(Math.fround(x * s) * invF)) !== want;
      const perVector = rintEven(Math.fround(x * Math.fround(s * invF))) !== want;
      if (perElement) found[0]!++;
      if (perVector) found[1]!++;
      if (perElement || perVector) out.push(x);
    }
  }
  assert.ok(found[0]! > 0 && found[1]! > 0, `split tie values exist for both float paths: ${found}`);
  return out;
}

/**
 * Inputs whose DAC levels lie on or beside rounding ties: pixels at even (h, w) hold the NM maximum TIE_MAX in
 * every channel (every 3×3 window holds one), the others TIE_MAX·(j + ½)·step for small integers j or a
 * splitTies value (with NM max, also −1.3·TIE_MAX, which clips); channel group0 + 2 is zero everywhere (exact-zero vectors) and one element is +∞ (NM
 * maximum ∞: scale 0, an exact-zero vector whose products are NaN).
 */
function tieInputs(c: Case, x: Float32Array, rng: Rng): void {
  const { n, inH, inW, inC } = c.conv;
  const split = splitTies();
  for (let i = 0; i < n * inH * inW; i++) {
    const w = i % inW;
    const h = ((i - w) / inW) % inH;
    for (let ch = 0; ch < inC; ch++) {
      const j = Math.round(4 * rng.normal());
      const u = rng.uniform();
      let v = u < 0.3 ? split[rng.int(split.length)]! : TIE_MAX * (j + 0.5) * FLOAT_STEP;
      if (c.nm === "max" && u > 0.9) v = -1.3 * TIE_MAX; // below −max: the DAC clips it
      x[i * inC + ch] = h % 2 === 0 && w % 2 === 0 ? TIE_MAX : v;
    }
    x[i * inC + c.group0 + 2] = 0;
  }
  x[(inW + 1) * inC + c.group0 + 4] = Number.POSITIVE_INFINITY;
}

function makeArgs(c: Case, rng: Rng): { a: AnalogTileArgs; p: AnalogTileParams } {
  const { conv, groups: G, k, m, rows } = c;
  const x = randn(rng, conv.n * conv.inH * conv.inW * conv.inC, 0.7);
  if (c.shift) for (let i = 0; i < x.length; i++) x[i] = Math.fround(x[i]! + c.shift);
  x.fill(0, 0, conv.inC); // a zero pixel
  if (c.ties) tieInputs(c, x, rng);
  rng.takeStream(3); // the noise stream below starts at a non-zero block
  const a: AnalogTileArgs = {
    x,
    xOffset: 0,
    ldx: G * k,
    patches: { conv, group0: c.group0, k0: c.k0, row0: c.row0 },
    rows,
    groups: G,
    k,
    m,
    w: randn(rng, G * m * k, 0.3),
    nm: new Float64Array(rows * G),
    post: Float32Array.from(randn(rng, G * m), (v) => 0.5 + Math.abs(v)),
    bias: randn(rng, G * m, 0.1),
    biasAfter: null,
    noise: rng.takeStream(rows * G * m),
    y: randn(rng, rows * G * m),
    yOffset: 0,
    ldy: G * m,
    accumulate: true,
    retry: new Uint8Array(rows * G).fill(7),
  };
  const p: AnalogTileParams = {
    input: {
      noiseManagement: c.nm,
      computeNm: true,
      nmCap: c.nmCap ?? Infinity,
      step: c.inStep ?? (c.ties || c.floatSteps ? FLOAT_STEP : 2 / 254),
      bound: 1,
      zeroRowsExact: true,
    },
    // no ADC quantisation (but with the float DAC), so that y shows the MVM's summation order in its last bits
    output: {
      outAsymmetry: 0,
      outNoise: 0.06,
      step: c.ties || c.floatSteps ? Math.fround((2 * (c.outBound ?? 1.5)) / 254) : 0,
      bound: c.outBound ?? 1.5,
      testNegativeBound: true,
    },
    outScale: 1,
    retryClipped: true,
  };
  return { a, p };
}

/** The same call on materialised tap-major patches and permuted weights. */
function materialised(be: KernelBackend, c: Case, a: AnalogTileArgs, p: AnalogTileParams) {
  const { conv, groups: G, k, m, rows } = c;
  const kFull = (conv.inC / conv.groups) * conv.kH * conv.kW;
  const full = new Float32Array(rows * G * kFull);
  be.analogIm2col(conv, a.x, c.group0, G, c.row0, rows, full);
  const order = tapMajor(conv, c.k0, k);
  const xs = new Float32Array(rows * G * k);
  for (let u = 0; u < rows * G; u++)
    for (let i = 0; i < k; i++) xs[u * k + i] = full[u * kFull + c.k0 + order[i]!]!;
  const w = new Float32Array(G * m * k);
  for (let o = 0; o < G * m; o++) for (let i = 0; i < k; i++) w[o * k + i] = a.w[o * k + order[i]!]!;
  const b: AnalogTileArgs = {
    ...a,
    x: xs,
    patches: null,
    w,
    nm: new Float64Array(a.nm),
    y: Float32Array.from(a.y),
    retry: new Uint8Array(a.retry),
  };
  be.analogTileForward(b, p);
  return b;
}

for (const vnt of variants()) {
  const be = vnt.backend;

  test(`analogTileForward gathers conv patches like the materialised call [${vnt.label}]`, () => {
    vnt.enter();
    const rng = new Rng(31);
    for (const c of cases) {
      const { a, p } = makeArgs(c, rng);
      const want = materialised(be, c, a, p);
      const flagged = be.analogTileForward(a, p);
      assert.deepEqual(a.retry, want.retry, `${c.name}: retry flags`);
      assert.equal(
        flagged,
        a.retry.reduce((n, f) => n + f, 0),
        `${c.name}: returned retry count`,
      );
      assert.deepEqual(a.nm, want.nm, `${c.name}: nm`);
      assert.deepEqual(a.y, want.y, `${c.name}: y`);
      assert.ok(a.retry.includes(1) && a.retry.includes(0), `${c.name}: some vectors retried, some finished`);
    }
  });

  test(`analogTileForward rejects bad patch sources with KirchhoffError [${vnt.label}]`, () => {
    vnt.enter();
    const c = cases[0]!;
    const { a, p } = makeArgs(c, new Rng(32));
    const bad = (patches: Partial<NonNullable<AnalogTileArgs["patches"]>>, re: RegExp, extra = {}) =>
      assert.throws(
        () => be.analogTileForward({ ...a, ...extra, patches: { ...a.patches!, ...patches } }, p),
        (e: unknown) => e instanceof KirchhoffError && re.test(e.message),
      );
    bad({ k0: 61 }, /patches: columns 61\+30 exceed the patch size 90/);
    bad({ group0: 1 }, /patches: groups 1\+1 exceed 1/);
    bad({ row0: 1 }, /patches: rows 1\+60 exceed 60 output pixels/);
    bad({ row0: -1 }, /patches\.row0/);
    bad({}, /analogTileForward: x/, { x: new Float32Array(10) });
    bad({}, /xOffset: expected 0 with patches/, { xOffset: 2 });
  });
}
