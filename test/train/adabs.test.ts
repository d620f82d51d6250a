import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { KirchhoffError, Rng } from "../../src/core/index.js";
import { DataLoader } from "../../src/data/index.js";
import type { BatchNorm1d, Linear } from "../../src/nn/index.js";
import { noGrad, tensor } from "../../src/tensor/index.js";
import {
  evaluateClassifier,
  evaluateOverDrift,
  recalibrateBatchNorm,
  saveBatchNormStats,
} from "../../src/train/index.js";
import { BnMlp, blobs } from "./fixtures.js";

describe("AdaBS: BatchNorm re-calibration", () => {
  const data = blobs(90, 8, 3, 5);

  it("running statistics become the average batch statistics of the calibration batches", () => {
    const model = new BnMlp(new Rng(1));
    const loader = new DataLoader(data, { batchSize: 30, shuffle: false });
    const n = recalibrateBatchNorm(model, { loader, batches: 2 });
    assert.equal(n, 60);
    assert.equal(model.training, false);
    const bn = model.child<BatchNorm1d>("bn");
    assert.equal(bn.momentum, 0.1, "momentum restored");
    const mean = new Float64Array(12);
    const variance = new Float64Array(12);
    noGrad(() => {
      for (let b = 0; b < 2; b++) {
        const x = data.x.subarray(b * 30 * 8, (b + 1) * 30 * 8);
        const h = model.child<Linear>("fc1").forward(tensor(x, [30, 8])).data;
        for (let c = 0; c < 12; c++) {
          let s = 0;
          for (let i = 0; i < 30; i++) s += h[i * 12 + c]!;
          const m = s / 30;
          let ss = 0;
          for (let i = 0; i < 30; i++) ss += (h[i * 12 + c]! - m) ** 2;
          mean[c]! += m / 2;
          variance[c]! += ss / 29 / 2; // unbiased, as PyTorch's running_var
        }
      }
    });
    for (let c = 0; c < 12; c++) {
      assert.ok(Math.abs(bn.runningMean.data[c]! - mean[c]!) <= 1e-5 * (1 + Math.abs(mean[c]!)), `mean ${c}`);
      assert.ok(Math.abs(bn.runningVar.data[c]! - variance[c]!) <= 1e-4 * variance[c]!, `var ${c}`);
    }
  });

  it("saveBatchNormStats restores the statistics exactly", () => {
    const model = new BnMlp(new Rng(2));
    const before = model.child<BatchNorm1d>("bn").runningMean.data.slice();
    const saved = saveBatchNormStats(model);
    recalibrateBatchNorm(model, { loader: new DataLoader(data, { batchSize: 45, seed: 3 }), batches: 1 });
    assert.notDeepEqual(model.child<BatchNorm1d>("bn").runningMean.data, before);
    saved.restore();
    assert.deepEqual(model.child<BatchNorm1d>("bn").runningMean.data, before);
  });

  it("evaluateOverDrift with AdaBS on an ideal chip equals the digitally re-calibrated model", () => {
    const model = new BnMlp(new Rng(3));
    const test = new DataLoader(blobs(90, 8, 3, 9), { batchSize: 90, shuffle: false });
    const calib = new DataLoader(data, { batchSize: 30, shuffle: false });
    const state = model.stateDict({ copy: true });
    const s = evaluateOverDrift(model, test, {
      preset: "ideal",
      times: [1, 86_400],
      reps: 1,
      rng: new Rng(4),
      adaBs: { loader: calib, batches: 3 },
    });
    assert.equal(s.adaBsBatches, 3);
    for (const [k, t] of model.stateDict()) assert.deepEqual(t.data, state.get(k)!.data, `${k} unchanged`);
    recalibrateBatchNorm(model, { loader: calib, batches: 3 });
    const expected = evaluateClassifier(model, test).accuracy;
    assert.notEqual(expected, s.digitalAccuracy, "re-calibration must change this model's accuracy");
    for (const p of s.points) assert.equal(p.accuracyMean, expected);
  });

  it("rejects a non-positive batch count", () => {
    const model = new BnMlp(new Rng(1));
    const loader = new DataLoader(data, { batchSize: 30 });
    assert.throws(() => recalibrateBatchNorm(model, { loader, batches: 0 }), KirchhoffError);
  });
});
