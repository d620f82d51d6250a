/**
 * The training-step fast paths must give the same numbers as the plain composition of ops: batchNorm's
 * branch-free activation mask (relu, relu6, with and without the fused residual), globalAvgPool2d through
 * backend channel sums and its copy-by-doubling backward, and buffers taken from the gradient pool without
 * zero-filling. Tensors are above the pooling threshold (16384 elements) and every case runs twice, so the
 * second pass gets recycled buffers still holding the first pass's values.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Rng } from "../../src/core/index.js";
import * as T from "../../src/tensor/index.js";

const randn = (shape: number[], seed: string, std = 1) =>
  T.randn(shape, new Rng(seed), std, { requiresGrad: true });

function assertClose(got: Float32Array, want: Float32Array, tol: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < got.length; i++) {
    const d = Math.abs(got[i]! - want[i]!);
    if (!(d <= tol * (1 + Math.abs(want[i]!))))
      assert.fail(`${what}[${i}]: got ${got[i]}, want ${want[i]} (tolerance ${tol})`);
  }
}

/** Gradients (x, gamma, beta, residual) of sum(w ⊙ f(...)) for a fixed random weighting w. */
function grads(fused: boolean, act: "relu" | "relu6", seed: string): Float32Array[] {
  const shape = [16, 12, 12, 16]; // 36,864 elements: pooled
  const x = randn(shape, `${seed}x`, 3);
  const res = randn(shape, `${seed}r`, 2);
  const gamma = randn([16], `${seed}g`);
  const beta = randn([16], `${seed}b`);
  const w = T.randn(shape, new Rng(`${seed}w`));
  let y: T.Tensor;
  if (fused) {
    y = T.batchNorm(x, gamma, beta, null, null, { training: true, act, residual: res });
  } else {
    const z = T.add(T.batchNorm(x, gamma, beta, null, null, { training: true }), res);
    y = act === "relu" ? T.relu(z) : T.relu6(z);
  }
  T.sum(T.mul(y, w)).backward();
  return [x, gamma, beta, res].map((t) => t.grad!.data.slice());
}

describe("training fast paths", () => {
  for (const act of ["relu", "relu6"] as const) {
    test(`batchNorm(act=${act}, residual) gradients equal batchNorm → add → ${act}, twice`, () => {
      for (let pass = 0; pass < 2; pass++) {
        const want = grads(false, act, act);
        const got = grads(true, act, act);
        ["x", "gamma", "beta", "residual"].forEach((name, i) => {
          assertClose(got[i]!, want[i]!, 2e-4, `pass ${pass} d${name}`);
        });
      }
    });
  }

  test("batchNorm masked gradient is exactly +0 where the ReLU was off and g where it was on", () => {
    const x = randn([4096, 8], "mx"); // 32,768 elements: pooled
    const y = T.batchNorm(x, null, null, null, null, {
      training: true,
      act: "relu",
      residual: randn([4096, 8], "mr"),
    });
    const g = T.randn([4096, 8], new Rng("mg"));
    g.data[0] = Number.POSITIVE_INFINITY; // a non-finite gradient must not leak through an inactive unit
    const res = y.node!.parents[1]!;
    y.backward(g);
    const gr = res.grad!.data;
    for (let i = 0; i < gr.length; i++) {
      const want = y.data[i]! > 0 ? g.data[i]! : 0;
      assert.ok(Object.is(gr[i], want), `residual grad [${i}]: got ${gr[i]}, want ${want}`);
    }
  });

  test("globalAvgPool2d equals mean over H, W; backward spreads g/(H·W), twice with recycled buffers", () => {
    for (let pass = 0; pass < 2; pass++) {
      const x = randn([12, 7, 5, 48], "gx"); // 20,160 elements, odd spatial size (35 = not a power of 2)
      const g = T.randn([12, 48], new Rng(`gg${pass}`));
      const y = T.globalAvgPool2d(x);
      assertClose(y.data, T.mean(x.detach(), [1, 2]).data, 1e-6, "forward");
      y.backward(g);
      const gx = x.grad!.data;
      for (let b = 0; b < 12; b++)
        for (let s = 0; s < 35; s++)
          for (let c = 0; c < 48; c++) {
            const want = Math.fround(g.data[b * 48 + c]! * (1 / 35));
            assert.equal(gx[(b * 35 + s) * 48 + c], want, `pass ${pass} dx[${b},${s},${c}]`);
          }
    }
  });
});
