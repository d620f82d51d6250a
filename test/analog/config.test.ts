/** Configuration validation, presets, converters and the non-default device models. */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  AnalogTileArray,
  analogConfig,
  getPreset,
  makeConverter,
  NoiseModel,
  NoiseModelSchema,
  PRESET_NAMES,
  splitSizes,
} from "../../src/analog/index.js";
import { KirchhoffError, Rng } from "../../src/core/index.js";

const isConfigError = (pattern: RegExp) => (e: unknown) =>
  e instanceof KirchhoffError && e.code === "config" && pattern.test(e.message);

test("bad configurations give KirchhoffError naming the field and value", () => {
  assert.throws(
    () => analogConfig({ noiseModel: { type: "pcm", gMaxMicroSiemens: -25 } }),
    isConfigError(/noiseModel\.gMaxMicroSiemens.*-25/),
  );
  assert.throws(
    () => analogConfig({ mapping: { maxInputSize: 0 } }),
    isConfigError(/mapping\.maxInputSize.*got 0/),
  );
  assert.throws(() => analogConfig({ mapping: { maxOutputSize: 2.5 } }), isConfigError(/maxOutputSize/));
  assert.throws(() => analogConfig({ forward: { outNoise: -0.1 } }), isConfigError(/forward\.outNoise/));
  assert.throws(() => analogConfig({ forward: { inpBound: 2 } }), isConfigError(/inpBound.*must be 1/));
  assert.throws(() => analogConfig({ forward: { wNoiseType: "gaussian" } }), isConfigError(/wNoiseType/));
  assert.throws(
    () => analogConfig({ noiseModel: { type: "memristor" } }),
    isConfigError(/noiseModel\.type: .*'pcm' \| 'hermes' \| 'generic' \| 'ideal' \(got "memristor"\)/),
  );
  assert.throws(
    () => analogConfig({ noiseModel: { type: "hermes", numDevices: 3 } }),
    isConfigError(/noiseModel\.numDevices: expected 1 or 2 devices per polarity \(got 3\)/),
  );
  assert.throws(
    () => analogConfig({ forward: { outNoise: Number.NaN } }),
    isConfigError(/outNoise.*\(got NaN\)/),
  );
  assert.throws(
    () => analogConfig({ forward: "fast" as never }),
    isConfigError(/forward: .*expected object, received string \(got "fast"\)$/),
  );
  assert.throws(
    () => analogConfig({ mapping: [1, 2] as never }),
    isConfigError(/mapping: .*\(got \[1,2\]\)$/),
  );
  assert.throws(
    () => analogConfig({ converter: { type: "singlePair", gMaxMicroSiemens: 5, gMinMicroSiemens: 10 } }),
    isConfigError(/gMax/),
  );
  // an unknown key is named, without the whole configuration around it
  assert.throws(() => analogConfig({ typo: 1 }), isConfigError(/\(root\): Unrecognized key: "typo"$/));
  assert.throws(() => getPreset("hermez"), isConfigError(/analog preset.*hermes.*"hermez"/));
});

test("negative, NaN or infinite inference times are rejected", () => {
  const arr = new AnalogTileArray(2, 3, getPreset("aihwkit-default"));
  arr.setWeights(new Float32Array([1, -1, 0.5, 0.2, 0.3, -0.4]));
  for (const t of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
    // the message shows the value as written (JSON would print NaN and Infinity as null)
    assert.throws(
      () => arr.drift(t, new Rng(1)),
      isConfigError(new RegExp(`tInferenceSec.*>= 0 seconds, got ${t}$`)),
    );
  }
});

test("presets: every name validates; HERMES is 256×256, 8-bit, HERMES noise, global compensation", () => {
  for (const name of PRESET_NAMES) assert.equal(getPreset(name).name, name);
  const h = getPreset("hermes");
  assert.equal(h.mapping.maxInputSize, 256);
  assert.equal(h.mapping.maxOutputSize, 256);
  assert.equal(h.forward.inpRes, 254);
  assert.equal(h.forward.outRes, 254);
  assert.equal(h.noiseModel.type, "hermes");
  assert.equal(h.driftCompensation, "global");
  const hwa = getPreset("standard-hwa");
  assert.equal(hwa.mapping.maxOutputSize, null);
  assert.equal(hwa.forward.wNoiseType, "pcmRead");
  assert.deepEqual(splitSizes(1000, 512), [500, 500]);
  assert.deepEqual(splitSizes(513, 256), [171, 171, 171]);
  assert.deepEqual(splitSizes(7, null), [7]);
});

test("converters are invertible (single pair, N pairs, single device) and map the tile abs-max to g_max", () => {
  const w = new Float32Array([0.3, -1.2, 0.05, 0.9, -0.4, 0]);
  for (const cfg of [
    { type: "singlePair", gMaxMicroSiemens: 25, gMinMicroSiemens: 0 },
    { type: "singlePair", gMaxMicroSiemens: 25, gMinMicroSiemens: 2 },
    { type: "nPair", significance: [1, 3], gMaxMicroSiemens: 25, gMinMicroSiemens: 0 },
    { type: "singleDevice", gMaxMicroSiemens: 88.2, gMinMicroSiemens: 9 },
  ] as const) {
    const c = makeConverter(cfg as Parameters<typeof makeConverter>[0]);
    const map = c.toConductances(w);
    assert.equal(map.slices.length, c.numSlices);
    const back = c.toWeights(map, new Float32Array(w.length));
    for (let i = 0; i < w.length; i++) assert.ok(Math.abs(back[i]! - w[i]!) < 1e-6, `${cfg.type}[${i}]`);
    const gs = map.slices.flatMap((s) => Array.from(s));
    assert.ok(
      Math.max(...gs) <= cfg.gMaxMicroSiemens + 1e-4 && Math.min(...gs) >= cfg.gMinMicroSiemens - 1e-4,
    );
  }
  const single = makeConverter({
    type: "singlePair",
    gMaxMicroSiemens: 25,
    gMinMicroSiemens: 0,
  }).toConductances(w);
  assert.equal(single.slices[1]![1], 25); // |−1.2| is the tile abs-max → exactly g_max on G−
});

test("HERMES noise model: aihwkit defaults, fitted statistics, and drift towards zero compensated by alpha", () => {
  const two = new NoiseModel(NoiseModelSchema.parse({ type: "hermes" }));
  const one = new NoiseModel(NoiseModelSchema.parse({ type: "hermes", numDevices: 1 }));
  assert.equal(two.physics!.gMaxMicroSiemens, 20.7);
  assert.equal(two.physics!.t0Sec, 300);
  assert.equal(one.physics!.gMaxMicroSiemens, 10.35);
  assert.equal(one.physics!.t0Sec, 200);
  assert.equal(two.physics!.tReadSec, 512e-9);
  const p = two.physics!;
  assert.ok(Math.abs(p.progSigma(0) - 0.16603222) < 1e-9);
  assert.ok(Math.abs(p.nuMean(0) - 0.13) < 1e-12); // clamp at low conductance
  assert.ok(Math.abs(p.nuMean(20.7) - (-0.0436 - 0.0126 + 0.0736)) < 1e-12);
  assert.ok(Math.abs(p.readQs(20.7) - (0.0069 - 0.028 + 0.0211 + 0.0123)) < 1e-12);
  const arr = new AnalogTileArray(8, 16, getPreset("hermes"));
  const rng = new Rng(3);
  arr.setWeights(Float32Array.from({ length: 128 }, () => rng.normal()));
  arr.program(rng);
  const tile = arr.tiles[0]![0]!;
  arr.drift(86400, rng);
  const alphaDay = tile.alpha[0]!;
  arr.drift(0, rng); // restarts from the programmed state: no drift left
  const alphaZero = tile.alpha[0]!;
  assert.ok(alphaDay > 1.15 && alphaDay < 1.6, `alpha(1 day) = ${alphaDay}`);
  assert.ok(Math.abs(alphaZero - 1) < 0.05, `alpha(0) = ${alphaZero}`);
});

test("per-column drift compensation gives one alpha per output; ideal device keeps weights exact", () => {
  const cfg = analogConfig({ forward: { isPerfect: true }, driftCompensation: "perColumn" });
  const arr = new AnalogTileArray(3, 5, cfg);
  const rng = new Rng(4);
  const w = Float32Array.from({ length: 15 }, () => rng.normal());
  arr.setWeights(w);
  arr.program(rng);
  const wProg = Float32Array.from(arr.tiles[0]![0]!.weights);
  arr.drift(3600, rng);
  const t = arr.tiles[0]![0]!;
  assert.equal(t.alpha.length, 3);
  for (let o = 0; o < 3; o++) {
    let p = 0;
    let d = 0;
    for (let j = 0; j < 5; j++) {
      p += Math.abs(wProg[o * 5 + j]!);
      d += Math.abs(t.weights[o * 5 + j]!);
    }
    assert.ok(Math.abs(t.alpha[o]! - p / d) < 1e-5, `alpha[${o}]`);
  }
  const idealArr = new AnalogTileArray(3, 5, analogConfig({ noiseModel: { type: "ideal" } }));
  idealArr.setWeights(w);
  idealArr.drift(86400, rng);
  assert.deepEqual(Array.from(idealArr.tiles[0]![0]!.weights), Array.from(w));
});

test("generic noise model: user tables drive ν and q_s (constant ν = 0.05 → exact mean drift factor)", () => {
  const nm = new NoiseModel(
    NoiseModelSchema.parse({
      type: "generic",
      gMaxMicroSiemens: 10,
      progCoeff: [0],
      nuMean: { gMicroSiemens: [0, 10], values: [0.05, 0.05] },
      nuStd: { gMicroSiemens: [0], values: [0] },
      readNoiseQs: { gMicroSiemens: [0], values: [0] },
    }),
  );
  const w = new Float32Array([1, -0.5, 0.25]);
  const st = nm.program(w, new Rng(1));
  assert.deepEqual(Array.from(st.wProg), Array.from(w));
  const wt = nm.drift(st, 180, new Rng(2));
  const f = (200 / 20) ** -0.05;
  for (let i = 0; i < w.length; i++) assert.ok(Math.abs(wt[i]! - w[i]! * f) < 1e-6, `w[${i}]`);
});
