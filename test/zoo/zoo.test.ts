import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { KirchhoffError, Rng } from "../../src/core/index.js";
import {
  countMacs,
  countParameters,
  createModel,
  GRU,
  LSTM,
  listModels,
  modelInfo,
  Sequential,
} from "../../src/nn/index.js";
import { noGrad, tensor } from "../../src/tensor/index.js";

// Published numbers, written out here (not read from the registry) so that a changed registry entry fails.
const PUBLISHED: Record<string, { params: number; withBnStats: boolean; macs: number }> = {
  resnet8: { params: 78_666, withBnStats: true, macs: 12_501_632 }, // MLPerf Tiny IC: 78,666 params, 12.5 M MACs
  dscnn: { params: 24_908, withBnStats: true, macs: 2_656_768 }, // MLPerf Tiny KWS: 24,908 params, 2.7 M MACs
  "mobilenetv1-0.25": { params: 221_794, withBnStats: true, macs: 7_489_664 }, // MLPerf Tiny VWW: 221,794, 7.5 M
  "ad-autoencoder": { params: 269_992, withBnStats: true, macs: 264_192 }, // MLPerf Tiny AD: 269,992
  resnet20: { params: 269_722, withBnStats: false, macs: 40_551_040 }, // He et al. 2016: 0.27 M
  resnet32: { params: 464_154, withBnStats: false, macs: 68_862_592 }, // He et al. 2016: 0.46 M
  "lstm-kws": { params: 20_236, withBnStats: false, macs: 929_024 },
  "fashion-mlp": { params: 101_770, withBnStats: false, macs: 101_632 },
  "fashion-cnn": { params: 9_194, withBnStats: true, macs: 290_080 },
};

describe("model zoo", () => {
  it("lists every model with its published counts", () => {
    assert.deepEqual(
      listModels()
        .map((m) => m.name)
        .sort(),
      Object.keys(PUBLISHED).sort(),
    );
  });

  for (const [name, want] of Object.entries(PUBLISHED)) {
    it(`${name}: parameter and MAC counts equal the published numbers`, () => {
      const info = modelInfo(name);
      const model = createModel(name, {}, new Rng(7));
      assert.equal(countParameters(model, { includeBnStats: want.withBnStats }), want.params);
      assert.equal(info.parameters, want.params);
      assert.equal(countMacs(model, info.inputShape), want.macs);
    });
  }

  it("BN statistics change the count only for models with batch norm", () => {
    const m = createModel("resnet8", {}, new Rng(1));
    assert.equal(countParameters(m), 78_186); // trainable only: 78,666 − 2 × 240 BN channels
    const l = createModel("lstm-kws", {}, new Rng(1));
    assert.equal(countParameters(l, { includeBnStats: true }), countParameters(l));
  });

  it("counts recurrent MACs per time step and layer: gates·H·(I + H)", () => {
    const gru = new Sequential([new GRU(10, 20, { rng: new Rng(1), numLayers: 2 })]);
    assert.equal(countMacs(gru, [7, 10]), 7 * (3 * 20 * (10 + 20) + 3 * 20 * (20 + 20)));
    const lstm = new Sequential([new LSTM(10, 20, { rng: new Rng(1) })]);
    assert.equal(countMacs(lstm, [5, 10]), 5 * 4 * 20 * (10 + 20));
  });

  it("runs a forward pass with the documented input and output shapes", () => {
    for (const name of ["dscnn", "lstm-kws", "fashion-cnn", "ad-autoencoder"]) {
      const info = modelInfo(name);
      const model = createModel(name, {}, new Rng(3));
      model.eval();
      const per = info.inputShape.reduce((a, b) => a * b, 1);
      const x = tensor(
        new Float32Array(2 * per).map((_, i) => Math.sin(i)),
        [2, ...info.inputShape],
      );
      const y = noGrad(() => model.forward(x));
      assert.deepEqual([...y.shape], [2, info.classes], name);
      assert.ok(y.data.every(Number.isFinite), name);
    }
  });

  it("same seed gives the same weights, another seed different ones", () => {
    const a = createModel("dscnn", {}, new Rng(5)).parameters()[0]!.data;
    const b = createModel("dscnn", {}, new Rng(5)).parameters()[0]!.data;
    const c = createModel("dscnn", {}, new Rng(6)).parameters()[0]!.data;
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  it("honours a custom number of classes", () => {
    const m = createModel("resnet8", { classes: 4 }, new Rng(1));
    const y = noGrad(() => m.forward(tensor(new Float32Array(32 * 32 * 3), [1, 32, 32, 3])));
    assert.deepEqual([...y.shape], [1, 4]);
  });

  it("rejects unknown names and bad options with a KirchhoffError", () => {
    assert.throws(
      () => createModel("resnet9", {}, new Rng(1)),
      (e: unknown) => {
        return e instanceof KirchhoffError && /resnet8/.test(e.message) && /resnet9/.test(e.message);
      },
    );
    assert.throws(() => createModel("dscnn", { classes: 0 }, new Rng(1)), KirchhoffError);
    assert.throws(() => countMacs(createModel("dscnn", {}, new Rng(1)), [32, 32, 3]), KirchhoffError);
  });
});
