import assert from "node:assert/strict";
import { test } from "node:test";
import { KirchhoffError, Rng } from "../../src/core/index.js";
import { averageRanks, kendallTau, ndcg, spearman } from "../../src/nas/surrogate/index.js";

/** Tau-b by definition, O(n²). */
function bruteTauB(a: number[], b: number[]): number {
  let c = 0;
  let d = 0;
  let ta = 0;
  let tb = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = i + 1; j < a.length; j++) {
      const sa = Math.sign(a[i]! - a[j]!);
      const sb = Math.sign(b[i]! - b[j]!);
      if (sa === 0 && sb === 0) continue;
      if (sa === 0) ta++;
      else if (sb === 0) tb++;
      else if (sa === sb) c++;
      else d++;
    }
  }
  return (c - d) / Math.sqrt((c + d + ta) * (c + d + tb));
}

test("kendallTau matches scipy.stats.kendalltau on tied data", () => {
  // Values from scipy 1.x kendalltau (tau-b).
  assert.ok(
    Math.abs(kendallTau([1, 2, 2, 3, 4, 4, 4, 5], [2, 1, 3, 3, 5, 4, 4, 6]) - 0.8406728074767076) < 1e-12,
  );
  assert.ok(
    Math.abs(
      kendallTau([3, 1, 4, 1, 5, 9, 2, 6, 5, 3], [2, 7, 1, 8, 2, 8, 1, 8, 2, 8]) - 0.13041013273932525,
    ) < 1e-12,
  );
});

test("kendallTau (O(n log n)) equals the O(n²) definition on random tied data", () => {
  const rng = new Rng(7);
  for (let trial = 0; trial < 20; trial++) {
    const n = 2 + rng.int(300);
    const levels = 1 + rng.int(20);
    const a = Array.from({ length: n }, () => rng.int(levels));
    const b = a.map((v) => (rng.uniform() < 0.7 ? v + rng.int(3) : rng.int(levels)));
    const want = bruteTauB(a, b);
    const got = kendallTau(a, b);
    if (Number.isNaN(want)) assert.ok(Number.isNaN(got));
    else assert.ok(Math.abs(got - want) < 1e-12, `n=${n}: ${got} vs ${want}`);
  }
});

test("kendallTau: perfect, reversed, constant, errors", () => {
  assert.equal(kendallTau([1, 2, 3, 4], [10, 20, 30, 40]), 1);
  assert.equal(kendallTau([1, 2, 3, 4], [4, 3, 2, 1]), -1);
  assert.ok(Number.isNaN(kendallTau([1, 1, 1], [1, 2, 3])));
  assert.throws(() => kendallTau([1, 2], [1]), KirchhoffError);
  assert.throws(() => kendallTau([1, Number.NaN], [1, 2]), /non-finite value at index 1/);
});

test("spearman uses average ranks for ties (scipy values)", () => {
  assert.deepEqual(Array.from(averageRanks([10, 20, 20, 5])), [2, 3.5, 3.5, 1]);
  assert.ok(
    Math.abs(spearman([1, 2, 2, 3, 4, 4, 4, 5], [2, 1, 3, 3, 5, 4, 4, 6]) - 0.9256265453136692) < 1e-12,
  );
  assert.ok(
    Math.abs(spearman([3, 1, 4, 1, 5, 9, 2, 6, 5, 3], [2, 7, 1, 8, 2, 8, 1, 8, 2, 8]) - 0.13471506281091267) <
      1e-12,
  );
  assert.equal(spearman([1, 2, 3], [3, 2, 1]), -1);
});

test("ndcg with linear gains", () => {
  const yTrue = [3, 2, 3, 0, 1, 2];
  const yPred = [6, 5, 4, 3, 2, 1]; // ranks items in input order
  const dcg = 3 / 1 + 2 / Math.log2(3) + 3 / 2 + 0 / Math.log2(5) + 1 / Math.log2(6) + 2 / Math.log2(7);
  const idcg = 3 / 1 + 3 / Math.log2(3) + 2 / 2 + 2 / Math.log2(5) + 1 / Math.log2(6) + 0 / Math.log2(7);
  assert.ok(Math.abs(ndcg(yTrue, yPred) - dcg / idcg) < 1e-12);
  const dcg3 = 3 + 2 / Math.log2(3) + 3 / 2;
  const idcg3 = 3 + 3 / Math.log2(3) + 2 / 2;
  assert.ok(Math.abs(ndcg(yTrue, yPred, 3) - dcg3 / idcg3) < 1e-12);
  assert.equal(ndcg(yTrue, yTrue), 1);
  assert.throws(() => ndcg([-1, 2], [1, 2]), /negative/);
  assert.throws(() => ndcg([1, 2], [1, 2], 0), /k: expected an integer >= 1/);
});
