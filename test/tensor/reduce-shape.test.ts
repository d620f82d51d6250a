import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { KirchhoffError, Rng } from "../../src/core/index.js";
import * as T from "../../src/tensor/index.js";
import { gradCheck } from "./gradcheck.js";

const r = (shape: number[], seed = "x") => T.randn(shape, new Rng(seed));

describe("reductions", () => {
  test("sum/mean values over axes, keepDims and all", () => {
    const x = T.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    assert.deepEqual(T.sum(x).toArray(), [21]);
    assert.deepEqual(T.sum(x).shape, []);
    assert.deepEqual(T.sum(x, 0).toArray(), [5, 7, 9]);
    assert.deepEqual(T.sum(x, -1, true).shape, [2, 1]);
    assert.deepEqual(T.mean(x, 1).toArray(), [2, 5]);
    assert.deepEqual(T.mean(x, [0, 1]).toArray(), [3.5]);
    assert.throws(() => T.sum(x, 2), KirchhoffError);
    assert.throws(() => T.sum(x, [1, -1]), /repeated axis/);
  });
  test("sum/mean gradients over single, multiple and non-adjacent axes", () => {
    gradCheck("sum all", (x) => T.sum(x), [r([2, 3, 4])]);
    gradCheck("sum 1", (x) => T.sum(x, 1), [r([2, 3, 4])]);
    gradCheck("sum 0,2 keep", (x) => T.sum(x, [0, 2], true), [r([2, 3, 4])]);
    gradCheck("mean 0,2", (x) => T.mean(x, [0, 2]), [r([2, 3, 4])]);
    gradCheck("mean all", (x) => T.mean(x), [r([2, 3, 4])]);
    gradCheck("mean size-1 axis", (x) => T.mean(x, 1, true), [r([2, 1, 3])]);
  });
  test("maxAlong values and gradient", () => {
    const x = T.tensor([1, 5, 3, 9, 2, 4], [2, 3]);
    assert.deepEqual(T.maxAlong(x, 1).toArray(), [5, 9]);
    assert.deepEqual(T.maxAlong(x, 0).toArray(), [9, 5, 4]);
    gradCheck("maxAlong 1", (t) => T.maxAlong(t, 1), [r([3, 4, 2])]);
    gradCheck("maxAlong -1", (t) => T.maxAlong(t, -1), [r([3, 5])]);
  });
});

describe("softmax and logSoftmax", () => {
  test("rows sum to 1, stable for huge logits", () => {
    const x = T.tensor([1000, 1001, 1002, -5, 0, 5], [2, 3]);
    const s = T.softmax(x);
    assert.ok(s.toArray().every((v) => Number.isFinite(v)));
    assert.ok(Math.abs(s.data[0]! + s.data[1]! + s.data[2]! - 1) < 1e-6);
    const ls = T.logSoftmax(x).toArray();
    assert.ok(Math.abs(ls[2]! - -Math.log(1 + Math.exp(-1) + Math.exp(-2))) < 1e-5);
  });
  test("gradients along the last and a middle axis", () => {
    gradCheck("softmax -1", (x) => T.softmax(x), [r([3, 5])]);
    gradCheck("softmax 1 of 3d", (x) => T.softmax(x, 1), [r([2, 4, 3])]);
    gradCheck("logSoftmax -1", (x) => T.logSoftmax(x), [r([3, 5])]);
    gradCheck("logSoftmax 0", (x) => T.logSoftmax(x, 0), [r([4, 3])]);
  });
});

describe("shape ops", () => {
  test("reshape with -1 shares data; bad sizes throw", () => {
    const x = T.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    const y = T.reshape(x, [3, -1]);
    assert.deepEqual(y.shape, [3, 2]);
    assert.equal(y.data, x.data);
    assert.throws(() => T.reshape(x, [4, -1]), KirchhoffError);
    assert.throws(() => T.reshape(x, [-1, -1]), KirchhoffError);
    assert.throws(() => T.reshape(x, [7]), KirchhoffError);
    assert.deepEqual(T.flatten(T.zeros([2, 3, 4, 5])).shape, [2, 60]);
    gradCheck("reshape", (t) => T.reshape(t, [6, 2]), [r([3, 4])]);
  });
  test("transpose values and gradient", () => {
    const x = T.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    assert.deepEqual(T.transpose(x, [1, 0]).toArray(), [1, 4, 2, 5, 3, 6]);
    const nchw = T.transpose(
      T.reshape(
        T.tensor(
          Array.from({ length: 24 }, (_, i) => i),
          [24],
        ),
        [1, 2, 3, 4],
      ),
      [0, 3, 1, 2],
    );
    assert.deepEqual(nchw.shape, [1, 4, 2, 3]);
    assert.deepEqual(nchw.toArray().slice(0, 6), [0, 4, 8, 12, 16, 20]);
    gradCheck("transpose 3d", (t) => T.transpose(t, [2, 0, 1]), [r([2, 3, 4])]);
    assert.throws(() => T.transpose(x, [0, 0]), KirchhoffError);
  });
  test("slice, concat, pad values", () => {
    const x = T.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    assert.deepEqual(T.slice(x, 1, 1, 3).toArray(), [2, 3, 5, 6]);
    assert.deepEqual(T.slice(x, 0, -1).toArray(), [4, 5, 6]);
    assert.throws(() => T.slice(x, 1, 2, 5), /out of bounds/);
    assert.deepEqual(T.concat([x, T.tensor([7, 8], [2, 1])], 1).toArray(), [1, 2, 3, 7, 4, 5, 6, 8]);
    assert.throws(() => T.concat([x, T.zeros([3, 1])], 1), KirchhoffError);
    const p = T.pad(
      T.tensor([1, 2], [1, 2]),
      [
        [1, 0],
        [0, 2],
      ],
      -1,
    );
    assert.deepEqual(p.shape, [2, 4]);
    assert.deepEqual(p.toArray(), [-1, -1, -1, -1, 1, 2, -1, -1]);
  });
  test("slice, concat, pad gradients", () => {
    gradCheck("slice", (t) => T.slice(t, 1, 1, 3), [r([2, 4, 3])]);
    gradCheck("concat", (a, b) => T.concat([a, b], 1), [r([2, 2, 3], "a"), r([2, 1, 3], "b")]);
    gradCheck("concat 0", (a, b) => T.concat([a, b], 0), [r([1, 3], "a"), r([2, 3], "b")]);
    gradCheck(
      "pad",
      (t) =>
        T.pad(t, [
          [0, 0],
          [1, 2],
          [2, 1],
          [0, 0],
        ]),
      [r([1, 2, 3, 2])],
    );
  });
  test("bad arguments name the op and the problem", () => {
    const x = T.zeros([2, 3]);
    assert.throws(() => T.softmax(x, 2), /softmax: axis 2 out of range for a tensor of rank 2/);
    assert.throws(() => T.maxAlong(x, -3), /maxAlong: axis -3/);
    assert.throws(() => T.pad(x, [[1, -1]]), /pad: widths\[0\]/);
    assert.throws(
      () =>
        T.pad(x, [
          [0, 0],
          [0, 0],
          [0, 0],
        ]),
      /pad/,
    );
    assert.throws(() => T.transpose(x, [0]), /transpose: permutation length/);
    assert.throws(() => T.concat([], 0), /concat: xs/);
    assert.throws(() => T.flatten(x, 5), /flatten: axis 5/);
    assert.throws(() => T.tensor("abc" as unknown as number[], [3]), KirchhoffError);
  });
});
