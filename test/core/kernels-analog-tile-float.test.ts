/**
 * analogTileForward with float32 DAC/ADC steps, as every preset has (effectiveStep is fround'ed): the native
 * kernels then take all-float paths (float DAC levels, float reciprocal NM scales and output factors, the float
 * ADC of single-output vectors) that must give exactly the numbers of the stage kernels' composition, on every
 * backend, ISA and thread count. Covered: random depthwise and dense tiles (16 and 37 outputs) with capped noise
 * management, float / non-float output scales and with or without the negative-bound test; dense tiles of 16,
 * 32 and 64 outputs (the one-pass epilogue) with every finishing step; and depthwise and dense tiles whose ADC
 * inputs sit on rounding ties (and one float beside them), with and without output noise.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type AnalogTileArgs, type AnalogTileParams, type KernelBackend, Rng } from "../../src/core/index.js";
import { composed } from "./analog-tile-compose.js";
import { variants } from "./variants.js";

const f = Math.fround;

function randn(rng: Rng, n: number, scale: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = scale * rng.normal();
  return a;
}

/** Float steps of an 8-bit converter (254 steps over ±bound), as effectiveStep gives them. */
const step8 = (bound: number) => f((2 * bound) / 254);

function params(
  nmCap: number,
  outBound: number,
  outScale: number,
  dacStep = step8(1),
  testNegativeBound = true,
): AnalogTileParams {
  return {
    input: {
      noiseManagement: "absMax",
      computeNm: true,
      nmCap,
      step: dacStep,
      bound: 1,
      zeroRowsExact: true,
    },
    output: {
      outAsymmetry: 0,
      outNoise: 0.06,
      step: step8(outBound),
      bound: outBound,
      testNegativeBound,
    },
    outScale,
    retryClipped: true,
  };
}

function args(rng: Rng, rows: number, G: number, k: number, m: number, x: Float32Array, w: Float32Array) {
  const a: AnalogTileArgs = {
    x,
    xOffset: 0,
    ldx: G * k,
    rows,
    groups: G,
    k,
    m,
    w,
    nm: new Float64Array(rows * G),
    post: Float32Array.from(randn(rng, G * m, 1), (v) => 0.5 + Math.abs(v)),
    bias: randn(rng, G * m, 0.1),
    biasAfter: null,
    noise: rng.takeStream(rows * G * m),
    y: new Float32Array(rows * G * m),
    yOffset: 0,
    ldy: G * m,
    accumulate: false,
    retry: new Uint8Array(rows * G),
  };
  return a;
}

function check(be: KernelBackend, a: AnalogTileArgs, p: AnalogTileParams, name: string) {
  const want = composed(be, a, p);
  const flagged = be.analogTileForward(a, p);
  assert.deepEqual(a.retry, want.retry, `${name}: retry flags`);
  assert.equal(
    flagged,
    a.retry.reduce((n, f) => n + f, 0),
    `${name}: returned retry count`,
  );
  assert.deepEqual(a.nm, want.nm, `${name}: nm`);
  assert.deepEqual(a.y, want.y, `${name}: y`);
}

/** The float d ulps above (d > 0) or below x (a non-zero float). */
function floatBeside(x: number, d: number): number {
  const b = new Float32Array([x]);
  const i = new Int32Array(b.buffer);
  i[0] = i[0]! + (x < 0 ? -d : d);
  return b[0]!;
}

/**
 * Tiles (G groups of m outputs, k = 9) whose MVM outputs are exactly chosen values u: every input vector is
 * [1, 0, …] (abs-max 1, and the 1/64 DAC maps 1 to 1 exactly) and every weight row is [u, 0, …]. With noise,
 * u is placed so that u + σ·z lands on the tie (z: the output's own normal of the stream).
 */
function tieArgs(be: KernelBackend, rng: Rng, outBound: number, noise: boolean, G: number, m: number) {
  const stepF = step8(outBound);
  const targets: number[] = [];
  for (let r = -128; r < 128; r++) {
    const tie = f((r + 0.5) * stepF);
    for (const d of [-2, -1, 0, 1, 2]) targets.push(floatBeside(tie, d));
  }
  const k = 9;
  const rows = Math.ceil(targets.length / (G * m));
  const x = new Float32Array(rows * G * k);
  for (let u = 0; u < rows * G; u++) x[u * k] = 1;
  const a = args(rng, rows, G, k, m, x, new Float32Array(G * m * k));
  const z = new Float32Array(rows * G * m);
  if (noise) be.fillNormal(z, a.noise!);
  else a.noise = null;
  // a's weights are a placeholder: the test runs one row per call, each with its own weight rows (targets)
  return { a, targets, z, rows, k };
}

for (const vnt of variants()) {
  const be = vnt.backend;

  test(`analogTileForward with float steps equals the composition: capped NM, output scales [${vnt.label}]`, () => {
    vnt.enter();
    const rng = new Rng(31);
    // [name, rows, G, k, m, weight shift]: a negative shift with inputs ≥ 0 makes outputs mostly negative, so
    // that some vectors clip below only
    for (const [name, rows, G, k, m, shift] of [
      ["depthwise", 120, 24, 9, 1, 0],
      ["dense", 90, 1, 144, 16, 0],
      ["dense, 37 outputs", 90, 1, 144, 37, 0],
      ["dense, 37 mostly negative outputs", 90, 1, 144, 37, -0.02],
    ] as const) {
      // the negative bound tested, or not (then a vector clipped only below is final)
      for (const [outScale, testNeg] of [
        [1, true],
        [0.75, true],
        [1 / 3, true],
        [1, false],
      ] as const) {
        const x = randn(rng, rows * G * k, 0.7).map((v) => (shift < 0 ? Math.abs(v) : v));
        const a = args(
          rng,
          rows,
          G,
          k,
          m,
          x,
          randn(rng, G * m * k, 0.3).map((v) => v + shift),
        );
        const p = params(1.2, 1.5, outScale, step8(1), testNeg);
        check(be, a, p, `${name}, outScale ${outScale}, testNegativeBound ${testNeg}`);
        assert.ok(
          [...a.nm].some((v) => v === 1.2),
          `${name}: some vectors capped`,
        );
        assert.ok(a.retry.includes(1), `${name}: some vectors retried`);
      }
    }
  });

  test(`analogTileForward with float steps: ADC on ties and beside them [${vnt.label}]`, () => {
    vnt.enter();
    // depthwise (16 one-output tiles) and dense tiles of 16, 32 and 64 outputs (one-pass epilogue of W, 2W, 4W)
    for (const [G, m] of [
      [16, 1],
      [1, 16],
      [1, 32],
      [1, 64],
    ] as const) {
      for (const noise of [false, true]) {
        const rng = new Rng(`${noise}:${G}:${m}`);
        const outBound = 1.5;
        const { a, targets, z, rows, k } = tieArgs(be, rng, outBound, noise, G, m);
        const p = { ...params(Infinity, outBound, 1, 1 / 64), retryClipped: false };
        p.output = { ...p.output, outNoise: noise ? 0.06 : 0 };
        const sF = f(p.output.outNoise);
        const per = G * m;
        // one row per call, so that each output gets its own target weight
        for (let r = 0; r < rows; r++) {
          const w = new Float32Array(per * k);
          for (let j = 0; j < per; j++) {
            const t = targets[(r * per + j) % targets.length]!;
            w[j * k] = noise ? f(t - f(sF * z[r * per + j]!)) : t;
          }
          const row: AnalogTileArgs = {
            ...a,
            x: a.x.subarray(r * G * k, (r + 1) * G * k),
            rows: 1,
            w,
            nm: new Float64Array(G),
            noise: a.noise ? { ...a.noise, block: a.noise.block + (r * per) / 4 } : null,
            y: new Float32Array(per),
            retry: new Uint8Array(G),
          };
          check(be, row, p, `G ${G}, m ${m}, noise ${noise}, row ${r}`);
        }
      }
    }
  });

  test(`analogTileForward with float steps: dense tiles of 16, 32, 64 outputs, every finishing step [${vnt.label}]`, () => {
    vnt.enter();
    const rng = new Rng(34);
    for (const m of [16, 32, 64]) {
      // [post, bias, accumulate, biasAfter]: the finishing step's cases
      for (const [post, bias, acc, after] of [
        [true, true, false, false],
        [false, false, false, false],
        [true, false, true, false],
        [false, true, true, true],
        [true, true, false, true],
      ] as const) {
        for (const noise of [true, false]) {
          const a = args(rng, 70, 1, 144, m, randn(rng, 70 * 144, 0.7), randn(rng, m * 144, 0.3));
          a.post = post ? a.post : null;
          a.bias = bias ? a.bias : null;
          a.accumulate = acc;
          a.biasAfter = after ? randn(rng, m, 0.1) : null;
          a.noise = noise ? a.noise : null;
          if (acc) a.y = randn(rng, a.y.length, 1);
          const p = params(1.2, 4, 0.75);
          check(
            be,
            a,
            p,
            `m ${m}, post ${post}, bias ${bias}, accumulate ${acc}, after ${after}, noise ${noise}`,
          );
          assert.ok(a.retry.includes(1) && a.retry.includes(0), `m ${m}: some vectors retried, some not`);
        }
      }
    }
  });
}
