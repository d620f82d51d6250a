import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { devicePhysics } from "../../src/analog/index.js";
import { Rng } from "../../src/core/index.js";
import { mul, sum, tensor } from "../../src/tensor/index.js";
import {
  adcQuantize,
  applyTileScales,
  clipWeights,
  dacQuantize,
  driftNoiseGain,
  hwaConfigFromPreset,
  meanStd,
  noisyWeights,
  quantizeSte,
  remapTiles,
  tileAbsMax,
  tileGrid,
} from "../../src/train/index.js";

function stdOf(a: Float32Array, b: Float32Array, from = 0, to = a.length): number {
  const d: number[] = [];
  for (let i = from; i < to; i++) d.push(a[i]! - b[i]!);
  return meanStd(d).std;
}

describe("HWA weight noise", () => {
  it("addNormal: injected std = stdDev · max|W| of each tile (within Monte-Carlo error)", () => {
    // Two tiles along the inputs (maxInputSize 500 splits 1000 inputs into 500 + 500) with different amax.
    const out = 40;
    const fanIn = 1000;
    const w = new Float32Array(out * fanIn);
    for (let r = 0; r < out; r++)
      for (let c = 0; c < fanIn; c++) w[r * fanIn + c] = (c < 500 ? 0.5 : 2) * Math.sin(r + c);
    const grid = tileGrid(out, fanIn, 500, null);
    assert.deepEqual(
      [...tileAbsMax(w, grid)].map((v) => +v.toFixed(2)),
      [0.5, 2],
    );
    const noisy = noisyWeights(w, grid, { type: "addNormal", stdDev: 0.1 }, null, new Rng(3));
    const left: number[] = [];
    const right: number[] = [];
    for (let r = 0; r < out; r++) {
      for (let c = 0; c < fanIn; c++)
        (c < 500 ? left : right).push(noisy[r * fanIn + c]! - w[r * fanIn + c]!);
    }
    // 20,000 draws each: relative standard error of a std estimate ≈ 1/sqrt(2n) = 0.5 %; allow 3 %.
    assert.ok(Math.abs(meanStd(left).std / 0.05 - 1) < 0.03, `left std ${meanStd(left).std}`);
    assert.ok(Math.abs(meanStd(right).std / 0.2 - 1) < 0.03, `right std ${meanStd(right).std}`);
    assert.ok(Math.abs(meanStd(left).mean) < 0.002);
  });

  it("pcmProg: std follows the device programming-noise σ(g)/g_max, sign kept", () => {
    const cfg = hwaConfigFromPreset("hermes");
    const physics = devicePhysics(cfg.noiseModel!)!;
    const n = 20_000;
    const w = new Float32Array(n).fill(0.5);
    w[0] = 1; // amax = 1 → |w| = 0.5 maps to g = g_max / 2
    const grid = tileGrid(1, n, null, null);
    const noisy = noisyWeights(w, grid, { type: "pcmProg", stdDev: 1 }, physics, new Rng(4));
    const expected = physics.progSigma(0.5 * physics.gMaxMicroSiemens) / physics.gMaxMicroSiemens;
    const s = stdOf(noisy, w, 1);
    assert.ok(Math.abs(s / expected - 1) < 0.04, `std ${s} vs ${expected}`);
    const neg = noisyWeights(
      w.map((v) => -v),
      grid,
      { type: "pcmProg", stdDev: 1 },
      physics,
      new Rng(4),
    );
    assert.ok(neg.every((v) => v <= 0));
  });

  it("pcmProg with tInferenceSec adds the log-normal drift-exponent spread σ_ν(g)·ln((t + t0)/t0)", () => {
    const cfg = hwaConfigFromPreset("hermes");
    const physics = devicePhysics(cfg.noiseModel!)!;
    const n = 40_000;
    const w = new Float32Array(n).fill(0.5);
    w[0] = 1;
    const grid = tileGrid(1, n, null, null);
    const t = 2_592_000;
    const noisy = noisyWeights(
      w,
      grid,
      { type: "pcmProg", stdDev: 0, tInferenceSec: t },
      physics,
      new Rng(6),
    );
    const s = physics.nuStd(0.5 * physics.gMaxMicroSiemens) * Math.log((t + physics.t0Sec) / physics.t0Sec);
    const expected = 0.5 * Math.sqrt(Math.exp(s * s) * (Math.exp(s * s) - 1)); // std of 0.5·exp(−s·N)
    const got = stdOf(noisy, w, 1);
    assert.ok(Math.abs(got / expected - 1) < 0.04, `std ${got} vs ${expected}`);
    assert.equal(cfg.weightNoise.tInferenceSec, 2_592_000);
    // output noise amplified by the drift compensation at the 1-month horizon: ((t + t0)/t0)^ν̄(g_max/2)
    const gain = Math.exp(
      physics.nuMean(physics.gMaxMicroSiemens / 2) * Math.log((t + physics.t0Sec) / physics.t0Sec),
    );
    assert.ok(Math.abs(driftNoiseGain(cfg.noiseModel!, t) - gain) < 1e-12);
    assert.ok(Math.abs(cfg.outNoise - 0.06 * gain) < 1e-9);
    assert.equal(hwaConfigFromPreset("ideal").outNoise, 0);
  });

  it("is reproducible from the seed and different for another seed", () => {
    const w = new Float32Array(64).map((_, i) => Math.cos(i));
    const g = tileGrid(8, 8, null, null);
    const cfg = { type: "addNormal" as const, stdDev: 0.1 };
    assert.deepEqual(noisyWeights(w, g, cfg, null, new Rng(9)), noisyWeights(w, g, cfg, null, new Rng(9)));
    assert.notDeepEqual(
      noisyWeights(w, g, cfg, null, new Rng(9)),
      noisyWeights(w, g, cfg, null, new Rng(10)),
    );
  });
});

describe("straight-through quantisers", () => {
  it("quantizeSte: rounds to the step, gradient 1 inside the range and 0 where clipped", () => {
    const x = tensor([-3, -0.26, 0.1, 0.24, 0.26, 0.9, 2.5], [7], { requiresGrad: true });
    const q = quantizeSte(x, 0.5, 1);
    assert.deepEqual([...q.data], [-1, -0.5, 0, 0, 0.5, 1, 1]);
    sum(q).backward();
    assert.deepEqual([...x.grad!.data], [0, 1, 1, 1, 1, 1, 0]);
  });

  it("dacQuantize: per-sample abs-max scaling, 2/steps levels, identity gradient", () => {
    const x = tensor([1, 0.5, 0.3, -2, 0.02, 1.01], [2, 3], { requiresGrad: true });
    const { y, scales } = dacQuantize(x, 4); // step 0.5 of the normalised range
    assert.deepEqual([...scales], [1, 2]);
    assert.deepEqual([...y.data], [1, 0.5, 0.5, -2, 0, 1]);
    sum(y).backward();
    assert.deepEqual([...x.grad!.data], [1, 1, 1, 1, 1, 1]);
  });

  it("adcQuantize: output noise std = outNoise · wScale · s_n, clipping zeroes the gradient", () => {
    const n = 20_000;
    const y = tensor(new Float32Array(n), [2, n / 2], { requiresGrad: true });
    const out = adcQuantize(y, {
      inputScales: new Float32Array([1, 3]),
      wScale: 2,
      outNoise: 0.05,
      steps: 0,
      bound: 0,
      clip: false,
      rng: new Rng(5),
    });
    const a = meanStd([...out.data.subarray(0, n / 2)]).std;
    const b = meanStd([...out.data.subarray(n / 2)]).std;
    assert.ok(Math.abs(a / 0.1 - 1) < 0.04, `std ${a}`);
    assert.ok(Math.abs(b / 0.3 - 1) < 0.04, `std ${b}`);
    const z = tensor([5, -30, 1], [1, 3], { requiresGrad: true });
    const c = adcQuantize(z, {
      inputScales: new Float32Array([1]),
      wScale: 1,
      outNoise: 0,
      steps: 0,
      bound: 10,
      clip: true,
      rng: new Rng(1),
    });
    assert.deepEqual([...c.data], [5, -10, 1]);
    sum(c).backward();
    assert.deepEqual([...z.grad!.data], [1, 0, 1]);
  });

  it("adcQuantize with a bias: added after the ADC, its gradient sums the upstream gradient also where clipped", () => {
    const y = tensor([5, -30, 1, 12, 2, -3], [2, 3], { requiresGrad: true });
    const bias = tensor([0.5, -1, 2], [3], { requiresGrad: true });
    const o = adcQuantize(y, {
      inputScales: new Float32Array([1, 2]),
      wScale: new Float32Array([1, 1, 0.5]),
      outNoise: 0,
      steps: 20, // step 1 of the normalised range ±10
      bound: 10,
      clip: true,
      rng: new Rng(1),
      bias,
    });
    // sample 1: norms 2, 2, 1 → 12/2 = 6, 2/2 = 1, −3/1 = −3; sample 0: 5, −30 → −10 (clipped), 1/0.5 = 2 → 1
    assert.deepEqual([...o.data], [5.5, -11, 3, 12.5, 1, -1]);
    const g = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    sum(mul(o, g)).backward();
    assert.deepEqual([...y.grad!.data], [1, 0, 3, 4, 5, 6]);
    assert.deepEqual([...bias.grad!.data], [5, 7, 9]);
    assert.throws(
      () =>
        adcQuantize(y, {
          inputScales: new Float32Array(2),
          wScale: 1,
          outNoise: 0,
          steps: 0,
          bound: 0,
          clip: false,
          rng: new Rng(1),
          bias: tensor([1, 2], [2]),
        }),
      /adcQuantize.*bias length \(output channels\).*3.*2/,
    );
  });
});

describe("weight clipping and remapping", () => {
  it("fixed clip bounds every weight", () => {
    const w = new Float32Array([-3, -0.5, 0.2, 1.5]);
    assert.equal(clipWeights(w, { type: "fixed", fixedValue: 1, sigma: 0 }), 1);
    assert.deepEqual([...w], [-1, -0.5, Math.fround(0.2), 1]);
  });

  it("layer-Gaussian clip uses sigma · unbiased std, capped by fixedValue", () => {
    const w = new Float32Array(1000).map((_, i) => Math.sin(i * 1.7) * 0.3);
    w[0] = 5;
    const vals = [...w];
    const { mean, std } = meanStd(vals);
    assert.ok(Math.abs(mean) < 0.05);
    const c = clipWeights(w, { type: "layerGaussian", fixedValue: 0, sigma: 2 });
    // std around the mean, n − 1 denominator
    const ss = vals.reduce((a, v) => a + (v - vals.reduce((p, q) => p + q, 0) / vals.length) ** 2, 0);
    assert.ok(Math.abs(c - 2 * Math.sqrt(ss / 999)) < 1e-6);
    assert.ok(Math.abs(std * 2 - c) < 1e-6);
    assert.ok(w.every((v) => Math.abs(v) <= c + 1e-7));
    const w2 = new Float32Array([0.5, -3]);
    assert.equal(clipWeights(w2, { type: "layerGaussian", fixedValue: 0.4, sigma: 3 }), 0.4);
  });

  it("per-tile remapping normalises each tile to max 1 and keeps the effective weights", () => {
    // rows [0.5, 4, -0.25, 2] and [1, -8, 0.1, 0.2]; two tiles along the inputs: columns 0-1 (amax 8) and 2-3 (amax 2)
    const w = new Float32Array([0.5, 4, -0.25, 2, 1, -8, 0.1, 0.2]);
    const grid = tileGrid(2, 4, 2, null);
    const before = w.slice();
    const scales = new Float32Array([1, 1]);
    remapTiles(w, grid, scales);
    assert.deepEqual([...scales], [8, 2]);
    assert.deepEqual([...tileAbsMax(w, grid)], [1, 1]);
    assert.deepEqual([...applyTileScales(w, grid, scales)], [...before]);
  });
});
