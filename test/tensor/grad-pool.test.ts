/**
 * Recycled backward buffers (src/tensor/grad-pool.ts) must never change results: tensors here are above
 * the pooling threshold (16384 elements) so every backward pass reuses buffers of the previous one.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Rng } from "../../src/core/index.js";
import * as T from "../../src/tensor/index.js";

const r = (shape: number[], seed: string, std = 1) =>
  T.randn(shape, new Rng(seed), std, { requiresGrad: true });

/** A small residual conv net step touching most ops with pooled gradients; returns copies of all grads. */
function step(params: T.Tensor[], x: T.Tensor): Float32Array[] {
  const [w1, g1, b1, w2, wl] = params as [T.Tensor, T.Tensor, T.Tensor, T.Tensor, T.Tensor];
  for (const p of params) p.zeroGrad();
  x.zeroGrad();
  const h = T.batchNorm(T.conv2d(x, w1, null, { padding: "same" }), g1, b1, null, null, {
    training: true,
    act: "relu",
  });
  const h2 = T.add(T.conv2d(h, w2, null, { padding: 1 }), x); // x reaches the loss through two paths
  const m = T.mul(T.sigmoid(h2), T.tanh(h2));
  const pooled = T.concat([T.globalAvgPool2d(m), T.reshape(T.mean(T.maxPool2d(m, 2), [1, 2]), [8, 16])], 1);
  const loss = T.crossEntropy(T.linear(pooled, wl), Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7]));
  loss.backward();
  return [...params, x].map((p) => p.grad!.data.slice());
}

describe("gradient buffer recycling", () => {
  test("repeated steps give bit-identical gradients; leaf .grad arrays are never reused", () => {
    const x = r([8, 16, 16, 16], "x");
    const params = [
      r([16, 3, 3, 16], "w1", 0.1),
      r([16], "g1"),
      r([16], "b1"),
      r([16, 3, 3, 16], "w2", 0.1),
      r([8, 32], "wl"),
    ];
    T.setGradPooling(false); // reference: every buffer fresh
    const first = step(params, x);
    T.setGradPooling(true);
    step(params, x); // fills the pool
    const xGrad = x.grad!;
    const xGradCopy = xGrad.data.slice();
    for (let i = 0; i < 3; i++) {
      x.grad = xGrad; // keep a leaf gradient alive across later passes: it must not be recycled
      const again = step(params, x);
      assert.deepEqual(xGrad.data, xGradCopy, "a previous leaf gradient was overwritten");
      for (let k = 0; k < first.length; k++)
        assert.deepEqual(again[k], first[k], `gradient ${k} changed on pass ${i + 2}`);
    }
  });
  test("summed gradient contributions are exact float32 sums (backend path and JS tail lengths)", () => {
    // 32768 elements take the backend sum (channelAffine with a residual); 16385 the JS loop.
    for (const n of [32768, 16385]) {
      const x = r([n], `x${n}`);
      const a = T.randn([n], new Rng(`a${n}`));
      const b = T.randn([n], new Rng(`b${n}`));
      const loss = () => T.sum(T.add(T.mul(x, a), T.mul(x, b))); // x reaches the loss through two paths
      x.zeroGrad();
      loss().backward();
      loss().backward(); // accumulates into the existing leaf .grad
      const g = x.grad!.data;
      for (let i = 0; i < n; i++) {
        const once = Math.fround(a.data[i]! + b.data[i]!);
        assert.ok(Object.is(g[i], Math.fround(once + once)), `n=${n} grad[${i}] = ${g[i]}`);
      }
    }
  });
  test("shared gradients (add of a tensor with itself, reshape views) stay correct under reuse", () => {
    const x = r([128, 256], "x");
    for (let i = 0; i < 3; i++) {
      x.zeroGrad();
      const y = T.add(T.reshape(x, [256, 128]), T.reshape(x, [256, 128]));
      T.sum(T.mul(y, y)).backward(); // d/dx (2x)² summed = 8x
      const g = x.grad!.data;
      for (let k = 0; k < g.length; k += 997) assert.ok(Math.abs(g[k]! - 8 * x.data[k]!) < 1e-4);
    }
  });
});
