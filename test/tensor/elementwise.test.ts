import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { KirchhoffError, Rng } from "../../src/core/index.js";
import * as T from "../../src/tensor/index.js";
import { gradCheck, randomAway } from "./gradcheck.js";

const r = (shape: number[], seed: string) => T.randn(shape, new Rng(seed));
const positive = (shape: number[], seed: string) => T.rand(shape, new Rng(seed), 0.5, 2);

describe("binary ops with broadcasting", () => {
  const cases: [string, number[], number[]][] = [
    ["same", [2, 3], [2, 3]],
    ["bias suffix", [2, 3, 4], [4]],
    ["bias prefix-swapped", [4], [2, 3, 4]],
    ["scalar", [2, 3], []],
    ["column", [3, 4], [3, 1]],
    ["outer", [3, 1], [1, 4]],
    ["middle", [2, 1, 4], [3, 1]],
  ];
  for (const [label, sa, sb] of cases) {
    test(`add/sub/mul/div gradients (${label})`, () => {
      gradCheck(`add ${label}`, T.add, [r(sa, "a"), r(sb, "b")]);
      gradCheck(`sub ${label}`, T.sub, [r(sa, "a"), r(sb, "b")]);
      gradCheck(`mul ${label}`, T.mul, [r(sa, "a"), r(sb, "b")]);
      gradCheck(`div ${label}`, T.div, [r(sa, "a"), positive(sb, "b")]);
    });
    test(`maximum/minimum gradients (${label})`, () => {
      // a on the grid 0.1·k + 0.05 and b on 0.1·m: every pair differs by >= 0.05, so no ties within h.
      const grid = (shape: number[], seed: string, off: number) => {
        const t = T.randn(shape, new Rng(seed), 1);
        t.data.forEach((v, i) => {
          t.data[i] = Math.round(v * 10) / 10 + off;
        });
        return t;
      };
      gradCheck(`maximum ${label}`, T.maximum, [grid(sa, "ma", 0.05), grid(sb, "mb", 0)]);
      gradCheck(`minimum ${label}`, T.minimum, [grid(sa, "ma", 0.05), grid(sb, "mb", 0)]);
    });
  }

  test("values follow NumPy broadcasting", () => {
    const a = T.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    const col = T.tensor([10, 20], [2, 1]);
    assert.deepEqual(T.add(a, col).toArray(), [11, 12, 13, 24, 25, 26]);
    assert.deepEqual(T.sub(col, a).shape, [2, 3]);
    assert.deepEqual(T.sub(col, a).toArray(), [9, 8, 7, 16, 15, 14]);
    assert.deepEqual(
      T.div(T.tensor([1, 2, 3], [3]), a).toArray(),
      Array.from(Float32Array.from([1, 1, 1, 0.25, 0.4, 0.5])),
    );
    assert.deepEqual(T.maximum(a, T.tensor([3], [])).toArray(), [3, 3, 3, 4, 5, 6]);
    assert.deepEqual(T.minimum(a, T.tensor([2, 7, 0], [3])).toArray(), [1, 2, 0, 2, 5, 0]);
  });

  test("non-broadcastable shapes throw a shape KirchhoffError naming both shapes", () => {
    assert.throws(
      () => T.add(T.zeros([2, 3]), T.zeros([4])),
      (e: unknown) => e instanceof KirchhoffError && e.code === "shape" && /\[2,3\].*\[4\]/.test(e.message),
    );
    assert.throws(() => T.mul(T.zeros([2, 3]), T.zeros([3, 2])), KirchhoffError);
  });
});

describe("unary ops", () => {
  test("neg, exp, square, scale, addScalar, pow gradients", () => {
    gradCheck("neg", T.neg, [r([3, 4], "x")]);
    gradCheck("exp", T.exp, [r([3, 4], "x")]);
    gradCheck("square", T.square, [r([3, 4], "x")]);
    gradCheck("scale", (x) => T.scale(x, -2.5), [r([3, 4], "x")]);
    gradCheck("addScalar", (x) => T.addScalar(x, 3), [r([3, 4], "x")]);
    gradCheck("pow 3", (x) => T.pow(x, 3), [r([3, 4], "x")]);
    gradCheck("pow 1.5", (x) => T.pow(x, 1.5), [positive([3, 4], "x")]);
  });
  test("log, sqrt gradients on positive inputs", () => {
    gradCheck("log", T.log, [positive([3, 4], "x")]);
    gradCheck("sqrt", T.sqrt, [positive([3, 4], "x")]);
  });
  test("abs and clamp gradients away from kinks", () => {
    gradCheck("abs", T.abs, [randomAway([3, 4], "x", [0])]);
    gradCheck("clamp", (x) => T.clamp(x, -0.5, 0.7), [randomAway([4, 5], "x", [-0.5, 0.7])]);
  });
  test("values", () => {
    const x = T.tensor([-2, -0.5, 0, 1.5], [4]);
    assert.deepEqual(T.abs(x).toArray(), [2, 0.5, 0, 1.5]);
    assert.deepEqual(T.clamp(x, -1, 1).toArray(), [-1, -0.5, 0, 1]);
    assert.deepEqual(T.pow(T.tensor([2, 3], [2]), 2).toArray(), [4, 9]);
    assert.throws(() => T.clamp(x, 1, -1), KirchhoffError);
  });
});

describe("activations", () => {
  test("relu, relu6, leakyRelu gradients away from kinks", () => {
    gradCheck("relu", T.relu, [randomAway([3, 5], "x", [0])]);
    gradCheck("relu6", T.relu6, [randomAway([3, 5], "x", [0, 6], 0.05, 4)]);
    gradCheck("leakyRelu", (x) => T.leakyRelu(x, 0.1), [randomAway([3, 5], "x", [0])]);
  });
  test("sigmoid and tanh gradients", () => {
    gradCheck("sigmoid", T.sigmoid, [r([3, 5], "x")]);
    gradCheck("tanh", T.tanh, [r([3, 5], "x")]);
  });
  test("values and saturation", () => {
    const x = T.tensor([-1000, -1, 0, 3, 7, 1000], [6]);
    assert.deepEqual(T.relu6(x).toArray(), [0, 0, 0, 3, 6, 6]);
    const s = T.sigmoid(x).toArray();
    assert.equal(s[0], 0);
    assert.equal(s[2], 0.5);
    assert.equal(s[5], 1);
    assert.ok(s.every((v) => Number.isFinite(v)));
    assert.deepEqual(T.leakyRelu(T.tensor([-2, 2], [2]), 0.5).toArray(), [-1, 2]);
  });
  test("dropout: deterministic per seed, scaled survivors, identity outside training", () => {
    const x = T.ones([1000]);
    const a = T.dropout(x, 0.3, true, new Rng(5));
    const b = T.dropout(x, 0.3, true, new Rng(5));
    assert.deepEqual(a.toArray(), b.toArray());
    const kept = a.toArray().filter((v) => v !== 0);
    assert.ok(kept.every((v) => Math.abs(v - 1 / 0.7) < 1e-6));
    assert.ok(Math.abs(kept.length / 1000 - 0.7) < 0.06, `kept fraction ${kept.length / 1000}`);
    assert.equal(T.dropout(x, 0.3, false, new Rng(5)), x);
    const xg = T.randn([4, 6], new Rng(1));
    gradCheck("dropout", (t) => T.dropout(t, 0.5, true, new Rng(9)), [xg]);
    assert.throws(() => T.dropout(x, 1, true, new Rng(1)), KirchhoffError);
  });
});
