import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import {
  hannWindowPeriodic,
  linearToMelWeightMatrix,
  MfccExtractor,
  MLPERF_KWS_MFCC,
  padOrTrim,
  RealFft,
  readWav,
} from "../../src/data/index.js";

const root = new URL("../../fixtures/data/", import.meta.url).pathname;
const ref = JSON.parse(readFileSync(`${root}mfcc_reference.json`, "utf8")) as {
  melWeightsNonzero: [number, number, number][];
  clips: { file: string; keepSamples: number | null; mfcc: number[][] }[];
};

test("RealFft matches a naive DFT for N = 8 and 512", () => {
  for (const n of [8, 512]) {
    const x = Array.from(
      { length: n },
      (_, i) => Math.sin(i * 0.37) + 0.25 * Math.cos(i * 1.9) + (i % 5) * 0.1,
    );
    const fft = new RealFft(n);
    const re = new Float64Array(n / 2 + 1);
    const im = new Float64Array(n / 2 + 1);
    fft.forward(x, re, im);
    for (let k = 0; k <= n / 2; k++) {
      let sr = 0;
      let si = 0;
      for (let t = 0; t < n; t++) {
        sr += x[t]! * Math.cos((-2 * Math.PI * k * t) / n);
        si += x[t]! * Math.sin((-2 * Math.PI * k * t) / n);
      }
      assert.ok(Math.abs(re[k]! - sr) < 1e-9 && Math.abs(im[k]! - si) < 1e-9, `N=${n} bin ${k}`);
    }
  }
  assert.throws(() => new RealFft(480), /power of two/);
});

test("periodic Hann window: w[0] = 0, w[n/2] = 1, not symmetric at the end", () => {
  const w = hannWindowPeriodic(480);
  assert.equal(w[0], 0);
  assert.ok(Math.abs(w[240]! - 1) < 1e-15);
  assert.ok(Math.abs(w[479]! - w[1]!) < 1e-12 && w[479]! > 0);
});

test("mel weight matrix equals the reference (DC row zero, 247 nonzero weights)", () => {
  const m = linearToMelWeightMatrix(40, 257, 16000, 20, 4000);
  let nonzero = 0;
  for (let i = 0; i < m.length; i++) if (m[i] !== 0) nonzero++;
  assert.equal(nonzero, ref.melWeightsNonzero.length);
  for (let b = 0; b < 40; b++) assert.equal(m[b], 0, "DC row");
  for (const [k, b, w] of ref.melWeightsNonzero)
    assert.ok(Math.abs(m[k * 40 + b]! - w) < 1e-7, `bin ${k} band ${b}`);
});

test("MFCC 49×10 of real clips, a sine and a padded clip agree with the numpy reference to ≤ 1e-3", () => {
  const ex = new MfccExtractor(MLPERF_KWS_MFCC);
  assert.equal(ex.frames, 49);
  let worst = 0;
  for (const clip of ref.clips) {
    let samples = readWav(`${root}kws/${clip.file}`).samples;
    if (clip.keepSamples !== null) samples = samples.slice(0, clip.keepSamples);
    const out = ex.compute(padOrTrim(samples, 16000));
    assert.equal(out.length, 490);
    for (let f = 0; f < 49; f++) {
      for (let c = 0; c < 10; c++) {
        const d = Math.abs(out[f * 10 + c]! - clip.mfcc[f]![c]!);
        worst = Math.max(worst, d);
        assert.ok(d <= 1e-3, `${clip.file} frame ${f} coef ${c}: ${out[f * 10 + c]} vs ${clip.mfcc[f]![c]}`);
      }
    }
  }
  assert.ok(worst < 1e-3);
});

test("MFCC rejects clips that are not 1 s", () => {
  assert.throws(() => new MfccExtractor().compute(new Float32Array(15999)), /expected 16000 samples/);
});
