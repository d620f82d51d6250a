import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Rng } from "../../src/core/index.js";
import { createModel, SGD } from "../../src/nn/index.js";
import { batchNorm, conv2d, crossEntropy, reshape, type Tensor, tensor } from "../../src/tensor/index.js";

/** Weights of `model` after `steps` SGD steps on fixed data, with or without activation recycling. */
function train(release: boolean, steps: number): Float32Array[] {
  const rng = new Rng(7);
  const model = createModel("dscnn", {}, rng.fork("init"));
  model.train();
  const x = tensor(rng.fillNormal(new Float32Array(4 * 49 * 10)), [4, 49, 10, 1]);
  const y = new Int32Array([0, 3, 5, 11]);
  const opt = new SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
  for (let s = 0; s < steps; s++) {
    opt.zeroGrad();
    const loss = crossEntropy(model.forward(x), y);
    loss.backward(undefined, { releaseActivations: release });
    opt.step();
  }
  return model.parameters().map((p) => p.data.slice());
}

describe("backward({ releaseActivations })", () => {
  it("training with recycled activations gives bit-identical weights", () => {
    const a = train(false, 4);
    const b = train(true, 4);
    assert.equal(a.length, b.length);
    for (let i = 0; i < a.length; i++) assert.deepEqual(b[i], a[i], `parameter ${i}`);
  });

  it("empties the graph's intermediate activations, keeps the root, leaves and their grads", () => {
    const rng = new Rng(1);
    // 2·32·32·8 = 16,384 outputs: the smallest activation that is recycled
    const x = tensor(rng.fillNormal(new Float32Array(2 * 32 * 32 * 3)), [2, 32, 32, 3]);
    const w = tensor(rng.fillNormal(new Float32Array(8 * 3 * 3 * 3)), [8, 3, 3, 3], { requiresGrad: true });
    const h = conv2d(x, w, null, { padding: "same" });
    const z = batchNorm(h, null, null, null, null, { training: true });
    const view = reshape(z, [2 * 1024, 8]); // shares z's storage
    const loss = crossEntropy(view, new Int32Array(2048).fill(1));
    const xData = x.data;
    loss.backward(undefined, { releaseActivations: true });
    assert.equal(h.data.length, 0, "conv output released");
    assert.equal(z.data.length, 0, "batch-norm output released");
    assert.equal(view.data.length, 0, "a view of it is emptied too");
    assert.equal(loss.data.length, 1, "root kept");
    assert.equal(x.data, xData, "input leaf untouched");
    assert.equal(w.grad?.data.length, w.size, "leaf gradient present");
  });

  it("keeps an activation the root aliases, and does nothing without the flag or with retainGraph", () => {
    const rng = new Rng(2);
    const x = tensor(rng.fillNormal(new Float32Array(1 * 128 * 128 * 1)), [1, 128, 128, 1]);
    const w = tensor(rng.fillNormal(new Float32Array(1)), [1, 1, 1, 1], { requiresGrad: true });
    const h = conv2d(x, w);
    const root: Tensor = reshape(h, [128 * 128]);
    root.backward(tensor(new Float32Array(128 * 128).fill(1), [128 * 128]), { releaseActivations: true });
    assert.equal(h.data.length, 128 * 128, "storage shared with the root stays");
    const h2 = conv2d(x, w);
    const l2 = crossEntropy(reshape(h2, [128, 128]), new Int32Array(128));
    l2.backward(undefined, { retainGraph: true, releaseActivations: true });
    assert.equal(h2.data.length, 128 * 128);
    const h3 = conv2d(x, w);
    crossEntropy(reshape(h3, [128, 128]), new Int32Array(128)).backward();
    assert.equal(h3.data.length, 128 * 128);
  });
});
