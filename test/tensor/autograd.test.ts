import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { KirchhoffError, Rng } from "../../src/core/index.js";
import * as T from "../../src/tensor/index.js";
import { gradCheck } from "./gradcheck.js";

describe("Tensor basics", () => {
  test("construction, strides, item, clone, detach", () => {
    const t = T.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    assert.deepEqual(t.shape, [2, 3]);
    assert.deepEqual(t.strides, [3, 1]);
    assert.equal(t.size, 6);
    assert.equal(t.ndim, 2);
    assert.equal(T.tensor([7], []).item(), 7);
    const c = t.clone();
    c.data[0] = 100;
    assert.equal(t.data[0], 1);
    const d = T.tensor([1, 2], [2], { requiresGrad: true });
    assert.equal(d.detach().requiresGrad, false);
    assert.equal(d.detach().data, d.data);
    assert.throws(() => t.item(), KirchhoffError);
  });
  test("factories: zeros, ones, full, seeded randn/rand", () => {
    assert.deepEqual(T.zeros([2]).toArray(), [0, 0]);
    assert.deepEqual(T.ones([2]).toArray(), [1, 1]);
    assert.deepEqual(T.full([3], 2.5).toArray(), [2.5, 2.5, 2.5]);
    assert.deepEqual(T.randn([5], new Rng(3)).toArray(), T.randn([5], new Rng(3)).toArray());
    assert.notDeepEqual(T.randn([5], new Rng(3)).toArray(), T.randn([5], new Rng(4)).toArray());
    const u = T.rand([1000], new Rng(1), -2, 3).toArray();
    assert.ok(u.every((v) => v >= -2 && v < 3));
    const z = T.randn([4000], new Rng(2), 0.5).toArray();
    const sd = Math.sqrt(z.reduce((s, v) => s + v * v, 0) / z.length);
    assert.ok(Math.abs(sd - 0.5) < 0.03, `std ${sd}`);
  });
  test("bad shapes and data lengths throw KirchhoffError", () => {
    assert.throws(() => T.tensor([1, 2, 3], [2, 2]), /tensor: value count/);
    assert.throws(() => T.zeros([2, -1]), KirchhoffError);
    assert.throws(() => T.zeros([1.5]), KirchhoffError);
  });
});

describe("autograd engine", () => {
  test("shared parents accumulate (x used twice) and gradients accumulate across backward calls", () => {
    const x = T.tensor([1, 2, 3], [3], { requiresGrad: true });
    const y = T.sum(T.add(T.mul(x, x), x)); // Σ x² + x → grad 2x + 1
    y.backward();
    assert.deepEqual(x.grad!.toArray(), [3, 5, 7]);
    T.sum(T.scale(x, 2)).backward();
    assert.deepEqual(x.grad!.toArray(), [5, 7, 9]);
    x.zeroGrad();
    assert.equal(x.grad, null);
  });
  test("diamond graph: gradient through two paths into one intermediate", () => {
    const x = T.tensor([0.5, -1], [2], { requiresGrad: true });
    const a = T.exp(x);
    const b = T.add(T.mul(a, a), T.sigmoid(a));
    T.sum(b).backward();
    const e = x.data.map(Math.exp);
    const expected = Array.from(
      e,
      (v) => (2 * v + (1 / (1 + Math.exp(-v))) * (1 - 1 / (1 + Math.exp(-v)))) * v,
    );
    for (const [i, v] of expected.entries()) assert.ok(Math.abs(x.grad!.data[i]! - v) < 1e-5);
  });
  test("gradient seeds are not mutated and aliasing ops (reshape/add) stay correct", () => {
    const x = T.tensor([1, 2, 3, 4], [4], { requiresGrad: true });
    const y = T.add(T.reshape(x, [2, 2]), T.reshape(x, [2, 2]));
    const seed = T.tensor([1, 1, 1, 1], [2, 2]);
    y.backward(seed);
    assert.deepEqual(seed.toArray(), [1, 1, 1, 1]);
    assert.deepEqual(x.grad!.toArray(), [2, 2, 2, 2]);
  });
  test("noGrad records nothing and restores the mode after throwing", () => {
    const x = T.tensor([1], [1], { requiresGrad: true });
    const y = T.noGrad(() => T.mul(x, x));
    assert.equal(y.requiresGrad, false);
    assert.equal(y.node, null);
    assert.throws(() =>
      T.noGrad(() => {
        throw new Error("boom");
      }),
    );
    assert.equal(T.isGradEnabled(), true);
    assert.equal(T.mul(x, x).requiresGrad, true);
  });
  test("tensors that do not require grad get none; backward of a non-scalar needs a gradient", () => {
    const a = T.tensor([1, 2], [2], { requiresGrad: true });
    const b = T.tensor([3, 4], [2]);
    T.sum(T.mul(a, b)).backward();
    assert.deepEqual(a.grad!.toArray(), [3, 4]);
    assert.equal(b.grad, null);
    assert.throws(() => T.mul(a, b).backward(), KirchhoffError);
    assert.throws(() => T.mul(a, b).backward(T.zeros([3])), KirchhoffError);
  });
  test("the graph is freed after backward unless retainGraph; a second pass then fails clearly", () => {
    const x = T.tensor([1, 2], [2], { requiresGrad: true });
    const y = T.sum(T.exp(x));
    y.backward(undefined, { retainGraph: true });
    y.backward();
    const e = Array.from(x.data, Math.exp);
    assert.ok(Math.abs(x.grad!.data[1]! - 2 * e[1]!) < 1e-4);
    assert.throws(() => y.backward(), /already back-propagated and freed.*retainGraph/);
    assert.throws(
      () => T.noGrad(() => T.sum(T.exp(x))).backward(),
      (err: unknown) => err instanceof KirchhoffError && /does not require grad/.test(err.message),
    );
  });
  test("maximum/minimum split the gradient on ties like PyTorch", () => {
    const a = T.tensor([1, 2, 3], [3], { requiresGrad: true });
    const b = T.tensor([1, 5, 0], [3], { requiresGrad: true });
    T.sum(T.maximum(a, b)).backward();
    assert.deepEqual(a.grad!.toArray(), [0.5, 0, 1]);
    assert.deepEqual(b.grad!.toArray(), [0.5, 1, 0]);
  });
  test("a deep chain (10k ops) back-propagates without recursion limits", () => {
    const x = T.tensor([1], [1], { requiresGrad: true });
    let y = x;
    for (let i = 0; i < 10000; i++) y = T.addScalar(y, 0.001);
    T.sum(y).backward();
    assert.equal(x.grad!.item(), 1);
  });
});

describe("customOp", () => {
  test("straight-through rounding: forward rounds, backward passes the gradient", () => {
    const ste = (x: T.Tensor) => T.customOp("roundSte", [x], x.data.map(Math.round), x.shape, (g) => [g]);
    const x = T.tensor([0.2, 1.7, -0.6], [3], { requiresGrad: true });
    const y = ste(x);
    assert.deepEqual(y.toArray(), [0, 2, -1]);
    T.sum(T.mul(y, T.tensor([1, 2, 3], [3]))).backward();
    assert.deepEqual(x.grad!.toArray(), [1, 2, 3]);
  });
  test("a custom op with a real derivative passes the gradient check", () => {
    const cube = (x: T.Tensor) =>
      T.customOp(
        "cube",
        [x],
        x.data.map((v) => v ** 3),
        x.shape,
        (g) => [g.map((gv, i) => 3 * x.data[i]! ** 2 * gv)],
      );
    gradCheck("customOp cube", cube, [T.randn([3, 2], new Rng(1))]);
  });
  test("wrong output length or wrong gradient count is a shape error", () => {
    const x = T.tensor([1, 2], [2], { requiresGrad: true });
    assert.throws(() => T.customOp("bad", [x], new Float32Array(3), [2], (g) => [g]), KirchhoffError);
    const y = T.customOp("bad2", [x], new Float32Array(2), [2], () => []);
    assert.throws(() => T.sum(y).backward(), /number of returned gradients/);
    const z = T.customOp("bad3", [x], new Float32Array(2), [2], () => [new Float32Array(5)]);
    assert.throws(() => T.sum(z).backward(), /gradient length/);
  });
});
