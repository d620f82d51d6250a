import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { KirchhoffError, Rng } from "../../src/core/index.js";
import { DataLoader } from "../../src/data/index.js";
import { Linear } from "../../src/nn/index.js";
import {
  DRIFT_CSV_COLUMNS,
  driftCsv,
  driftTable,
  evaluateOverDrift,
  parseTimes,
  summarizeDrift,
  timeLabel,
  trainModel,
  writeDriftResults,
} from "../../src/train/index.js";
import { blobs, TinyMlp, weightsOf } from "./fixtures.js";

describe("drift bookkeeping", () => {
  const times = [1, 3600, 2_592_000];
  const accs = [
    [90, 88, 85],
    [92, 90, 83],
    [91, 86, 84],
  ];

  it("mean ± sample std per time and the 1 s → 1 month drop", () => {
    const s = summarizeDrift(times, accs, 93);
    assert.deepEqual(
      s.points.map((p) => p.accuracyMean),
      [91, 88, 84],
    );
    assert.equal(s.points[0]!.accuracyStd, 1); // values 90, 92, 91: sample std 1
    assert.equal(s.points[1]!.accuracyStd, 2);
    assert.equal(s.dropTo1Month, 7);
    assert.equal(s.reps, 3);
    assert.equal(s.digitalAccuracy, 93);
    assert.equal(summarizeDrift([1, 3600], [[1, 2]], 5).dropTo1Month, null);
    assert.equal(summarizeDrift([1], [[4]], 5).points[0]!.accuracyStd, 0);
  });

  it("CSV has the documented columns and one row per time", () => {
    const csv = driftCsv(summarizeDrift(times, accs, 93))
      .trim()
      .split("\n");
    assert.equal(csv[0], DRIFT_CSV_COLUMNS.join(","));
    assert.equal(csv.length, 4);
    assert.deepEqual(csv[3]!.split(","), ["2592000", "1 mo", "84.000", "1.000", "3", "93.000", "7.000"]);
    assert.match(driftTable(summarizeDrift(times, accs, 93)), /drop 1 s → 1 month: 7\.00/);
  });

  it("writes JSON and CSV atomically into the output folder", () => {
    const dir = mkdtempSync(join(tmpdir(), "kirchhoff-drift-"));
    try {
      const p = writeDriftResults(join(dir, "sub"), "drift", summarizeDrift(times, accs, 93), { model: "x" });
      const j = JSON.parse(readFileSync(p.json, "utf8"));
      assert.equal(j.model, "x");
      assert.equal(j.points.length, 3);
      assert.match(readFileSync(p.csv, "utf8"), /^t_inference_sec,/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("labels and parses times", () => {
    assert.deepEqual([1, 3600, 86_400, 2_592_000, 31_536_000, 90].map(timeLabel), [
      "1 s",
      "1 h",
      "1 d",
      "1 mo",
      "1 y",
      "90 s",
    ]);
    assert.deepEqual(parseTimes("1, 1h,1d,1mo,1y,30"), [1, 3600, 86_400, 2_592_000, 31_536_000, 30]);
    assert.throws(() => parseTimes("1,soon"), KirchhoffError);
    assert.throws(() => summarizeDrift([1, 2], [[1]], 0), KirchhoffError);
  });
});

describe("evaluateOverDrift", () => {
  const data = blobs(150);
  const model = new TinyMlp(new Rng(1));
  trainModel(model, new DataLoader(data, { batchSize: 30, seed: 1 }), null, {
    epochs: 2,
    lr: 0.1,
    rng: new Rng(2),
  });
  const test = new DataLoader(blobs(90, 8, 3, 3), { batchSize: 90, shuffle: false });

  it("an ideal chip reproduces the digital accuracy at every time with zero spread", () => {
    const s = evaluateOverDrift(model, test, {
      preset: "ideal",
      reps: 2,
      times: [1, 2_592_000],
      rng: new Rng(4),
    });
    for (const p of s.points) {
      assert.equal(p.accuracyMean, s.digitalAccuracy);
      assert.equal(p.accuracyStd, 0);
    }
    assert.equal(s.dropTo1Month, 0);
  });

  it("the HERMES preset is reproducible per seed, leaves the digital model intact", () => {
    const w = weightsOf(model);
    const a = evaluateOverDrift(model, test, { reps: 2, times: [1, 31_536_000], rng: new Rng(5) });
    const b = evaluateOverDrift(model, test, { reps: 2, times: [1, 31_536_000], rng: new Rng(5) });
    assert.deepEqual(a.points, b.points);
    assert.equal(a.preset, "hermes");
    assert.equal(a.points[0]!.accuracies.length, 2);
    assert.ok(model.child("fc1") instanceof Linear);
    assert.deepEqual(weightsOf(model), w);
    assert.throws(() => evaluateOverDrift(model, test, { reps: 0, rng: new Rng(1) }), KirchhoffError);
    assert.throws(() => evaluateOverDrift(model, test, { times: [-1], rng: new Rng(1) }), KirchhoffError);
  });
});
