import assert from "node:assert/strict";
import { test } from "node:test";
import { KirchhoffError, Rng } from "../../src/core/index.js";
import { GradientBoostedTrees, kendallTau, loadPredictor } from "../../src/nas/surrogate/index.js";

function synthetic(seed: number, n: number, d: number) {
  const rng = new Rng(seed);
  const X = Array.from({ length: n }, () => Array.from({ length: d }, () => rng.normal()));
  const f = (r: number[]) => 2 * r[0]! + Math.sin(3 * r[1]!) + r[2]! * r[3]! + (r[4]! > 0.5 ? 1 : 0);
  const y = X.map((r) => f(r) + 0.1 * rng.normal());
  return { X, y, f };
}

test("GBT (squared error) learns a nonlinear function: held-out tau > 0.75, RMSE well below the target std", () => {
  const { X, y } = synthetic(1, 800, 10);
  const test_ = synthetic(2, 1000, 10);
  const m = new GradientBoostedTrees({ nEstimators: 200, seed: 3 });
  m.fit(X, y);
  const p = m.predict(test_.X);
  const truth = test_.X.map(test_.f);
  assert.ok(kendallTau(truth, p) > 0.75, `tau ${kendallTau(truth, p)}`);
  const mean = truth.reduce((a, b) => a + b) / truth.length;
  const sd = Math.sqrt(truth.reduce((a, b) => a + (b - mean) ** 2, 0) / truth.length);
  const rmse = Math.sqrt(truth.reduce((a, b, i) => a + (b - p[i]!) ** 2, 0) / truth.length);
  assert.ok(rmse < 0.5 * sd, `rmse ${rmse} vs sd ${sd}`);
});

test("GBT pairwise objective ranks held-out rows (tau > 0.7)", () => {
  const { X, y } = synthetic(4, 600, 8);
  const t = synthetic(5, 800, 8);
  const m = new GradientBoostedTrees({ objective: "pairwise", nEstimators: 150, seed: 1 });
  m.fit(X, y);
  const tau = kendallTau(t.X.map(t.f), m.predict(t.X));
  assert.ok(tau > 0.7, `tau ${tau}`);
  const all = new GradientBoostedTrees({
    objective: "pairwise",
    pairsPerItem: "all",
    nEstimators: 60,
    seed: 1,
  });
  all.fit(X.slice(0, 200), y.slice(0, 200));
  assert.ok(kendallTau(t.X.map(t.f), all.predict(t.X)) > 0.6);
});

test("pairwise query groups: only within-group order matters", () => {
  const rng = new Rng(11);
  const X: number[][] = [];
  const y: number[] = [];
  const groups: number[] = [];
  for (let i = 0; i < 300; i++) {
    const x = rng.uniform();
    X.push([i % 3, x, rng.uniform()]);
    y.push(x + 0.3 * rng.uniform());
    groups.push(i % 3);
  }
  // Shifting one group's labels changes cross-group order only.
  const shifted = y.map((v, i) => (groups[i] === 2 ? v - 5 : v));
  const fit = (labels: number[], g?: number[]) => {
    const m = new GradientBoostedTrees({ objective: "pairwise", nEstimators: 30, seed: 1 });
    m.fit(X, labels, g ? { groups: g } : {});
    return m;
  };
  const a = fit(y, groups);
  assert.ok(JSON.stringify(a.ensemble.toJSON()) === JSON.stringify(fit(shifted, groups).ensemble.toJSON()));
  assert.ok(JSON.stringify(fit(y).ensemble.toJSON()) !== JSON.stringify(fit(shifted).ensemble.toJSON()));
  assert.ok(
    kendallTau(
      X.map((r) => r[1]!),
      a.predict(X),
    ) > 0.7,
  );
  assert.throws(() => a.fit(X, y, { groups: [1, 2] }), /groups has 2 entries for 300 rows/);
});

test("same seed ⇒ identical model; different seed ⇒ different model; fit Rng overrides the seed", () => {
  const { X, y } = synthetic(6, 300, 6);
  const fit = (seed: number, rng?: Rng) => {
    const m = new GradientBoostedTrees({ nEstimators: 30, seed });
    m.fit(X, y, rng ? { rng } : {});
    return JSON.stringify(m.ensemble.toJSON());
  };
  const first = fit(1);
  assert.ok(first === fit(1), "same seed, same trees");
  assert.ok(first !== fit(2), "different seed, different trees");
  assert.ok(fit(1, new Rng(9)) === fit(2, new Rng(9)), "the fit Rng decides");
});

test("toJSON → fromJSON predicts bit-identically", () => {
  const { X, y } = synthetic(7, 300, 6);
  const m = new GradientBoostedTrees({ nEstimators: 40, seed: 1 });
  m.fit(X, y);
  const back = loadPredictor(JSON.parse(JSON.stringify(m.toJSON())));
  assert.ok(back instanceof GradientBoostedTrees);
  assert.deepEqual(Array.from(back.predict(X)), Array.from(m.predict(X)));
  assert.deepEqual(back.params, m.params);
});

test("early stopping keeps the best round and records the validation curve", () => {
  const { X, y } = synthetic(8, 400, 6);
  const m = new GradientBoostedTrees({
    nEstimators: 400,
    learningRate: 0.3,
    earlyStoppingRounds: 10,
    validationFraction: 0.25,
    seed: 2,
  });
  m.fit(X, y);
  const best = m.ensemble.bestIteration!;
  assert.equal(m.ensemble.trees.length, best + 1);
  assert.ok(m.ensemble.trees.length < 400, "stopped early");
  const h = m.validationHistory;
  assert.equal(Math.min(...h), h[best]);
  assert.equal(h.length, best + 11);
});

test("missing values (NaN) are routed by a learned default direction", () => {
  const rng = new Rng(3);
  const X: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < 400; i++) {
    const miss = rng.uniform() < 0.3;
    const v = rng.uniform();
    X.push([miss ? Number.NaN : v]);
    y.push(miss ? 5 : v);
  }
  const m = new GradientBoostedTrees({
    nEstimators: 100,
    learningRate: 0.3,
    subsample: 1,
    colsampleByTree: 1,
  });
  m.fit(X, y);
  const p = m.predict([[Number.NaN], [0.1], [0.9]]);
  assert.ok(Math.abs(p[0]! - 5) < 0.2, `NaN → ${p[0]}`);
  assert.ok(Math.abs(p[1]! - 0.1) < 0.15 && Math.abs(p[2]! - 0.9) < 0.15, `${p[1]} ${p[2]}`);
});

test("fits 1000 rows × 30 features × 300 trees quickly", () => {
  const { X, y } = synthetic(9, 1000, 30);
  const t0 = performance.now();
  new GradientBoostedTrees({ nEstimators: 300 }).fit(X, y);
  const ms = performance.now() - t0;
  // About 0.8-1.1 s on an idle core of the dev machine; the bound is generous for a loaded CI runner but still
  // catches a quadratic-time regression (which takes minutes here).
  assert.ok(ms < 20000, `${ms.toFixed(0)} ms`);
});

test("bad parameters and inputs give KirchhoffErrors", () => {
  assert.throws(
    () => new GradientBoostedTrees({ maxDepth: 0 }),
    /maxDepth: expected an integer in 1..30, got 0/,
  );
  assert.throws(() => new GradientBoostedTrees({ subsample: 1.5 }), /subsample/);
  assert.throws(() => new GradientBoostedTrees({ objective: "huber" as never }), /objective/);
  assert.throws(() => new GradientBoostedTrees({ depth: 3 } as never), /unknown parameter "depth"/);
  const m = new GradientBoostedTrees();
  assert.throws(
    () => m.predict([[1]]),
    (e: unknown) => e instanceof KirchhoffError && /before fit/.test(e.message),
  );
  assert.throws(() => m.fit([[1], [2, 3]], [1, 2]), /row 1 has 2 features, expected 1/);
  assert.throws(() => m.fit([[1], [2]], [1]), /X has 2 rows but y has 1/);
  assert.throws(() => m.fit([[1], [2]], [1, Number.NaN]), /y\[1\]/);
  assert.throws(() => m.fit([[1], [Number.POSITIVE_INFINITY]], [1, 2]), /X\[1\]\[0\]/);
  assert.throws(() => GradientBoostedTrees.fromJSON({ format: "x" }, "m.json"), /m.json: format/);
});
