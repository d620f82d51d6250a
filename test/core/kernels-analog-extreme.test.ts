/**
 * Extreme inputs through the analog periphery kernels, on every backend / ISA path / thread count.
 * - NaN and ∞: the NM maximum never takes a NaN, so a vector whose other elements are all zero has maximum 0;
 *   it must still not be taken for an exact-zero vector (scale 0, zero output), or its NaN would silently
 *   become a number. Such vectors give NaN outputs, as in the digital model; true zero vectors keep scale 0
 *   and zero outputs.
 * - Tiny vectors (NM maxima 1e-38 .. 4e-37): the DAC scale 1/max is a float but s·(1/step) is not, so the
 *   native one-product level argument must give way to fround(x·s)·(1/step), bit for bit the TS reference.
 * Covered: the DAC stage, and the fused tile kernel's dense rows, single-output groups, conv vectors gathered
 * from the input (straight DAC of whole-channel taps, and a tile slice inside channels) and depthwise tiles
 * (whole vectors of channels, and the per-lane path).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type AnalogInputParams,
  type AnalogTileArgs,
  type AnalogTileParams,
  availableBackends,
  type Conv2dParams,
  type KernelBackend,
  Rng,
} from "../../src/core/index.js";
import { conv } from "./helpers.js";
import { variants } from "./variants.js";

const FLOAT_STEP = Math.fround(2 / 254); // the presets' DAC step

function input(step: number): AnalogInputParams {
  return { noiseManagement: "absMax", computeNm: true, nmCap: Infinity, step, bound: 1, zeroRowsExact: true };
}

/**
 * Rows of k values: NaN among zeros, all NaN, all zero, NaN among non-zeros, NaN as the last element, and
 * (withInf) +∞ among non-zeros (NM maximum ∞, scale 1/∞ = 0: x·0 is NaN at the ∞).
 */
function nanRows(k: number, withInf = false): { x: Float32Array; nanRow: boolean[] } {
  const x = new Float32Array((withInf ? 6 : 5) * k);
  x[7] = Number.NaN;
  x.fill(Number.NaN, k, 2 * k);
  for (let j = 0; j < k; j++) x[3 * k + j] = Math.fround(Math.sin(j + 1));
  x[3 * k + 3] = Number.NaN;
  x[5 * k - 1] = Number.NaN;
  if (withInf) {
    for (let j = 0; j < k; j++) x[5 * k + j] = Math.fround(Math.cos(j + 1));
    x[5 * k + 2] = Number.POSITIVE_INFINITY;
  }
  return { x, nanRow: [true, true, false, true, true, true] };
}

function tileArgs(x: Float32Array, rows: number, groups: number, k: number, m: number): AnalogTileArgs {
  return {
    x,
    xOffset: 0,
    ldx: groups * k,
    patches: null,
    rows,
    groups,
    k,
    m,
    w: Float32Array.from({ length: groups * m * k }, (_, i) => Math.fround(0.1 * Math.cos(i))),
    nm: new Float64Array(rows * groups),
    post: null,
    bias: null,
    biasAfter: null,
    noise: null,
    y: new Float32Array(rows * groups * m).fill(7),
    yOffset: 0,
    ldy: groups * m,
    accumulate: false,
    retry: new Uint8Array(rows * groups),
  };
}

/** tileArgs for the conv vectors of every output pixel of cv, gathered from the NHWC input x from column k0. */
function convArgs(
  x: Float32Array,
  cv: Conv2dParams,
  groups: number,
  k: number,
  m: number,
  k0 = 0,
): AnalogTileArgs {
  const a = tileArgs(x, cv.n * cv.outH * cv.outW, groups, k, m);
  a.patches = { conv: cv, group0: 0, k0, row0: 0 };
  return a;
}

function tileParams(step: number): AnalogTileParams {
  return {
    input: input(step),
    output: { outAsymmetry: 0, outNoise: 0, step: Math.fround(24 / 254), bound: 12, testNegativeBound: true },
    outScale: 1,
    retryClipped: true,
  };
}

/** Asserts y[u·m .. u·m + m) is all NaN where nanUnit(u), else all +0 or −0 (exact-zero vectors, no bias). */
function expectUnits(y: Float32Array, m: number, nanUnit: (u: number) => boolean, label: string): void {
  for (let u = 0; u < y.length / m; u++) {
    for (let i = 0; i < m; i++) {
      const v = y[u * m + i]!;
      if (nanUnit(u)) assert.ok(Number.isNaN(v), `${label}: vector ${u} output ${i} should be NaN, got ${v}`);
      else assert.equal(Math.abs(v), 0, `${label}: vector ${u} output ${i} should be 0`);
    }
  }
}

/** An NHWC input of zeros with one NaN at (image 0, row 2, column 2, channel c). */
function zerosWithNaN(cv: Conv2dParams, c: number): Float32Array {
  const x = new Float32Array(cv.n * cv.inH * cv.inW * cv.inC);
  x[(2 * cv.inW + 2) * cv.inC + c] = Number.NaN;
  return x;
}

/** Whether output pixel `row` of a 3×3, stride-1, pad-1 conv reads input pixel (image 0, row 2, column 2). */
function readsNaNPixel(cv: Conv2dParams, row: number): boolean {
  const ow = row % cv.outW;
  const oh = Math.floor(row / cv.outW) % cv.outH;
  const n = Math.floor(row / (cv.outW * cv.outH));
  return n === 0 && Math.abs(oh - 2) <= 1 && Math.abs(ow - 2) <= 1;
}

for (const vnt of variants()) {
  const be = vnt.backend;

  test(`DAC stage: a NaN among zeros is no exact-zero row [${vnt.label}]`, () => {
    vnt.enter();
    for (const step of [FLOAT_STEP, 2 / 254]) {
      const k = 20;
      const { x, nanRow } = nanRows(k);
      const v = new Float32Array(x.length).fill(7);
      const scales = new Float32Array(5);
      be.analogInputPeriphery(x, 5, k, input(step), new Float64Array(5), null, v, scales);
      for (let r = 0; r < 5; r++) {
        assert.equal(scales[r] === 0, !nanRow[r], `step ${step}, row ${r}: scale ${scales[r]}`);
        for (let j = 0; j < k; j++) {
          const want = Number.isNaN(x[r * k + j]!) || r === 3 ? x[r * k + j]! : 0;
          if (Number.isNaN(want))
            assert.ok(Number.isNaN(v[r * k + j]!), `step ${step}, v[${r}, ${j}] not NaN`);
          else if (r !== 3) assert.equal(v[r * k + j], 0, `step ${step}, v[${r}, ${j}]`);
        }
      }
    }
  });

  test(`analogTileForward: NaN and ∞ rows give NaN outputs, zero rows zeros [${vnt.label}]`, () => {
    vnt.enter();
    const k = 20;
    const { x, nanRow } = nanRows(k, true);
    for (const step of [FLOAT_STEP, 2 / 254]) {
      const dense = tileArgs(x, 6, 1, k, 6); // one vector per row, 6 outputs
      be.analogTileForward(dense, tileParams(step));
      expectUnits(dense.y, 6, (u) => nanRow[u]!, `dense, step ${step}`);
      // the same vectors as one row of 6 single-output groups (m = 1)
      const grouped = tileArgs(x, 1, 6, k, 1);
      be.analogTileForward(grouped, tileParams(step));
      expectUnits(grouped.y, 1, (u) => nanRow[u]!, `groups, step ${step}`);
    }
  });

  test(`analogTileForward on conv patches: a NaN among zero pixels reaches the outputs [${vnt.label}]`, () => {
    vnt.enter();
    const p = tileParams(FLOAT_STEP);
    // whole-channel taps (the straight DAC from the input), and a tile slice that starts inside a channel
    const dense = conv(2, 6, 5, 16, 4, [3, 3], { pad: [1, 1, 1, 1] });
    for (const [k0, k] of [
      [0, 144],
      [20, 30],
    ] as const) {
      const a = convArgs(zerosWithNaN(dense, 3), dense, 1, k, 4, k0);
      be.analogTileForward(a, p);
      expectUnits(a.y, 4, (u) => readsNaNPixel(dense, u), `conv k0 ${k0} k ${k}`);
    }
    // depthwise: 16 channels (whole vectors of channels) and 3 (the per-lane path)
    for (const [ch, c] of [
      [16, 5],
      [3, 1],
    ] as const) {
      const dw = conv(2, 6, 5, ch, ch, [3, 3], { pad: [1, 1, 1, 1], groups: ch });
      const x = zerosWithNaN(dw, c);
      x[dw.inH * dw.inW * ch + c] = Number.POSITIVE_INFINITY; // image 1, pixel (0, 0): NM maximum ∞
      const a = convArgs(x, dw, ch, 9, 1);
      be.analogTileForward(a, p);
      // output pixels of image 1 at rows 0-1, columns 0-1 read the ∞
      const readsInf = (row: number) => {
        const r = row - dw.outH * dw.outW;
        return r >= 0 && Math.floor(r / dw.outW) <= 1 && r % dw.outW <= 1;
      };
      expectUnits(
        a.y,
        1,
        (u) => u % ch === c && (readsNaNPixel(dw, Math.floor(u / ch)) || readsInf(Math.floor(u / ch))),
        `depthwise ${ch}`,
      );
    }
  });

  test(`tiny vectors (s·(1/step) beyond float) quantise as the TS reference [${vnt.label}]`, () => {
    vnt.enter();
    const js = availableBackends().find((b) => b.name === "js")!;
    // rows of 144 = 16 channels × 9 taps: maxima 1e-37, 3e-37, 5e-39 (an element at ± the maximum, others
    // spread below it, some zeros) and one ordinary row
    const k = 144;
    const x = new Float32Array(4 * k);
    for (const [r, m] of [1e-37, 3e-37, 5e-39, 0.7].entries())
      for (let j = 0; j < k; j++) x[r * k + j] = j % 5 === 0 ? 0 : Math.fround(m * Math.sin(3 * j + r));
    for (const step of [FLOAT_STEP, 2 / 254]) {
      const run = (b: KernelBackend) => {
        const v = new Float32Array(x.length);
        const scales = new Float32Array(4);
        b.analogInputPeriphery(x, 4, k, input(step), new Float64Array(4), null, v, scales);
        const dense = tileArgs(x, 4, 1, k, 6);
        b.analogTileForward(dense, tileParams(step));
        return { v, scales, y: dense.y };
      };
      const want = run(js);
      const got = run(be);
      assert.deepEqual(got.scales, want.scales, `step ${step}: DAC scales`);
      assert.deepEqual(got.v, want.v, `step ${step}: DAC levels`);
      assert.deepEqual(got.y, want.y, `step ${step}: dense tile outputs`);
      assert.ok(want.y.every(Number.isFinite), `step ${step}: finite outputs`);
    }
    // conv patches (straight DAC) and depthwise blocks on an input of such values
    const p = tileParams(FLOAT_STEP);
    const dense = conv(2, 6, 5, 16, 4, [3, 3], { pad: [1, 1, 1, 1] });
    const dw = conv(2, 6, 5, 16, 16, [3, 3], { pad: [1, 1, 1, 1], groups: 16 });
    const img = new Float32Array(dense.n * dense.inH * dense.inW * 16);
    for (let i = 0; i < img.length; i++) img[i] = Math.fround((i % 7 === 0 ? 0 : 1e-37) * Math.cos(i));
    for (const [cv, m, G, k2] of [
      [dense, 4, 1, 144],
      [dw, 1, 16, 9],
    ] as const) {
      const run = (b: KernelBackend) => {
        const a = convArgs(img, cv, G, k2, m);
        b.analogTileForward(a, p);
        return a.y;
      };
      const want = run(js);
      assert.deepEqual(run(be), want, `${G > 1 ? "depthwise" : "conv"} outputs`);
      assert.ok(want.every(Number.isFinite) && want.some((v) => v !== 0), "finite, not all zero");
    }
  });

  test(`extreme conv inputs: NaN, ±∞ and magnitudes 1e-40..1e40 give the TS reference's outputs [${vnt.label}]`, () => {
    vnt.enter();
    const js = availableBackends().find((b) => b.name === "js")!;
    const rng = new Rng(41);
    for (let it = 0; it < 60; it++) {
      // depthwise (3 channels: lanes; 16: blocks), dense conv (straight DAC) and a grouped conv (2 channels per
      // group, one output: groupRowDots); NM abs-max and max; inputs with zeros, a random magnitude, specials
      const mode = (["dw3", "dw16", "conv", "grouped"] as const)[it % 4]!;
      const C = mode === "dw3" ? 3 : mode === "grouped" ? 8 : 16;
      const groups = mode === "dw3" || mode === "dw16" ? C : mode === "grouped" ? 4 : 1;
      const outC = mode === "conv" ? 4 : groups;
      const cv = conv(2, 5, 4, C, outC, [3, 3], { pad: [1, 1, 1, 1], groups });
      const scale = 10 ** (rng.uniform() * 80 - 40);
      const x = Float32Array.from({ length: 2 * 5 * 4 * C }, () =>
        rng.uniform() < 0.4 ? 0 : Math.fround(rng.normal() * scale),
      );
      for (let j = 0; j < 2; j++)
        if (rng.uniform() < 0.6) x[rng.int(x.length)] = [Number.NaN, Infinity, -Infinity][rng.int(3)]!;
      const m = outC / groups;
      const k = (C / groups) * 9;
      const p = tileParams(FLOAT_STEP);
      p.input.noiseManagement = it % 8 < 4 ? "absMax" : "max";
      p.output = { ...p.output, step: 0, bound: 1e30 };
      const run = (b: KernelBackend) => {
        const a = convArgs(x, cv, groups, k, m);
        a.w = Float32Array.from({ length: groups * m * k }, (_, i) => Math.fround(0.3 * Math.sin(i + it)));
        b.analogTileForward(a, p);
        return a;
      };
      const want = run(js);
      const got = run(be);
      assert.deepEqual(got.nm, want.nm, `case ${it} (${mode}, ${p.input.noiseManagement}): nm`);
      for (let i = 0; i < want.y.length; i++) {
        const [a, b] = [want.y[i]!, got.y[i]!];
        const where = `case ${it} (${mode}, ${p.input.noiseManagement}), output ${i}: reference ${a}, got ${b}`;
        if (!Number.isFinite(a) || !Number.isFinite(b))
          assert.ok(Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b)), where);
        else assert.ok(Math.abs(a - b) <= 1e-5 * Math.abs(a) + 1e-6 * scale * k, where); // GEMM order only
      }
    }
  });

  test(`NM max: an exact-zero vector (maximum ≤ 0) holding −∞ gives zeros, one holding NaN gives NaN [${vnt.label}]`, () => {
    vnt.enter();
    // SPEC 7.1: nm ≤ 0 returns zeros; −∞·0 must not make them NaN, while a NaN must still show
    const p = tileParams(FLOAT_STEP);
    p.input.noiseManagement = "max";
    for (const [ch, c] of [
      [3, 1],
      [16, 5],
    ] as const) {
      const dw = conv(2, 6, 5, ch, ch, [3, 3], { pad: [1, 1, 1, 1], groups: ch });
      const x = new Float32Array(2 * 6 * 5 * ch).fill(-0.5); // every vector ≤ 0: exact-zero vectors
      x[(2 * 5 + 2) * ch + c] = -Infinity; // image 0, pixel (2, 2)
      x[(6 * 5 + 2 * 5 + 2) * ch + c] = Number.NaN; // image 1, pixel (2, 2)
      const a = convArgs(x, dw, ch, 9, 1);
      be.analogTileForward(a, p);
      expectUnits(
        a.y,
        1,
        (u) => u % ch === c && readsNaNPixel(dw, Math.floor(u / ch) - 30),
        `depthwise ${ch}`,
      );
    }
    // single-output groups from rows (groupRowDots) and dense rows
    const x = Float32Array.from({ length: 3 * 9 }, () => -0.25);
    x[4] = -Infinity;
    x[9 + 4] = Number.NaN;
    const grouped = tileArgs(x, 1, 3, 9, 1);
    be.analogTileForward(grouped, p);
    expectUnits(grouped.y, 1, (u) => u === 1, "groups");
    const dense = tileArgs(x, 3, 1, 9, 4);
    be.analogTileForward(dense, p);
    expectUnits(dense.y, 4, (u) => u === 1, "dense");
  });
}
