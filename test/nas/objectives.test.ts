import assert from "node:assert/strict";
import { test } from "node:test";
import {
  architectureViolation,
  crowdingDistance,
  dominates,
  hypervolume2d,
  metricViolation,
  Nb201Space,
  nonDominatedSort,
  parseObjective,
  selectBest,
  utility,
  validateConstraints,
} from "../../src/nas/index.js";

test("objectives: metric columns and accuracy drops, with directions", () => {
  const m = { finetuned_drift_60: 88.5, finetuned_drift_86400: 86.0 };
  const acc = parseObjective("finetuned_drift_86400");
  assert.equal(acc.direction, "maximize");
  assert.equal(utility(acc, m), 86);
  const drop = parseObjective("drop:finetuned_drift_60:finetuned_drift_86400");
  assert.equal(drop.direction, "minimize");
  assert.deepEqual(drop.columns, ["finetuned_drift_60", "finetuned_drift_86400"]);
  assert.equal(drop.value(m), 2.5);
  assert.equal(utility(drop, m), -2.5);
  assert.throws(() => acc.value({ other: 1 }), /metric "finetuned_drift_86400" missing from evaluation/);
  assert.throws(() => parseObjective("drop:a"), /expected "drop:<early>:<late>"/);
});

test("constraints: parameter, MAC and tile budgets are checked before evaluation", () => {
  const s = new Nb201Space();
  const big = [2, 2, 2, 2, 2, 2];
  assert.equal(architectureViolation(s, big, {}), null);
  assert.match(architectureViolation(s, big, { maxParams: 1e6 })!, /params 1531546 > 1000000/);
  assert.match(architectureViolation(s, big, { maxMacs: 1e6 })!, /MACs \d+ > 1000000/);
  // Every 3×3 conv at C = 64 needs ceil(576/256) = 3 tiles: the big cell does not fit 64 cores.
  assert.match(architectureViolation(s, big, { chipCores: 64 })!, /tiles \d+ > 64/);
  assert.equal(architectureViolation(s, [0, 1, 1, 1, 1, 1], { chipCores: 64 }), null);
  assert.equal(metricViolation({ a: 80 }, { metrics: { a: { min: 85 } } }), 5);
  assert.throws(() => validateConstraints({ maxParams: -1 }), /constraints.maxParams: expected > 0/);
});

test("Pareto dominance, non-dominated sorting and crowding distance (NSGA-II)", () => {
  assert.ok(dominates([2, 2], [1, 2]));
  assert.ok(!dominates([2, 1], [1, 2]));
  assert.ok(!dominates([1, 1], [1, 1]));
  const pts = [
    [3, 1],
    [2, 2],
    [1, 3],
    [1, 1],
    [2, 1],
    [0, 0],
  ];
  assert.deepEqual(nonDominatedSort(pts), [[0, 1, 2], [4], [3], [5]]);
  const cd = crowdingDistance([
    [3, 1],
    [2, 2],
    [1, 3],
  ]);
  assert.equal(cd[0], Number.POSITIVE_INFINITY);
  assert.equal(cd[2], Number.POSITIVE_INFINITY);
  assert.equal(cd[1], 2); // (3−1)/2 + (3−1)/2
});

test("2-D hypervolume", () => {
  assert.equal(hypervolume2d([[1, 1]], [0, 0]), 1);
  assert.equal(
    hypervolume2d(
      [
        [2, 1],
        [1, 2],
      ],
      [0, 0],
    ),
    3,
  );
  assert.equal(
    hypervolume2d(
      [
        [2, 1],
        [1, 2],
        [1, 1],
      ],
      [0, 0],
    ),
    3,
  );
  assert.equal(hypervolume2d([[-1, 5]], [0, 0]), 0);
});

test("selectBest: top by the first objective, or the feasible Pareto front", () => {
  const acc = parseObjective("acc");
  const drop = parseObjective("drop", "minimize");
  const t = (trial: number, a: number, d: number, feasible = true) => ({
    trial,
    worker: "0",
    key: String(trial),
    genome: [],
    status: "ok" as const,
    values: [a, d],
    feasible,
  });
  const trials = [t(0, 90, 5), t(1, 88, 1), t(2, 87, 2), t(3, 95, 0, false)];
  assert.deepEqual(
    selectBest(trials, [acc], 2).map((x) => x.trial),
    [0, 1],
  );
  assert.deepEqual(
    selectBest(trials, [acc, drop], 10).map((x) => x.trial),
    [0, 1],
  );
});
