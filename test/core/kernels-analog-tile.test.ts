/**
 * Conformance of the fused analog tile forward (analogTileForward) on every backend / ISA path / thread count:
 * it must equal, bit for bit, the composition it replaces on the same backend — gather, analogInputPeriphery,
 * one sgemm per tile, analogOutputPeriphery with the same noise stream, then the finishing step of the
 * contract (retry flags, fround(outScale/s) · post + bias, accumulate, biasAfter).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type AnalogTileArgs, type AnalogTileParams, KirchhoffError, Rng } from "../../src/core/index.js";
import { composed } from "./analog-tile-compose.js";
import { variants } from "./variants.js";

function randn(rng: Rng, n: number, scale = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = scale * rng.normal();
  return a;
}

interface Case {
  name: string;
  rows: number;
  groups: number;
  k: number;
  m: number;
  /** Extra row padding of x and y (in place layouts), and the offsets. */
  padX: number;
  padY: number;
  accumulate: boolean;
  post: boolean;
  bias: boolean;
  after: boolean;
  noise: boolean;
  nm: "absMax" | "constant";
  outBound: number;
}

const base = { padX: 0, padY: 0, accumulate: false, post: true, bias: true, after: false, noise: true };
const cases: Case[] = [
  { name: "conv block", rows: 300, groups: 1, k: 144, m: 16, ...base, nm: "absMax", outBound: 12 },
  {
    name: "in-place block",
    rows: 97,
    groups: 1,
    k: 100,
    m: 40,
    ...base,
    padX: 37,
    padY: 9,
    accumulate: true,
    after: true,
    bias: false,
    nm: "absMax",
    outBound: 2,
  },
  { name: "depthwise", rows: 150, groups: 12, k: 9, m: 1, ...base, nm: "absMax", outBound: 1.5 },
  {
    name: "grouped m=3",
    rows: 41,
    groups: 5,
    k: 6,
    m: 3,
    ...base,
    post: false,
    nm: "constant",
    outBound: 0.3,
  },
  {
    name: "k=512 padded DAC",
    rows: 30,
    groups: 1,
    k: 512,
    m: 20,
    ...base,
    bias: false,
    noise: false,
    nm: "absMax",
    outBound: 12,
  },
  {
    name: "k=400 unpacked GEMM",
    rows: 50,
    groups: 1,
    k: 400,
    m: 8,
    ...base,
    post: false,
    bias: false,
    nm: "absMax",
    outBound: 4,
  },
];

function makeArgs(c: Case, rng: Rng): { a: AnalogTileArgs; p: AnalogTileParams } {
  const { rows, groups: G, k, m } = c;
  const ldx = G * k + c.padX;
  const ldy = G * m + c.padY;
  const xOffset = c.padX > 0 ? 5 : 0;
  const yOffset = c.padY > 0 ? 3 : 0;
  const x = randn(rng, xOffset + rows * ldx, 0.7);
  // an all-zero vector (exact zero output) and a large one (clips, retried)
  x.fill(0, xOffset, xOffset + k);
  for (let j = 0; j < k; j++) x[xOffset + ldx + j] = j % 2 ? 0.9 : 1;
  const w = randn(rng, G * m * k, 0.3);
  const gm = G * m;
  const y = randn(rng, yOffset + rows * ldy);
  rng.takeStream(3); // the noise stream starts at a non-zero block
  const noise = c.noise ? rng.takeStream(rows * G * m) : null;
  const a: AnalogTileArgs = {
    x,
    xOffset,
    ldx,
    rows,
    groups: G,
    k,
    m,
    w,
    nm: new Float64Array(rows * G).fill(c.nm === "constant" ? 2 : 0),
    post: c.post ? Float32Array.from(randn(rng, gm), (v) => 0.5 + Math.abs(v)) : null,
    bias: c.bias ? randn(rng, gm, 0.1) : null,
    biasAfter: c.after ? randn(rng, gm, 0.1) : null,
    noise,
    y,
    yOffset,
    ldy,
    accumulate: c.accumulate,
    retry: new Uint8Array(rows * G).fill(7),
  };
  const p: AnalogTileParams = {
    input: {
      noiseManagement: c.nm,
      computeNm: c.nm === "absMax",
      nmCap: Infinity,
      step: 2 / 254,
      bound: 1,
      zeroRowsExact: true,
    },
    output: {
      outAsymmetry: c.nm === "constant" ? 0.1 : 0,
      outNoise: 0.06,
      step: (2 * c.outBound) / 254,
      bound: c.outBound,
      testNegativeBound: true,
    },
    outScale: 1,
    retryClipped: true,
  };
  return { a, p };
}

for (const vnt of variants()) {
  const be = vnt.backend;

  test(`analogTileForward equals the composed stage kernels [${vnt.label}]`, () => {
    vnt.enter();
    const rng = new Rng(21);
    for (const c of cases) {
      for (const retryClipped of [true, false]) {
        const { a, p } = makeArgs(c, rng);
        const q = { ...p, retryClipped };
        const want = composed(be, a, q);
        const flagged = be.analogTileForward(a, q);
        assert.deepEqual(a.retry, want.retry, `${c.name}: retry flags`);
        assert.equal(
          flagged,
          a.retry.reduce((n, f) => n + f, 0),
          `${c.name}: returned retry count`,
        );
        assert.deepEqual(a.nm, want.nm, `${c.name}: nm`);
        assert.deepEqual(a.y, want.y, `${c.name}: y`);
        if (retryClipped && c.outBound < 5) assert.ok(a.retry.includes(1), `${c.name}: some vectors retried`);
      }
    }
  });

  test(`analogTileForward rejects bad arguments with KirchhoffError [${vnt.label}]`, () => {
    vnt.enter();
    const { a, p } = makeArgs(cases[0]!, new Rng(22));
    const bad = (patch: Partial<AnalogTileArgs>, re: RegExp) =>
      assert.throws(
        () => be.analogTileForward({ ...a, ...patch }, p),
        (e: unknown) => e instanceof KirchhoffError && re.test(e.message),
      );
    bad({ x: new Float32Array(10) }, /analogTileForward: x/);
    bad({ y: new Float32Array(10) }, /analogTileForward: y/);
    bad({ ldx: 3 }, /analogTileForward: ldx/);
    bad({ w: new Float32Array(5) }, /analogTileForward: w/);
    bad({ retry: new Uint8Array(2) }, /analogTileForward: retry/);
    bad({ post: new Float32Array(1) }, /analogTileForward: post/);
    assert.throws(() => be.analogTileForward(a, { ...p, output: { ...p.output, bound: 0 } }), KirchhoffError);
  });
}
