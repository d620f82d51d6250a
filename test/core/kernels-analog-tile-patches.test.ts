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

function makeArgs(c: Case, rng: Rng): { a: AnalogTileArgs; p: AnalogTileParams } {
  const { conv, groups: G, k, m, rows } = c;
  const x = randn(rng, conv.n * conv.inH * conv.inW * conv.inC, 0.7);
  x.fill(0, 0, conv.inC); // a zero pixel
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
      nmCap: Infinity,
      step: 2 / 254,
      bound: 1,
      zeroRowsExact: true,
    },
    // no ADC quantisation, so that y shows the MVM's summation order in its last bits
    output: { outAsymmetry: 0, outNoise: 0.06, step: 0, bound: c.outBound ?? 1.5, testNegativeBound: true },
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
