/**
 * Conformance of the hardware-aware training periphery kernels (hwaDac, hwaAdc, hwaAdcBackward) on every
 * backend / ISA path / thread count against naive float64 oracles written here: round half to even by floor
 * and compare (independent of the kernels' magic number), the noise taken from the same backend's fillNormal.
 * Results must match exactly, also for NaN, ±∞, all-zero samples, ties and clipped values, and for sizes
 * large enough to run on several threads.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type HwaAdcParams, type KernelBackend, KirchhoffError, Rng } from "../../src/core/index.js";
import { rintRef } from "./oracle.js";
import { variants } from "./variants.js";

const f = Math.fround;

function dacRef(x: Float32Array, samples: number, step: number) {
  const per = x.length / samples;
  const y = new Float32Array(x.length);
  const scales = new Float32Array(samples);
  for (let k = 0; k < samples; k++) {
    const row = Array.from(x.subarray(k * per, (k + 1) * per));
    const nan = row.some(Number.isNaN);
    const m = row.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
    const s = !nan && m > 0 ? m : 1;
    scales[k] = s;
    row.forEach((v, i) => {
      y[k * per + i] = step > 0 ? s * step * rintRef(v / (s * step)) : v;
    });
  }
  return { y, scales };
}

function adcRef(
  be: KernelBackend,
  y: Float32Array,
  p: HwaAdcParams,
  xs: Float32Array,
  ws: Float32Array,
  seed: number,
  bias: Float32Array | null,
) {
  const z = new Float32Array(y.length);
  if (p.outNoise > 0) be.fillNormal(z, new Rng(seed).takeStream(y.length));
  const out = new Float32Array(y.length);
  const mask = new Uint8Array(y.length);
  const per = y.length / p.samples;
  for (let i = 0; i < y.length; i++) {
    const c = i % p.channels;
    const norm = ws[c]! * xs[Math.floor(i / per)]!;
    let v = y[i]! / norm + p.outNoise * z[i]!;
    if (p.step > 0) v = p.step * rintRef(v * (1 / p.step));
    mask[i] = v > p.bound || v < -p.bound ? 0 : 1;
    v = Math.min(Math.max(v, -p.bound), p.bound);
    out[i] = bias ? f(v * norm) + bias[c]! : v * norm;
  }
  return { out, mask };
}

/** Random values with exact zeros, exact ties of the DAC grid and (optionally) NaN / ±∞ sprinkled in. */
function values(n: number, rng: Rng, special: boolean): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = rng.uniform();
    x[i] = u < 0.05 ? 0 : u < 0.1 ? (Math.floor(rng.uniform() * 16) - 8) * 0.125 + 0.0625 : rng.normal() * 2;
  }
  if (special && n > 8) {
    x[3] = Number.NaN;
    x[n - 2] = Number.POSITIVE_INFINITY;
    x[n - 5] = Number.NEGATIVE_INFINITY;
    x[5] = -0;
  }
  return x;
}

const same = (a: ArrayLike<number>, b: ArrayLike<number>, what: string) =>
  assert.deepEqual(Array.from(a), Array.from(b), what);

for (const v of variants()) {
  test(`hwaDac: per-sample abs-max scales, quantised levels [${v.label}]`, () => {
    v.enter();
    const rng = new Rng(11);
    for (const [samples, per, step, special] of [
      [1, 1, 0.5, false],
      [3, 7, 2 / 254, true],
      [4, 33, 0.25, false],
      [5, 64, 0, true],
      [100, 4000, 2 / 254, false], // threaded
    ] as const) {
      const x = values(samples * per, rng, special);
      x.fill(0, 0, per); // an all-zero sample: scale 1
      const y = new Float32Array(x.length);
      const scales = new Float32Array(samples);
      v.backend.hwaDac(x, samples, step, y, scales);
      const r = dacRef(x, samples, step);
      same(scales, r.scales, `scales ${samples}x${per}`);
      same(y, r.y, `levels ${samples}x${per} step ${step}`);
    }
  });

  test(`hwaAdc: noise, quantisation, clipping, mask and bias [${v.label}]`, () => {
    v.enter();
    const rng = new Rng(12);
    const cases: [number, number, number, Partial<HwaAdcParams>, boolean][] = [
      [1, 1, 1, {}, false],
      [2, 3, 5, { outNoise: 0.04 }, true],
      [3, 17, 4, { step: 2 / 254, bound: 1 }, false],
      [4, 64, 9, { outNoise: 0.1, step: 0.05, bound: 1.5 }, true],
      [2, 12, 1, { outNoise: 0.04, step: 2 / 254 }, true],
      [100, 64, 125, { outNoise: 0.04, step: 2 / 254, bound: 1 }, true], // threaded
    ];
    for (const [samples, channels, rows, over, withBias] of cases) {
      const p: HwaAdcParams = { samples, channels, outNoise: 0, step: 0, bound: Infinity, ...over };
      const y = values(samples * rows * channels, rng, true);
      const xs = Float32Array.from({ length: samples }, () => 0.5 + rng.uniform());
      const ws = Float32Array.from({ length: channels }, () => 0.2 + rng.uniform());
      const bias = withBias ? Float32Array.from({ length: channels }, () => rng.normal()) : null;
      const out = new Float32Array(y.length);
      const mask = new Uint8Array(y.length);
      const seed = 40 + samples;
      const noise = p.outNoise > 0 ? new Rng(seed).takeStream(y.length) : null;
      v.backend.hwaAdc(y, p, xs, ws, noise, bias, out, mask);
      const r = adcRef(v.backend, y, p, xs, ws, seed, bias);
      const label = `${samples}x${rows}x${channels} ${JSON.stringify(over)}`;
      same(out, r.out, `out ${label}`);
      same(mask, r.mask, `mask ${label}`);
      if (p.bound < Infinity)
        assert.ok(mask.includes(0) && mask.includes(1), `clipped and kept values ${label}`);
    }
  });

  test(`hwaAdcBackward: masked gradient, bias gradient summed in row order [${v.label}]`, () => {
    v.enter();
    const rng = new Rng(13);
    for (const [rows, channels] of [
      [1, 1],
      [7, 3],
      [50, 70],
      [12500, 64], // threaded
    ] as const) {
      const g = values(rows * channels, rng, false);
      const mask = Uint8Array.from({ length: g.length }, () => (rng.uniform() < 0.8 ? 1 : 0));
      const gy = new Float32Array(g.length);
      const gb = new Float32Array(channels);
      v.backend.hwaAdcBackward(g, channels, mask, gy, gb);
      same(
        gy,
        Array.from(g, (x, i) => (mask[i] ? x : 0)),
        `gy ${rows}x${channels}`,
      );
      const ref = new Float32Array(channels);
      for (let r = 0; r < rows; r++)
        for (let c = 0; c < channels; c++) ref[c] = f(ref[c]! + g[r * channels + c]!);
      same(gb, ref, `bias gradient ${rows}x${channels} (unmasked g)`);
      const gy2 = new Float32Array(g.length);
      v.backend.hwaAdcBackward(g, channels, mask, gy2, null);
      same(gy2, gy, "without a bias gradient");
    }
  });
}

test("HWA kernels: bad arguments name the kernel, the argument and expected vs got", () => {
  const y = new Float32Array(12);
  const p: HwaAdcParams = { samples: 2, channels: 3, outNoise: 0, step: 0, bound: Infinity };
  const xs = new Float32Array(2);
  const ws = new Float32Array(3);
  const out = () => new Float32Array(12);
  const mask = () => new Uint8Array(12);
  const cases: [(b: KernelBackend) => void, RegExp][] = [
    [(b) => b.hwaDac(y, 5, 0.1, out(), new Float32Array(5)), /hwaDac: x: 12 elements .* 5 samples/],
    [(b) => b.hwaDac(y, 2, -1, out(), new Float32Array(2)), /hwaDac: step: expected a number >= 0, got -1/],
    [
      (b) => b.hwaDac(y, 2, 0.1, new Float32Array(11), new Float32Array(2)),
      /hwaDac: y: expected 12 elements, got 11/,
    ],
    [
      (b) => b.hwaAdc(y, { ...p, channels: 5 }, xs, ws, null, null, out(), mask()),
      /hwaAdc: y: 12 elements .* 2 samples of 5 channels/,
    ],
    [
      (b) => b.hwaAdc(y, p, xs, new Float32Array(4), null, null, out(), mask()),
      /hwaAdc: wScale: expected 3 elements, got 4/,
    ],
    [
      (b) => b.hwaAdc(y, p, xs, ws, null, new Float32Array(2), out(), mask()),
      /hwaAdc: bias: expected 3 elements, got 2/,
    ],
    [
      (b) => b.hwaAdc(y, { ...p, bound: Number.NaN }, xs, ws, null, null, out(), mask()),
      /hwaAdc: bound: expected a number >= 0, got NaN/,
    ],
    [
      (b) => b.hwaAdc(y, p, xs, ws, null, null, out(), new Uint8Array(3)),
      /hwaAdc: mask: expected 12 elements, got 3/,
    ],
    [(b) => b.hwaAdcBackward(y, 5, mask(), out(), null), /hwaAdcBackward: g: 12 elements .* rows of 5/],
    [
      (b) => b.hwaAdcBackward(y, 3, mask(), out(), new Float32Array(4)),
      /hwaAdcBackward: biasGrad: expected 3 elements, got 4/,
    ],
  ];
  for (const v of variants()) {
    v.enter();
    for (const [call, msg] of cases)
      assert.throws(
        () => call(v.backend),
        (e: unknown) => e instanceof KirchhoffError && msg.test((e as Error).message),
        `${v.label}: ${msg}`,
      );
  }
});
