/**
 * BatchNorm calibration after HWA training (`HwaConfig.bnCalibration`, `calibrateHwaBatchNorm`): the running
 * statistics become the average batch statistics through the HWA forward at the calibration noise level.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { KirchhoffError, Rng } from "../../src/core/index.js";
import { DataLoader } from "../../src/data/index.js";
import type { BatchNorm1d } from "../../src/nn/index.js";
import { tensor } from "../../src/tensor/index.js";
import {
  calibrateHwaBatchNorm,
  type HwaConfig,
  HwaLayer,
  hwaConfigFromPreset,
  recalibrateBatchNorm,
  type TrainEvent,
  toHwa,
  trainModel,
} from "../../src/train/index.js";
import { BnMlp, blobs } from "./fixtures.js";

const data = blobs(120, 8, 3, 5);
const loader = () => new DataLoader(data, { batchSize: 30, seed: 4 });
const chip = (stdDev: number): HwaConfig =>
  hwaConfigFromPreset("hermes", { weightNoise: { type: "chip", stdDev, tInferenceSec: 2_592_000 } });

/** A BnMlp turned into its HWA twin with `cfg` (same weights and noise streams for the same seed). */
function hwaTwin(cfg: HwaConfig): BnMlp {
  const m = new BnMlp(new Rng(1));
  toHwa(m, cfg, new Rng(2));
  return m;
}
const stats = (m: BnMlp) => {
  const bn = m.child<BatchNorm1d>("bn");
  return { mean: bn.runningMean.data.slice(), variance: bn.runningVar.data.slice() };
};

describe("HWA BatchNorm calibration", () => {
  it("averages batch statistics through the HWA forward at the calibration noise, not the training noise", () => {
    const m = hwaTwin(chip(1.5));
    const n = calibrateHwaBatchNorm(m, loader(), { batches: 3, stdDev: 0.5 }, 2);
    assert.equal(n, 90);
    assert.equal(m.training, false, "left in eval mode");
    assert.equal(m.child<BatchNorm1d>("bn").momentum, 0.1, "momentum restored");
    // Reference: a twin whose TRAINING noise is 0.5, its HWA layers in training mode, same batches.
    const ref = hwaTwin(chip(0.5));
    recalibrateBatchNorm(ref, { loader: loader(), batches: 3, epoch: 2 }, (x) => x instanceof HwaLayer);
    assert.deepEqual(stats(m), stats(ref));
    // The training noise (1.5) gives other statistics: the override is what was used.
    const train = hwaTwin(chip(1.5));
    recalibrateBatchNorm(train, { loader: loader(), batches: 3, epoch: 2 }, (x) => x instanceof HwaLayer);
    assert.notDeepEqual(stats(m).variance, stats(train).variance);
    // Afterwards the layers draw training noise again: the next training forward equals the 1.5 twin's.
    train.train();
    m.train();
    const b = loader().epoch(0).next().value!;
    assert.deepEqual(m.forward(tensor(b.x, b.shape)).data, train.forward(tensor(b.x, b.shape)).data);
  });

  it("trainModel calibrates after the last epoch: same as training without it, then calibrating", () => {
    const run = (cfg: HwaConfig, events: TrainEvent[] = []) => {
      const m = new BnMlp(new Rng(1));
      trainModel(m, loader(), null, {
        epochs: 2,
        lr: 0.05,
        rng: new Rng(3),
        hwa: cfg,
        onEvent: (e) => events.push(e),
      });
      return m;
    };
    const events: TrainEvent[] = [];
    const calibrated = run({ ...chip(1.5), bnCalibration: { batches: 2 } }, events);
    const cal = events.find((e) => e.type === "calibrate");
    assert.deepEqual(cal, { type: "calibrate", batches: 2, samples: 60 });
    assert.equal(events.at(-1)!.type, "stop", "calibration comes before the stop event");
    assert.equal(calibrated.training, true, "training mode as after any trainModel");
    const plain = run({ ...chip(1.5), bnCalibration: null });
    const before = stats(plain);
    calibrateHwaBatchNorm(plain, loader(), { batches: 2 }, 2); // default stdDev: the device's own noise (1)
    assert.deepEqual(stats(calibrated), stats(plain));
    assert.notDeepEqual(stats(calibrated).variance, before.variance);
  });

  it("is on by default for device presets, off for the ideal one; bad settings are rejected", () => {
    assert.deepEqual(hwaConfigFromPreset("hermes").bnCalibration, { batches: 16 });
    assert.equal(hwaConfigFromPreset("ideal").bnCalibration, null);
    for (const [bad, re] of [
      [{ batches: 0 }, /hwa\.bnCalibration\.batches.*integer >= 1.*0/],
      [{ batches: 2.5 }, /hwa\.bnCalibration\.batches/],
      [{ batches: 2, stdDev: -1 }, /hwa\.bnCalibration\.stdDev.*>= 0/],
    ] as const) {
      assert.throws(
        () => hwaConfigFromPreset("hermes", { bnCalibration: bad }),
        (e: unknown) => e instanceof KirchhoffError && re.test(e.message),
        JSON.stringify(bad),
      );
    }
  });
});
