import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { KirchhoffError, Rng } from "../../src/core/index.js";
import * as T from "../../src/tensor/index.js";
import { gradCheck } from "./gradcheck.js";

const r = (shape: number[], seed = "x", std = 1) => T.randn(shape, new Rng(seed), std);

describe("matmul and linear", () => {
  test("values against a hand computation", () => {
    const a = T.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    const b = T.tensor([1, 0, 0, 1, 1, 1], [3, 2]);
    assert.deepEqual(T.matmul(a, b).toArray(), [4, 5, 10, 11]);
    const w = T.tensor([1, 0, 0, 1, 1, 1], [2, 3]);
    assert.deepEqual(T.linear(a, w, T.tensor([10, 20], [2])).toArray(), [11, 26, 14, 35]);
  });
  test("gradients: 2-D, batched leading dims on a, batched both, linear with/without bias", () => {
    gradCheck("matmul 2d", T.matmul, [r([3, 4], "a"), r([4, 5], "b")]);
    gradCheck("matmul lead", T.matmul, [r([2, 3, 4], "a"), r([4, 2], "b")]);
    gradCheck("matmul batched", T.matmul, [r([2, 3, 4], "a"), r([2, 4, 2], "b")]);
    gradCheck("linear", (x, w, b) => T.linear(x, w, b), [r([3, 4], "x"), r([5, 4], "w"), r([5], "b")]);
    gradCheck("linear 3d no bias", (x, w) => T.linear(x, w), [r([2, 3, 4], "x"), r([2, 4], "w")]);
    gradCheck("linear 1d input", (x, w, b) => T.linear(x, w, b), [r([4], "x"), r([3, 4], "w"), r([3], "b")]);
  });
  test("inner-dimension mismatches throw shape errors", () => {
    assert.throws(() => T.matmul(T.zeros([2, 3]), T.zeros([4, 2])), /matmul: inner dims/);
    assert.throws(() => T.linear(T.zeros([2, 3]), T.zeros([4, 2])), /linear: input features/);
    assert.throws(() => T.linear(T.zeros([2, 3]), T.zeros([4, 3]), T.zeros([3])), /bias shape/);
    assert.throws(() => T.matmul(T.zeros([3]), T.zeros([3, 2])), KirchhoffError);
    assert.throws(() => T.matmul(T.zeros([2, 2, 3]), T.zeros([3, 3, 2])), /batch dims/);
    assert.throws(
      () => T.conv2d(T.zeros([1, 5, 5, 1]), T.zeros([2, 3, 3, 1]), T.zeros([3])),
      /conv2d: bias shape/,
    );
    assert.throws(
      () => T.conv2d(T.zeros([1, 5, 5, 1]), T.zeros([2, 3, 3, 1]), null, { padding: "full" as "same" }),
      /padding/,
    );
  });
});

describe("conv2d", () => {
  test("output geometry: same (odd/even kernels, stride 2), valid, explicit padding", () => {
    const g = (h: number, k: number, opts: T.Conv2dOptions) =>
      T.conv2dGeometry([1, h, h, 2], [3, k, k, 2], opts);
    assert.equal(g(8, 3, { padding: "same" }).outH, 8);
    assert.equal(g(8, 3, { padding: "same" }).padTop, 1);
    const even = g(8, 4, { padding: "same" }); // total 3 → top 1, bottom 2 (PyTorch/TF)
    assert.equal(even.outH, 8);
    assert.equal(even.padTop, 1);
    const s2 = g(7, 3, { padding: "same", stride: 2 }); // TF SAME: out 4, total 2 → top 1
    assert.equal(s2.outH, 4);
    assert.equal(s2.padTop, 1);
    const s2even = g(8, 3, { padding: "same", stride: 2 }); // out 4, total 1 → top 0
    assert.equal(s2even.padTop, 0);
    assert.equal(g(8, 3, { padding: "valid" }).outH, 6);
    assert.equal(g(8, 3, { padding: 2, dilation: 2 }).outH, 8);
    const asym = T.conv2dGeometry([1, 8, 9, 2], [3, 3, 3, 2], { padding: [0, 1] });
    assert.deepEqual([asym.outH, asym.outW, asym.padTop, asym.padLeft], [6, 9, 0, 1]);
  });
  test("a 1×1 convolution equals a linear layer", () => {
    const x = r([2, 3, 3, 4], "x");
    const w = r([5, 1, 1, 4], "w");
    const b = r([5], "b");
    const y = T.conv2d(x, w, b);
    const ref = T.linear(T.reshape(x, [-1, 4]), T.reshape(w, [5, 4]), b);
    for (const [i, v] of y.data.entries()) assert.ok(Math.abs(v - ref.data[i]!) < 1e-5);
  });
  const configs: [string, number[], number[], T.Conv2dOptions][] = [
    ["3x3 same", [2, 5, 5, 3], [4, 3, 3, 3], { padding: "same" }],
    ["stride 2 same", [1, 7, 6, 2], [3, 3, 3, 2], { padding: "same", stride: 2 }],
    ["even kernel same", [1, 5, 5, 2], [2, 2, 2, 2], { padding: "same" }],
    ["dilation 2", [1, 7, 7, 2], [3, 3, 3, 2], { padding: 2, dilation: 2 }],
    ["groups 2", [1, 5, 5, 4], [6, 3, 3, 2], { padding: 1, groups: 2 }],
    ["depthwise", [2, 5, 5, 3], [3, 3, 3, 1], { padding: "same", groups: 3 }],
    ["depthwise stride 2 valid", [1, 6, 6, 2], [4, 3, 3, 1], { stride: 2, groups: 2 }],
    ["rect stride/pad", [1, 6, 5, 2], [2, 3, 2, 2], { stride: [2, 1], padding: [1, 0] }],
  ];
  for (const [label, xs, ws, opts] of configs) {
    test(`gradients: ${label}`, () => {
      gradCheck(`conv2d ${label}`, (x, w, b) => T.conv2d(x, w, b, opts), [
        r(xs, "x"),
        r(ws, "w", 0.5),
        r([ws[0]!], "b"),
      ]);
    });
  }
  test("bad shapes throw: rank, channel mismatch, groups, too-small input", () => {
    assert.throws(() => T.conv2d(T.zeros([5, 5, 3]), T.zeros([4, 3, 3, 3])), /input rank/);
    assert.throws(
      () => T.conv2d(T.zeros([1, 5, 5, 3]), T.zeros([4, 3, 3, 2])),
      /input channels of input \[1,5,5,3\] for weight \[4,3,3,2\] \(OHWI, groups=1\): expected 2, got 3/,
    );
    assert.throws(
      () => T.conv2d(T.zeros([1, 5, 5, 3]), T.zeros([4, 3, 3, 1]), null, { groups: 2 }),
      /input channels of input \[1,5,5,3\] for weight \[4,3,3,1\] \(OHWI, groups=2\): expected 2, got 3/,
    );
    // depthwise: the input's channels must be the layer's
    assert.throws(
      () => T.conv2d(T.zeros([1, 5, 5, 3]), T.zeros([8, 3, 3, 1]), null, { groups: 8 }),
      /input channels .* \(OHWI, groups=8\): expected 8, got 3/,
    );
    assert.throws(
      () => T.conv2d(T.zeros([1, 5, 5, 4]), T.zeros([3, 3, 3, 2]), null, { groups: 2 }),
      /output channels of weight \[3,3,3,2\] \(OHWI\): expected "a multiple of groups=2", got 3/,
    );
    assert.throws(() => T.conv2d(T.zeros([1, 2, 2, 1]), T.zeros([1, 3, 3, 1])), /positive output size/);
    assert.throws(
      () => T.conv2d(T.zeros([1, 5, 5, 1]), T.zeros([1, 3, 3, 1]), null, { stride: 0 }),
      KirchhoffError,
    );
  });
});

describe("batchNorm", () => {
  /** Draws x (and the residual) from successive seeds until every pre-activation is >= 0.05 from a kink. */
  const kinkFreeInputs = (pre: (x: T.Tensor, res: T.Tensor) => T.Tensor, kinks: number[]) => {
    for (let seed = 0; seed < 200; seed++) {
      const x = r([2, 3, 2, 3], `x${seed}`, 1.5);
      const res = r([2, 3, 2, 3], `res${seed}`);
      const y = T.noGrad(() => pre(x, res)).data;
      if (y.every((v) => kinks.every((k) => Math.abs(v - k) >= 0.05))) return { x, res };
    }
    throw new Error("no kink-free inputs found");
  };
  const bnCase = (training: boolean, act: "none" | "relu" | "relu6", residual: boolean) => {
    const label = `${training ? "train" : "eval"} act=${act}${residual ? " +residual" : ""}`;
    test(`gradients: ${label}`, () => {
      const rm = T.tensor([0.1, -0.2, 0.3], [3]);
      const rv = T.tensor([0.8, 1.2, 0.5], [3]);
      const gamma = T.tensor([1.2, 0.7, -0.9], [3]);
      const beta = T.tensor([0.1, 3, -0.2], [3]);
      const f = (xi: T.Tensor, g: T.Tensor, b: T.Tensor, ri: T.Tensor, a = act) =>
        T.batchNorm(xi, g, b, rm.clone(), rv.clone(), { training, act: a, residual: residual ? ri : null });
      const kinks = act === "none" ? [] : act === "relu" ? [0] : [0, 6];
      const { x, res } = kinkFreeInputs((xi, ri) => f(xi, gamma, beta, ri, "none"), kinks);
      const check = residual ? [0, 1, 2, 3] : [0, 1, 2];
      gradCheck(`batchNorm ${label}`, (xi, g, b, ri) => f(xi, g, b, ri), [x, gamma, beta, res], {
        check,
        h: 2e-3,
        atol: 3e-3,
        rtol: 2e-2,
      });
    });
  };
  for (const training of [true, false]) {
    for (const act of ["none", "relu", "relu6"] as const) {
      bnCase(training, act, false);
      bnCase(training, act, true);
    }
  }
  test("training normalises per channel and updates running stats (unbiased variance)", () => {
    const x = T.tensor([1, 10, 3, 20, 5, 30, 7, 40], [4, 2]);
    const rm = T.zeros([2]);
    const rv = T.ones([2]);
    const y = T.batchNorm(x, null, null, rm, rv, { training: true, momentum: 0.1, eps: 0 });
    const ch0 = [0, 2, 4, 6].map((i) => y.data[i]!);
    assert.ok(Math.abs(ch0.reduce((s, v) => s + v, 0)) < 1e-5);
    assert.ok(Math.abs(ch0.reduce((s, v) => s + v * v, 0) / 4 - 1) < 1e-4);
    assert.ok(Math.abs(rm.data[0]! - 0.4) < 1e-6); // 0.1 · mean 4
    assert.ok(Math.abs(rv.data[0]! - (0.9 + 0.1 * (20 / 3))) < 1e-5); // unbiased var of 1,3,5,7 = 20/3
    const e = T.batchNorm(x, null, null, T.tensor([4, 25], [2]), T.tensor([4, 125], [2]), {
      training: false,
      eps: 0,
    });
    assert.ok(Math.abs(e.data[0]! - -1.5) < 1e-6);
  });
  test("bad inputs: channel vector shapes, residual shape, eval without running stats, single-value training", () => {
    const x = T.zeros([4, 3]);
    assert.throws(() => T.batchNorm(x, T.ones([2]), null, null, null, { training: true }), /gamma shape/);
    assert.throws(
      () => T.batchNorm(x, null, null, null, null, { training: true, residual: T.zeros([4, 2]) }),
      /residual/,
    );
    assert.throws(() => T.batchNorm(x, null, null, null, null, { training: false }), KirchhoffError);
    assert.throws(
      () => T.batchNorm(T.zeros([1, 3]), null, null, null, null, { training: true }),
      /more than 1 value/,
    );
  });
});

describe("pooling", () => {
  test("maxPool2d / avgPool2d values (NHWC, count_include_pad)", () => {
    const x = T.tensor(
      Array.from({ length: 16 }, (_, i) => i),
      [1, 4, 4, 1],
    );
    assert.deepEqual(T.maxPool2d(x, 2).toArray(), [5, 7, 13, 15]);
    assert.deepEqual(T.avgPool2d(x, 2).toArray(), [2.5, 4.5, 10.5, 12.5]);
    const padded = T.avgPool2d(x, 3, 2, 1); // corner window sees 0,1,4,5 of 9 cells
    assert.deepEqual(padded.shape, [1, 2, 2, 1]);
    assert.ok(Math.abs(padded.data[0]! - 10 / 9) < 1e-6);
    assert.deepEqual(T.maxPool2d(T.neg(x), 3, 2, 1).toArray(), [-0, -1, -4, -5]);
    assert.deepEqual(T.globalAvgPool2d(x).toArray(), [7.5]);
  });
  test("gradients: maxPool2d (overlapping, padded), avgPool2d, globalAvgPool2d", () => {
    gradCheck("maxPool2d 2", (t) => T.maxPool2d(t, 2), [r([2, 4, 4, 3])]);
    gradCheck("maxPool2d 3/2/1", (t) => T.maxPool2d(t, 3, 2, 1), [r([1, 5, 5, 2])]);
    gradCheck("avgPool2d 2", (t) => T.avgPool2d(t, 2), [r([2, 4, 4, 3])]);
    gradCheck("avgPool2d 3/2/1", (t) => T.avgPool2d(t, [3, 3], [2, 2], [1, 1]), [r([1, 5, 6, 2])]);
    gradCheck("globalAvgPool2d", T.globalAvgPool2d, [r([2, 3, 3, 4])]);
  });
  test("bad pool parameters throw", () => {
    assert.throws(() => T.maxPool2d(T.zeros([4, 4, 1]), 2), /input rank/);
    assert.throws(() => T.avgPool2d(T.zeros([1, 4, 4, 1]), 2, 2, 2), /padding/);
    assert.throws(() => T.maxPool2d(T.zeros([1, 1, 1, 1]), 2), /positive output size/);
  });
});
