import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Rng } from "../../src/core/index.js";
import {
  constantLr,
  cosineLr,
  exponentialLr,
  Linear,
  type LrSchedule,
  LrScheduler,
  multiStepLr,
  SGD,
  stepLr,
} from "../../src/nn/index.js";
import { assertClose, torchFixture } from "./helpers.js";

interface Sched {
  base: number;
  step: { stepSize: number; gamma: number; lrs: number[] };
  multistep: { milestones: number[]; gamma: number; lrs: number[] };
  exponential: { gamma: number; lrs: number[] };
  cosine: { tMax: number; etaMin: number; lrs: number[] };
}
const fx = torchFixture<Sched>("nn_schedules.json");

function optimizer(lr: number): SGD {
  return new SGD(new Linear(2, 2, { rng: new Rng(0) }).parameters(), { lr });
}

/** The lr sequence a scheduler applies: before any step, then after each of n steps. */
function run(schedule: LrSchedule, n: number, base = fx.base): number[] {
  const opt = optimizer(base);
  const s = new LrScheduler(opt, schedule);
  const out = [opt.lr];
  for (let i = 0; i < n; i++) {
    s.step();
    out.push(opt.lr);
  }
  return out;
}

describe("learning-rate schedules match torch.optim.lr_scheduler", () => {
  it("StepLR", () => {
    assertClose(run(stepLr(fx.step), fx.step.lrs.length - 1), fx.step.lrs, { atol: 1e-12, rtol: 1e-12 });
  });
  it("MultiStepLR", () => {
    assertClose(run(multiStepLr(fx.multistep), fx.multistep.lrs.length - 1), fx.multistep.lrs, {
      atol: 1e-12,
      rtol: 1e-9,
    });
  });
  it("ExponentialLR", () => {
    assertClose(run(exponentialLr(fx.exponential), fx.exponential.lrs.length - 1), fx.exponential.lrs, {
      atol: 1e-12,
      rtol: 1e-9,
    });
  });
  it("CosineAnnealingLR", () => {
    assertClose(run(cosineLr(fx.cosine), fx.cosine.lrs.length - 1), fx.cosine.lrs, {
      atol: 1e-12,
      rtol: 1e-9,
    });
  });
});

describe("schedules", () => {
  it("constant keeps the base lr", () => {
    assert.deepEqual(run(constantLr(), 3, 0.5), [0.5, 0.5, 0.5, 0.5]);
  });

  it("cosine with linear warmup: ramps linearly, peaks at W, reaches etaMin at tMax and stays", () => {
    const s = cosineLr({ tMax: 10, warmupSteps: 4, etaMin: 0.01, warmupStartFactor: 0.1 });
    const base = 1;
    assertClose(
      [0, 1, 2, 3].map((t) => s(base, t)),
      [0.1, 0.325, 0.55, 0.775],
      { atol: 1e-12 },
    );
    assert.equal(s(base, 4), 1);
    assertClose([s(base, 7)], [0.01 + (0.99 * (1 + Math.cos(Math.PI / 2))) / 2], { atol: 1e-12 });
    assertClose([s(base, 10), s(base, 25)], [0.01, 0.01], { atol: 1e-12 });
    for (let t = 4; t < 10; t++) assert.ok(s(base, t + 1) < s(base, t), `decreasing at ${t}`);
  });

  it("applies each group's own base lr", () => {
    const net = new Linear(2, 2, { rng: new Rng(0) });
    const opt = new SGD([{ params: [net.weight], lr: 1 }, { params: [net.bias!] }], { lr: 0.1 });
    const s = new LrScheduler(opt, stepLr({ stepSize: 1, gamma: 0.5 }));
    s.step();
    assert.deepEqual(s.lastLr, [0.5, 0.05]);
  });

  it("resumes from its state dict", () => {
    const a = new LrScheduler(optimizer(0.1), cosineLr({ tMax: 20, warmupSteps: 2 }));
    for (let i = 0; i < 7; i++) a.step();
    const opt = optimizer(0.1);
    const b = new LrScheduler(opt, cosineLr({ tMax: 20, warmupSteps: 2 }));
    b.loadStateDict(JSON.parse(JSON.stringify(a.stateDict())));
    assert.equal(b.currentStep, 7);
    assert.equal(opt.lr, a.lastLr[0]);
    a.step();
    b.step();
    assert.equal(opt.lr, a.lastLr[0]);
    assert.equal(b.lrAt(20), 0);
  });

  it("rejects bad settings", () => {
    assert.throws(() => cosineLr({ tMax: 5, warmupSteps: 5 }), /warmupSteps: expected < tMax/);
    assert.throws(() => stepLr({ stepSize: 0 }), /stepSize/);
    assert.throws(() => multiStepLr({ milestones: [1, -2] }), /milestones\[1\]/);
    assert.throws(() => exponentialLr({ gamma: 0 }), /gamma/);
  });
});
