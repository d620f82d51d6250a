/** End-to-end: modules + autograd + optimisers + schedules actually train. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Rng } from "../../src/core/index.js";
import {
  Adam,
  BatchNorm2d,
  Conv2d,
  cosineLr,
  GlobalAvgPool2d,
  Linear,
  LrScheduler,
  LSTM,
  ReLU,
  Sequential,
  SGD,
} from "../../src/nn/index.js";
import {
  crossEntropy,
  linear,
  mseLoss,
  randn,
  reshape,
  slice,
  type Tensor,
  tensor,
} from "../../src/tensor/index.js";

describe("tiny training runs (loss must fall below half its start)", () => {
  it("linear regression with SGD + momentum and a cosine schedule, 20 steps", () => {
    const rng = new Rng(1);
    const wTrue = randn([3, 8], rng.fork("w"));
    const x = randn([64, 8], rng.fork("x"));
    const y = linear(x, wTrue);
    const model = new Linear(8, 3, { rng: rng.fork("init") });
    const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    const sched = new LrScheduler(opt, cosineLr({ tMax: 20, warmupSteps: 2, warmupStartFactor: 0.5 }));
    const losses: number[] = [];
    for (let step = 0; step < 20; step++) {
      const loss = mseLoss(model.forward(x), y);
      losses.push(loss.item());
      opt.zeroGrad();
      loss.backward();
      opt.step();
      sched.step();
    }
    assert.ok(losses[19]! < 0.5 * losses[0]!, `losses ${losses[0]} → ${losses[19]}`);
  });

  it("conv + BatchNorm classifier with Adam, 20 steps", () => {
    const rng = new Rng(2);
    // Class 0: bright top half, class 1: bright bottom half (plus noise).
    const n = 32;
    const xs = new Float32Array(n * 6 * 6 * 2);
    const labels = new Int32Array(n);
    const noise = rng.fork("noise");
    for (let i = 0; i < n; i++) {
      labels[i] = i % 2;
      for (let p = 0; p < 36 * 2; p++) {
        const row = Math.floor(p / 12);
        const bright = (labels[i] === 0) === row < 3;
        xs[i * 72 + p] = (bright ? 1 : 0) + 0.3 * noise.normal();
      }
    }
    const x = tensor(xs, [n, 6, 6, 2]);
    const init = rng.fork("init");
    const model = new Sequential([
      new Conv2d(2, 4, 3, { rng: init, padding: "same", bias: false }),
      new BatchNorm2d(4, { act: "relu" }),
      new Conv2d(4, 4, 3, { rng: init, stride: 2, padding: 1 }),
      new ReLU(),
      new GlobalAvgPool2d(),
      new Linear(4, 2, { rng: init }),
    ]);
    const opt = new Adam(model.parameters(), { lr: 0.05 });
    const losses: number[] = [];
    for (let step = 0; step < 20; step++) {
      const loss = crossEntropy(model.forward(x), labels);
      losses.push(loss.item());
      opt.zeroGrad();
      loss.backward();
      opt.step();
    }
    assert.ok(losses[19]! < 0.5 * losses[0]!, `losses ${losses[0]} → ${losses[19]}`);
  });

  it("LSTM sequence regression (predict the running sum), 20 steps", () => {
    const rng = new Rng(3);
    const n = 16;
    const t = 4;
    const x = randn([n, t, 1], rng.fork("x"), 0.5);
    const target = new Float32Array(n);
    for (let i = 0; i < n; i++) for (let s = 0; s < t; s++) target[i] += x.data[i * t + s]!;
    const lstm = new LSTM(1, 8, { rng: rng.fork("lstm") });
    const head = new Linear(8, 1, { rng: rng.fork("head") });
    const params = [...lstm.parameters(), ...head.parameters()];
    const opt = new Adam(params, { lr: 0.05 });
    const forward = (): Tensor => {
      const { output } = lstm.forward(x);
      const last = reshape(slice(output, 1, t - 1, t), [n, 8]);
      return reshape(head.forward(last), [n]);
    };
    const y = tensor(target, [n]);
    const losses: number[] = [];
    for (let step = 0; step < 20; step++) {
      const loss = mseLoss(forward(), y);
      losses.push(loss.item());
      opt.zeroGrad();
      loss.backward();
      opt.step();
    }
    assert.ok(losses[19]! < 0.5 * losses[0]!, `losses ${losses[0]} → ${losses[19]}`);
  });
});
