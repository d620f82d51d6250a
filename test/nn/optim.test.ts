import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { KirchhoffError } from "../../src/core/index.js";
import {
  Adam,
  AdamW,
  type BaseHyper,
  clipGradNorm,
  clipGradValue,
  loadOptimizer,
  type Optimizer,
  SGD,
  saveOptimizer,
} from "../../src/nn/index.js";
import { type Tensor, tensor } from "../../src/tensor/index.js";
import { assertClose, torchFixture } from "./helpers.js";

interface OptimCase {
  name: string;
  shapes: number[][];
  p0: number[][];
  grads: number[][][];
  trajectory: number[][][];
}

const cases = new Map(torchFixture<OptimCase[]>("nn_optim.json").map((c) => [c.name, c]));

type Make = (p: Tensor[]) => Optimizer<BaseHyper>;

/** The optimiser for each fixture case, built with the same hyper-parameters as the Python script. */
const makers: Record<string, Make> = {
  sgd_plain: (p) => new SGD(p, { lr: 0.1 }),
  sgd_momentum: (p) => new SGD(p, { lr: 0.05, momentum: 0.9 }),
  sgd_dampening_wd: (p) => new SGD(p, { lr: 0.05, momentum: 0.8, dampening: 0.3, weightDecay: 0.01 }),
  sgd_nesterov_wd: (p) => new SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 5e-4 }),
  sgd_maximize: (p) => new SGD(p, { lr: 0.1, momentum: 0.5, maximize: true }),
  adam: (p) => new Adam(p, { lr: 0.01 }),
  adam_wd_betas: (p) => new Adam(p, { lr: 0.02, beta1: 0.8, beta2: 0.9, eps: 1e-6, weightDecay: 0.1 }),
  adam_amsgrad: (p) => new Adam(p, { lr: 0.01, amsgrad: true }),
  adamw: (p) => new AdamW(p, { lr: 0.01 }),
  adamw_amsgrad_wd: (p) => new AdamW(p, { lr: 0.03, weightDecay: 0.2, amsgrad: true }),
  sgd_groups: (p) =>
    new SGD(
      [
        { params: [p[0]!], lr: 0.01 },
        { params: [p[1]!], momentum: 0, weightDecay: 0.1 },
      ],
      { lr: 0.1, momentum: 0.9 },
    ),
};

function params(c: OptimCase): Tensor[] {
  return c.p0.map((d, i) => tensor(d, c.shapes[i]!, { requiresGrad: true }));
}

function setGrads(ps: Tensor[], g: number[][]): void {
  ps.forEach((p, i) => {
    p.grad = tensor(g[i]!, [...p.shape]);
  });
}

describe("optimisers match torch.optim step by step", () => {
  for (const [name, make] of Object.entries(makers)) {
    it(name, () => {
      const c = cases.get(name);
      assert.ok(c, `fixture case ${name}`);
      const ps = params(c);
      const opt = make(ps);
      c.grads.forEach((g, s) => {
        setGrads(ps, g);
        opt.step();
        for (const [i, p] of ps.entries()) {
          const what = `${name} step ${s + 1} param ${i}`;
          assertClose(p.data, c.trajectory[s]![i]!, { atol: 1e-6, rtol: 2e-5, what });
        }
      });
    });
  }
  assert.equal(Object.keys(makers).length, cases.size, "every fixture case has a maker");
});

describe("optimiser state", () => {
  it("resuming from a checkpoint after 2 steps reproduces the uninterrupted trajectory", () => {
    for (const [name, viaFile] of [
      ["sgd_nesterov_wd", false],
      ["adamw_amsgrad_wd", true],
      ["sgd_groups", true],
      ["adam", false],
    ] as const) {
      const c = cases.get(name)!;
      const ps = params(c);
      const first = makers[name]!(ps);
      for (const g of c.grads.slice(0, 2)) {
        setGrads(ps, g);
        first.step();
      }
      // A fresh optimiser (different lr on purpose: the checkpoint restores hyper-parameters too),
      // restored either from the in-memory state dict or from a safetensors checkpoint file.
      const resumed = makers[name]!(ps);
      resumed.setLr(123);
      if (viaFile) {
        const path = join(mkdtempSync(join(tmpdir(), "kirchhoff-optim-")), "opt.safetensors");
        saveOptimizer(first, path);
        loadOptimizer(resumed, path);
      } else {
        resumed.loadStateDict(first.stateDict());
      }
      for (const [s, g] of c.grads.slice(2).entries()) {
        setGrads(ps, g);
        resumed.step();
        for (const [i, p] of ps.entries()) {
          assertClose(p.data, c.trajectory[s + 2]![i]!, { atol: 1e-6, rtol: 2e-5, what: `${name} resumed` });
        }
      }
    }
  });

  it("loadStateDict rejects another optimiser kind or parameter layout", () => {
    const c = cases.get("adam")!;
    const adam = new Adam(params(c));
    assert.throws(
      () => new SGD(params(c), { lr: 1 }).loadStateDict(adam.stateDict()),
      /kind: expected SGD, got "Adam"/,
    );
    const one = new Adam([params(c)[0]!]);
    assert.throws(() => one.loadStateDict(adam.stateDict()), /group 0 parameter count/);
  });

  it("skips parameters without gradient and clears gradients with zeroGrad", () => {
    const [a, b] = params(cases.get("sgd_plain")!);
    const opt = new SGD([a!, b!], { lr: 1 });
    a!.grad = tensor([1, 1, 1], [3]);
    const bBefore = Array.from(b!.data);
    opt.step();
    assert.deepEqual(Array.from(b!.data), bBefore);
    opt.zeroGrad();
    assert.equal(a!.grad, null);
  });

  it("validates hyper-parameters", () => {
    const p = params(cases.get("adam")!);
    assert.throws(() => new SGD(p, { lr: -1 }), KirchhoffError);
    assert.throws(() => new SGD(p, { lr: 0.1, nesterov: true }), /nesterov: expected momentum > 0/);
    assert.throws(() => new Adam(p, { beta2: 1 }), /beta2/);
    assert.throws(() => new Adam([]), /empty parameter list/);
    assert.throws(() => new SGD([{ params: p }, { params: [p[0]!] }], { lr: 1 }), /more than one group/);
  });
});

describe("gradient clipping", () => {
  it("clipGradNorm scales all gradients by maxNorm/(norm+1e-6) and returns the norm", () => {
    const a = tensor([0, 0], [2], { requiresGrad: true });
    const b = tensor([0], [1], { requiresGrad: true });
    a.grad = tensor([3, 0], [2]);
    b.grad = tensor([4], [1]);
    const norm = clipGradNorm([a, b], 1);
    assert.equal(norm, 5);
    assertClose(a.grad.data, [3 / (5 + 1e-6), 0]);
    assertClose(b.grad.data, [4 / (5 + 1e-6)]);
    assertClose([clipGradNorm([a, b], 10)], [1], { what: "norm after clipping" });
    assertClose(a.grad.data, [3 / (5 + 1e-6), 0], { what: "no change below maxNorm" });
    a.grad = tensor([-7, 2], [2]);
    assert.equal(clipGradNorm([a, b], 100, Number.POSITIVE_INFINITY), 7);
  });

  it("clipGradValue clamps element-wise", () => {
    const a = tensor([0, 0, 0], [3], { requiresGrad: true });
    a.grad = tensor([-3, 0.5, 9], [3]);
    clipGradValue([a], 1);
    assert.deepEqual(Array.from(a.grad.data), [-1, 0.5, 1]);
  });
});
