import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Rng } from "../../src/core/index.js";
import {
  Add,
  AvgPool2d,
  BatchNorm,
  BatchNorm1d,
  BatchNorm2d,
  Dropout,
  Flatten,
  GlobalAvgPool2d,
  Identity,
  LeakyReLU,
  Linear,
  MaxPool2d,
  ReLU,
  ReLU6,
  Residual,
  Sequential,
  Sigmoid,
  Tanh,
} from "../../src/nn/index.js";
import { randn, type Tensor, tensor } from "../../src/tensor/index.js";
import { assertClose } from "./helpers.js";

describe("BatchNorm", () => {
  const x = randn([4, 3, 3, 2], new Rng(5), 2);
  /** Per-channel mean and biased variance over all rows. */
  function stats(t: Tensor) {
    const c = t.shape[t.shape.length - 1]!;
    const rows = t.size / c;
    const mean = new Array(c).fill(0);
    const v = new Array(c).fill(0);
    for (let i = 0; i < t.size; i++) mean[i % c] += t.data[i]! / rows;
    for (let i = 0; i < t.size; i++) v[i % c] += (t.data[i]! - mean[i % c]) ** 2 / rows;
    return { mean, v, rows };
  }

  it("training: normalises per channel and updates running stats with momentum and unbiased variance", () => {
    const bn = new BatchNorm2d(2, { momentum: 0.2 });
    const y = bn.forward(x);
    const sy = stats(y);
    assertClose(sy.mean, [0, 0], { atol: 1e-5 });
    assertClose(sy.v, [1, 1], { atol: 1e-3 });
    const sx = stats(x);
    assertClose(
      bn.runningMean.data,
      sx.mean.map((m: number) => 0.2 * m),
      { atol: 1e-6 },
    );
    assertClose(
      bn.runningVar.data,
      sx.v.map((v: number) => 0.8 + (0.2 * v * sx.rows) / (sx.rows - 1)),
      { atol: 1e-5 },
    );
    assert.equal(bn.getBuffer("num_batches_tracked").data[0], 1);
  });

  it("eval: uses running statistics, γ and β; fused residual and activation", () => {
    const bn = new BatchNorm2d(2, { act: "relu", eps: 1e-3 });
    bn.runningMean.data.set([0.5, -1]);
    bn.runningVar.data.set([4, 0.25]);
    bn.weight!.data.set([2, -1]);
    bn.bias!.data.set([0.1, 0.2]);
    bn.eval();
    const r = randn([4, 3, 3, 2], new Rng(6));
    const y = bn.forward(x, r);
    const ref = Array.from(x.data, (v, i) => {
      const c = i % 2;
      const mean = [0.5, -1][c]!;
      const vr = [4, 0.25][c]!;
      return Math.max(0, ((v - mean) / Math.sqrt(vr + 1e-3)) * [2, -1][c]! + [0.1, 0.2][c]! + r.data[i]!);
    });
    assertClose(y.data, ref, { atol: 1e-5 });
    assert.equal(bn.getBuffer("num_batches_tracked").data[0], 0, "eval does not count batches");
  });

  it("aliases, non-affine variant and channel check", () => {
    assert.ok(new BatchNorm1d(3) instanceof BatchNorm);
    const na = new BatchNorm1d(3, { affine: false });
    assert.deepEqual(na.namedParameters(), []);
    assert.deepEqual([...na.stateDict().keys()], ["running_mean", "running_var", "num_batches_tracked"]);
    const y = na.forward(randn([6, 2, 3], new Rng(1)));
    assertClose(stats(y).mean, [0, 0, 0], { atol: 1e-5 });
    assert.throws(() => na.forward(randn([2, 4], new Rng(1))), /input channels/);
    assert.throws(() => new BatchNorm2d(2, { act: "gelu" as "relu" }), /act/);
  });
});

describe("pooling, activations, shape and composition modules", () => {
  const x = tensor(
    Array.from({ length: 32 }, (_, i) => i - 10),
    [1, 4, 4, 2],
  );

  it("MaxPool2d / AvgPool2d / GlobalAvgPool2d", () => {
    const mp = new MaxPool2d(2).forward(x);
    assert.deepEqual(mp.shape, [1, 2, 2, 2]);
    assert.deepEqual(Array.from(mp.data), [0, 1, 4, 5, 16, 17, 20, 21]);
    const ap = new AvgPool2d(2).forward(x);
    assert.deepEqual(Array.from(ap.data), [-5, -4, -1, 0, 11, 12, 15, 16]);
    assert.deepEqual(new AvgPool2d(3, 1, 1).forward(x).shape, [1, 4, 4, 2]);
    assert.deepEqual(Array.from(new GlobalAvgPool2d().forward(x).data), [5, 6]);
    assert.throws(() => new MaxPool2d(2, 2, 3), /padding/);
  });

  it("activation modules", () => {
    const t = tensor([-2, 0.5, 7], [3]);
    assert.deepEqual(Array.from(new ReLU().forward(t).data), [0, 0.5, 7]);
    assert.deepEqual(Array.from(new ReLU6().forward(t).data), [0, 0.5, 6]);
    assertClose(
      new Sigmoid().forward(t).data,
      [-2, 0.5, 7].map((v) => 1 / (1 + Math.exp(-v))),
    );
    assertClose(new Tanh().forward(t).data, [-2, 0.5, 7].map(Math.tanh));
    assertClose(new LeakyReLU(0.1).forward(t).data, [-0.2, 0.5, 7]);
    assert.equal(new Identity().forward(t), t);
  });

  it("Flatten, Dropout", () => {
    assert.deepEqual(new Flatten().forward(x).shape, [1, 32]);
    const ones = tensor(new Float32Array(4000).fill(1), [4000]);
    const d = new Dropout(0.25, new Rng(4));
    const y = d.forward(ones);
    const kept = y.data.filter((v) => v !== 0);
    assert.ok(
      kept.every((v) => Math.abs(v - 4 / 3) < 1e-6),
      "kept values scaled by 1/(1-p)",
    );
    assert.ok(Math.abs(kept.length / 4000 - 0.75) < 0.03, `keep fraction ${kept.length / 4000}`);
    const same = new Dropout(0.25, new Rng(4)).forward(ones);
    assert.deepEqual(Array.from(same.data), Array.from(y.data), "same seed, same mask");
    d.eval();
    assert.equal(d.forward(ones), ones);
    assert.throws(() => new Dropout(1, new Rng(0)), /p: expected in \[0, 1\)/);
  });

  it("Sequential, Residual and Add", () => {
    const rng = new Rng(8);
    const body = new Sequential([new Linear(3, 3, { rng }), new Tanh()]);
    const res = new Residual(body, new Identity(), "relu");
    const t = randn([2, 3], new Rng(1));
    const bodyOut = body.forward(t);
    assertClose(
      res.forward(t).data,
      Array.from(bodyOut.data, (v, i) => Math.max(0, v + t.data[i]!)),
    );
    assertClose(
      new Add().forward(t, t).data,
      Array.from(t.data, (v) => 2 * v),
    );
    const named = Sequential.named({ fc: new Linear(3, 2, { rng }), act: new ReLU() });
    assert.deepEqual(
      named.namedParameters().map(([n]) => n),
      ["fc.weight", "fc.bias"],
    );
    assert.equal(named.length, 2);
    assert.ok(named.at(-1) instanceof ReLU);
    assert.throws(() => named.at(2), /Sequential\.at/);
  });
});
