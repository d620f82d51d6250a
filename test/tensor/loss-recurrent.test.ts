import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { KirchhoffError, Rng } from "../../src/core/index.js";
import * as T from "../../src/tensor/index.js";
import { gradCheck } from "./gradcheck.js";

const r = (shape: number[], seed = "x", std = 1) => T.randn(shape, new Rng(seed), std);

describe("losses", () => {
  test("crossEntropy value equals −mean log softmax of the true class", () => {
    const logits = T.tensor([2, 1, 0.1, 0.5, 2.5, -1], [2, 3]);
    const labels = Int32Array.from([0, 2]);
    const ls = T.logSoftmax(logits).data;
    const expected = -(ls[0]! + ls[5]!) / 2;
    assert.ok(Math.abs(T.crossEntropy(logits, labels).item() - expected) < 1e-6);
    // Label smoothing ε: (1 − ε)·CE + ε·mean over classes of −log p.
    const eps = 0.2;
    const smooth =
      -(
        (1 - eps) * ls[0]! +
        (eps / 3) * (ls[0]! + ls[1]! + ls[2]!) +
        ((1 - eps) * ls[5]! + (eps / 3) * (ls[3]! + ls[4]! + ls[5]!))
      ) / 2;
    assert.ok(Math.abs(T.crossEntropy(logits, labels, { labelSmoothing: eps }).item() - smooth) < 1e-6);
  });
  test("crossEntropy and mseLoss gradients", () => {
    const labels = Int32Array.from([0, 3, 1, 3]);
    gradCheck("crossEntropy", (x) => T.crossEntropy(x, labels), [r([4, 5])]);
    gradCheck("crossEntropy smoothed", (x) => T.crossEntropy(x, labels, { labelSmoothing: 0.1 }), [
      r([4, 5]),
    ]);
    gradCheck("mseLoss", T.mseLoss, [r([3, 4], "a"), r([3, 4], "b")]);
  });
  test("accuracy counts arg-max hits", () => {
    const logits = T.tensor([2, 1, 0, 0, 1, 2, 5, 0, 0], [3, 3]);
    assert.equal(T.accuracy(logits, Int32Array.from([0, 2, 1])), 2 / 3);
  });
  test("bad labels: wrong array type, wrong length, out of range", () => {
    const logits = T.zeros([2, 3]);
    assert.throws(
      () => T.crossEntropy(logits, [0, 1] as unknown as Int32Array),
      (e: unknown) => e instanceof KirchhoffError && /Int32Array/.test(e.message) && /Array/.test(e.message),
    );
    assert.throws(
      () => T.crossEntropy(logits, Float32Array.from([0, 1]) as unknown as Int32Array),
      /Int32Array/,
    );
    assert.throws(() => T.crossEntropy(logits, Int32Array.from([0])), /labels length.*expected 2, got 1/);
    assert.throws(
      () => T.crossEntropy(logits, Int32Array.from([0, 3])),
      /label 3 at index 1 out of range \[0, 3\)/,
    );
    assert.throws(() => T.crossEntropy(logits, Int32Array.from([-1, 0])), /out of range/);
    assert.throws(() => T.accuracy(logits, Int32Array.from([0, 1, 2])), KirchhoffError);
    assert.throws(() => T.mseLoss(T.zeros([2, 3]), T.zeros([3, 2])), /mseLoss: equal shapes/);
  });
  test("NaN or infinite logits throw a clear KirchhoffError (assertFinite)", () => {
    const logits = T.tensor([0, Number.NaN, 1, 2], [2, 2]);
    assert.throws(
      () => T.crossEntropy(logits, Int32Array.from([0, 1])),
      (e: unknown) =>
        e instanceof KirchhoffError &&
        e.code === "value" &&
        /crossEntropy logits: non-finite value NaN at flat index 1/.test(e.message),
    );
    assert.throws(
      () => T.assertFinite(T.tensor([1, Number.POSITIVE_INFINITY], [2]), "weights"),
      /weights: non-finite value Infinity/,
    );
    T.assertFinite(T.tensor([1, 2], [2]), "ok");
    assert.throws(
      () => T.mseLoss(T.tensor([1, Number.NaN], [2]), T.zeros([2])),
      /mseLoss input: non-finite value NaN/,
    );
  });
});

describe("recurrent cells", () => {
  const n = 2;
  const inF = 3;
  const hid = 4;
  test("lstmCell gradients in every input, weight and bias", () => {
    const inputs = [
      r([n, inF], "x"),
      r([n, hid], "h", 0.5),
      r([n, hid], "c", 0.5),
      r([4 * hid, inF], "wih", 0.4),
      r([4 * hid, hid], "whh", 0.4),
      r([4 * hid], "bih", 0.2),
      r([4 * hid], "bhh", 0.2),
    ];
    gradCheck("lstmCell h", (x, h, c, a, b, bi, bh) => T.lstmCell(x, h, c, a, b, bi, bh).h, inputs);
    gradCheck("lstmCell c", (x, h, c, a, b, bi, bh) => T.lstmCell(x, h, c, a, b, bi, bh).c, inputs);
  });
  test("gruCell gradients in every input, weight and bias", () => {
    const inputs = [
      r([n, inF], "x"),
      r([n, hid], "h", 0.5),
      r([3 * hid, inF], "wih", 0.4),
      r([3 * hid, hid], "whh", 0.4),
      r([3 * hid], "bih", 0.2),
      r([3 * hid], "bhh", 0.2),
    ];
    gradCheck("gruCell", (x, h, a, b, bi, bh) => T.gruCell(x, h, a, b, bi, bh), inputs);
  });
  test("lstmCell matches the gate equations for one hand-checked unit", () => {
    // H = 1, I = 1: gates i, f, g, o pre-activations = wIh·x + wHh·h.
    const x = T.tensor([1], [1, 1]);
    const h = T.tensor([0.5], [1, 1]);
    const c = T.tensor([2], [1, 1]);
    const wIh = T.tensor([0.1, 0.2, 0.3, 0.4], [4, 1]);
    const wHh = T.tensor([1, -1, 0.5, 2], [4, 1]);
    const out = T.lstmCell(x, h, c, wIh, wHh);
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    const [i, f, g, o] = [sig(0.1 + 0.5), sig(0.2 - 0.5), Math.tanh(0.3 + 0.25), sig(0.4 + 1)];
    const c2 = f * 2 + i * g;
    assert.ok(Math.abs(out.c.item() - c2) < 1e-6);
    assert.ok(Math.abs(out.h.item() - o * Math.tanh(c2)) < 1e-6);
  });
  test("wrong weight shapes throw shape errors", () => {
    const x = T.zeros([2, 3]);
    const h = T.zeros([2, 4]);
    assert.throws(() => T.lstmCell(x, h, h, T.zeros([12, 3]), T.zeros([16, 4])), /wIh shape/);
    assert.throws(() => T.gruCell(x, h, T.zeros([12, 3]), T.zeros([12, 3])), /wHh shape/);
    assert.throws(() => T.gruCell(T.zeros([3, 3]), h, T.zeros([12, 3]), T.zeros([12, 4])), /input shape/);
  });
});
