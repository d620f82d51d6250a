/**
 * `chip` HWA weight noise: the preset's own device model (programming noise, conductance-dependent drift,
 * read noise) plus global drift compensation per tile, as the chip evaluation applies it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { NoiseModel } from "../../src/analog/index.js";
import { Rng } from "../../src/core/index.js";
import { Linear } from "../../src/nn/index.js";
import { noGrad, tensor } from "../../src/tensor/index.js";
import {
  chipNoisyWeights,
  drawDriftTimeSec,
  HwaLayer,
  hwaConfigFromPreset,
  tileGrid,
} from "../../src/train/index.js";

const MONTH = 2_592_000;
const hermes = hwaConfigFromPreset("hermes").noiseModel!;
if (hermes.type === "ideal") throw new Error("hermes preset must have a device model");
/** HERMES device model without programming or read noise (drift: conductance-dependent mean + ν spread). */
const driftOnly = new NoiseModel({ ...hermes, progNoiseScale: 0, readNoiseScale: 0 });

describe("chip weight noise", () => {
  it("systematic drift: small weights shrink faster than large ones; global compensation keeps mean |W|", () => {
    // 100 weights of magnitude 1 and 100 of magnitude 0.02 (alternating signs) in one tile row.
    const w = Float32Array.from({ length: 200 }, (_, i) => (i % 2 ? -1 : 1) * (i < 100 ? 1 : 0.02));
    const grid = tileGrid(1, 200, null, null);
    const out = chipNoisyWeights(w, grid, driftOnly, MONTH, new Rng(1));
    let large = 0;
    let small = 0;
    for (let i = 0; i < 200; i++) {
      assert.ok(out[i]! / w[i]! > 0, "sign kept");
      if (i < 100) large += out[i]! / w[i]! / 100;
      else small += out[i]! / w[i]! / 100;
    }
    // HERMES: ν ≈ 0.017 at g_max but ≈ 0.1 at 2 % of g_max: after a month the small weights keep far less.
    assert.ok(large > 1.5 * small, `mean ratio large ${large} vs small ${small}`);
    const sumAbs = (a: Float32Array) => a.reduce((s, v) => s + Math.abs(v), 0);
    assert.ok(Math.abs(sumAbs(out) / sumAbs(w) - 1) < 1e-4, "global compensation restores mean |W|");
    // At t = 0 without programming/read noise the weights come back unchanged.
    const t0 = chipNoisyWeights(w, grid, driftOnly, 0, new Rng(1));
    for (let i = 0; i < w.length; i++) assert.ok(Math.abs(t0[i]! - w[i]!) < 1e-5);
  });

  it("per-output weight scaling: scaling one row by 100 scales only its noisy copy by 100", () => {
    const row = [0.3, -0.2, 0.05, 0.01];
    const grid = tileGrid(2, 4, null, null);
    const a = chipNoisyWeights(Float32Array.from([...row, ...row]), grid, driftOnly, MONTH, new Rng(2));
    const b = chipNoisyWeights(
      Float32Array.from([...row, ...row.map((v) => v * 100)]),
      grid,
      driftOnly,
      MONTH,
      new Rng(2),
    );
    for (let c = 0; c < 4; c++) {
      assert.ok(Math.abs(b[c]! - a[c]!) < 1e-6);
      assert.ok(Math.abs(b[4 + c]! / 100 - a[4 + c]!) < 1e-5 * Math.abs(a[4 + c]!) + 1e-7);
    }
  });

  it("noise: seeded, fresh per draw, and spread grows with programming-noise scale and time", () => {
    const n = 4096;
    const w = new Float32Array(n).map((_, i) => Math.sin(i * 1.3) * 0.5);
    const grid = tileGrid(16, 256, 256, 256);
    const spread = (nm: NoiseModel, t: number, seed: number) => {
      const det = chipNoisyWeights(w, grid, driftOnly, t, new Rng(seed));
      const o = chipNoisyWeights(w, grid, nm, t, new Rng(seed));
      let ss = 0;
      for (let i = 0; i < n; i++) ss += (o[i]! - det[i]!) ** 2;
      return Math.sqrt(ss / n);
    };
    const base = new NoiseModel(hermes);
    const big = new NoiseModel({ ...hermes, progNoiseScale: 3 });
    assert.deepEqual(
      chipNoisyWeights(w, grid, base, MONTH, new Rng(3)),
      chipNoisyWeights(w, grid, base, MONTH, new Rng(3)),
    );
    assert.notDeepEqual(
      chipNoisyWeights(w, grid, base, MONTH, new Rng(3)),
      chipNoisyWeights(w, grid, base, MONTH, new Rng(4)),
    );
    const s1 = spread(base, 1, 5);
    assert.ok(s1 > 0.002 && s1 < 0.1, `1 s spread ${s1}`);
    assert.ok(spread(big, 1, 5) > 2 * s1);
    assert.ok(spread(base, MONTH, 5) > s1, "drift spread and read noise add up over a month");
  });

  it("HwaLayer with chip noise: noisy in training, digital in eval", () => {
    const cfg = hwaConfigFromPreset("hermes", {
      weightNoise: { type: "chip", stdDev: 1, tInferenceSec: MONTH },
    });
    const lin = new Linear(8, 4, { rng: new Rng(6) });
    const layer = new HwaLayer(lin, cfg, new Rng(7));
    assert.ok(layer.chipNoise);
    const x = tensor(
      new Float32Array(16).map((_, i) => Math.cos(i)),
      [2, 8],
    );
    layer.eval();
    const ref = noGrad(() => layer.forward(x)).data;
    assert.deepEqual(ref, noGrad(() => lin.forward(x)).data);
    layer.train();
    const a = noGrad(() => layer.forward(x)).data;
    assert.notDeepEqual(a, ref);
  });

  it("drift-time range: log-uniform draws, seeded, inside [min, max]; fixed time without a range", () => {
    const HOUR = 3600;
    const YEAR = 31_536_000;
    const cfg = { type: "chip" as const, stdDev: 1, tRangeSec: [HOUR, YEAR] as [number, number] };
    const draw = (seed: number, n: number) => {
      const rng = new Rng(seed);
      return Array.from({ length: n }, () => drawDriftTimeSec(cfg, rng));
    };
    assert.deepEqual(draw(11, 50), draw(11, 50));
    assert.notDeepEqual(draw(11, 50), draw(12, 50));
    const ts = draw(13, 4000);
    assert.ok(ts.every((t) => t >= HOUR && t <= YEAR));
    // ln t is uniform on [ln 1h, ln 1y]: mean at the midpoint, std (b − a)/√12, each half of the decades ≈ 50 %.
    const a = Math.log(HOUR);
    const b = Math.log(YEAR);
    const logs = ts.map(Math.log);
    const mean = logs.reduce((s, v) => s + v, 0) / logs.length;
    const std = Math.sqrt(logs.reduce((s, v) => s + (v - mean) ** 2, 0) / logs.length);
    assert.ok(Math.abs(mean - (a + b) / 2) < 0.05 * (b - a), `mean ln t ${mean}`);
    assert.ok(Math.abs(std - (b - a) / Math.sqrt(12)) < 0.05 * (b - a), `std ln t ${std}`);
    const below1d = ts.filter((t) => t < 86_400).length / ts.length;
    assert.ok(Math.abs(below1d - Math.log(24) / (b - a)) < 0.03, `P(t < 1 d) ${below1d}`);
    // Without a range: the fixed time, no draw.
    const rng = new Rng(1);
    assert.equal(drawDriftTimeSec({ type: "chip", stdDev: 1, tInferenceSec: MONTH }, rng), MONTH);
    assert.equal(rng.uniform(), new Rng(1).uniform());
  });

  it("tRangeSec is validated: chip only, 0 < min <= max", () => {
    const bad = (weightNoise: object) =>
      assert.throws(() => hwaConfigFromPreset("hermes", { weightNoise: weightNoise as never }), /tRangeSec/);
    bad({ type: "chip", stdDev: 1, tRangeSec: [0, 10] });
    bad({ type: "chip", stdDev: 1, tRangeSec: [100, 10] });
    bad({ type: "chip", stdDev: 1, tRangeSec: [1, Number.POSITIVE_INFINITY] });
    bad({ type: "pcmProg", stdDev: 1, tRangeSec: [1, 10] });
    const ok = hwaConfigFromPreset("hermes", {
      weightNoise: { type: "chip", stdDev: 1, tRangeSec: [1, 10] },
    });
    assert.deepEqual(ok.weightNoise.tRangeSec, [1, 10]);
  });

  it("HwaLayer draws its drift time from tRangeSec: a degenerate range equals the fixed time", () => {
    const x = tensor(
      new Float32Array(32).map((_, i) => Math.cos(i)),
      [4, 8],
    );
    const out = (weightNoise: {
      type: "chip";
      stdDev: number;
      tInferenceSec?: number;
      tRangeSec?: [number, number];
    }) => {
      const layer = new HwaLayer(
        new Linear(8, 4, { rng: new Rng(6) }),
        hwaConfigFromPreset("hermes", { weightNoise }),
        new Rng(7),
      );
      layer.train();
      return noGrad(() => layer.forward(x)).data;
    };
    const fixed = out({ type: "chip", stdDev: 1, tInferenceSec: MONTH });
    assert.deepEqual(out({ type: "chip", stdDev: 1, tRangeSec: [MONTH, MONTH] }), fixed);
    assert.notDeepEqual(out({ type: "chip", stdDev: 1, tRangeSec: [1, 31_536_000] }), fixed);
  });
});
