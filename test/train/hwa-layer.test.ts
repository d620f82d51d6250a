import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Rng } from "../../src/core/index.js";
import { Conv2d, Linear } from "../../src/nn/index.js";
import { noGrad, type Tensor, tensor } from "../../src/tensor/index.js";
import {
  distillKl,
  fromHwa,
  HwaLayer,
  hwaConfigFromPreset,
  hwaLayers,
  hwaPostStep,
  tileAbsMax,
  toHwa,
} from "../../src/train/index.js";
import { assertClose, assertNoiselessHwaIsDigital, noiseless, TinyMlp } from "./fixtures.js";

const x = tensor(
  new Float32Array(4 * 8).map((_, i) => Math.sin(i * 0.7)),
  [4, 8],
);
function out(m: TinyMlp, input: Tensor): Float32Array {
  return noGrad(() => m.forward(input)).data;
}

describe("HwaLayer", () => {
  it("eval mode is the digital layer; training mode is noisy, fresh per call and seeded", () => {
    const digital = new TinyMlp(new Rng(1));
    digital.eval();
    const ref = out(digital, x);
    const make = () => {
      const m = new TinyMlp(new Rng(1));
      toHwa(m, hwaConfigFromPreset("hermes"), new Rng(2));
      return m;
    };
    const m = make();
    m.eval();
    assert.deepEqual(out(m, x), ref);
    m.train();
    const a = out(m, x);
    const b = out(m, x);
    assert.notDeepEqual(a, ref);
    assert.notDeepEqual(a, b);
    const m2 = make();
    m2.train();
    assert.deepEqual(out(m2, x), a);
  });

  it("without non-idealities the HWA forward and gradients equal the digital ones", () => {
    assertNoiselessHwaIsDigital((rng) => new TinyMlp(rng), x);
  });

  it("per-tile remapping keeps the network function and folds back on fromHwa", () => {
    const m = new TinyMlp(new Rng(1));
    m.eval();
    const ref = out(m, x);
    toHwa(m, hwaConfigFromPreset("hermes", { ...noiseless, remap: "tile", maxInputSize: 4 }), new Rng(2));
    m.eval();
    hwaPostStep(m);
    const l = hwaLayers(m)[0] as HwaLayer;
    assert.equal(l.grid.colRanges.length, 2);
    assert.deepEqual([...tileAbsMax(l.getParameter("weight").data, l.grid)], [1, 1]);
    assert.ok(l.tileScales.some((s) => s !== 1));
    assertClose(out(m, x), ref, 1e-5);
    fromHwa(m);
    assert.ok(m.child("fc1") instanceof Linear);
    assertClose(out(m, x), ref, 1e-5);
  });

  it("wraps convolutions with their stride, padding and groups", () => {
    const conv = new Conv2d(4, 4, 3, { rng: new Rng(1), stride: 2, padding: 1, groups: 2 });
    const layer = new HwaLayer(conv, hwaConfigFromPreset("hermes", noiseless), new Rng(3));
    // every group has its own tiles (as AnalogConv2d maps them): 2 row bands of 2 output channels
    assert.deepEqual(layer.grid.rowRanges, [
      [0, 2],
      [2, 4],
    ]);
    const img = tensor(
      new Float32Array(2 * 6 * 6 * 4).map((_, i) => Math.cos(i)),
      [2, 6, 6, 4],
    );
    const a = noGrad(() => conv.forward(img));
    const b = noGrad(() => layer.forward(img));
    assert.deepEqual([...b.shape], [...a.shape]);
    assertClose(a.data, b.data, 1e-5);
  });
});

describe("distillation", () => {
  it("KL is zero for identical logits, positive otherwise, and pulls the student towards the teacher", () => {
    const t = new Float32Array([2, 0, -1, 0.5, 0.5, 3]);
    assert.ok(Math.abs(distillKl(tensor(t, [2, 3]), t, 2).item()) < 1e-6);
    const s = tensor([0, 0, 0, 0, 0, 0], [2, 3], { requiresGrad: true });
    const kl = distillKl(s, t, 2);
    assert.ok(kl.item() > 0.01);
    kl.backward();
    // gradient descent raises the student's logit where the teacher's is largest
    assert.ok(s.grad!.data[0]! < 0 && s.grad!.data[5]! < 0);
  });
});
