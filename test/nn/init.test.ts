import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Rng } from "../../src/core/index.js";
import {
  calculateGain,
  fanInOut,
  kaimingNormal,
  kaimingUniform,
  torchDefaultInit,
  xavierNormal,
  xavierUniform,
} from "../../src/nn/index.js";
import { type Tensor, zeros } from "../../src/tensor/index.js";
import { assertClose } from "./helpers.js";

function moments(t: Tensor): { mean: number; std: number; maxAbs: number } {
  let s = 0;
  let s2 = 0;
  let maxAbs = 0;
  for (const v of t.data) {
    s += v;
    s2 += v * v;
    maxAbs = Math.max(maxAbs, Math.abs(v));
  }
  const mean = s / t.size;
  return { mean, std: Math.sqrt(s2 / t.size - mean * mean), maxAbs };
}

describe("initialisers", () => {
  it("fan-in/fan-out follow PyTorch for [out, in] and OHWI", () => {
    assert.deepEqual(fanInOut([20, 50]), { fanIn: 50, fanOut: 20 });
    assert.deepEqual(fanInOut([16, 3, 3, 8]), { fanIn: 72, fanOut: 144 });
    assert.throws(() => fanInOut([5]), /at least 2 dimensions/);
  });

  it("gains", () => {
    assert.equal(calculateGain("relu"), Math.SQRT2);
    assert.equal(calculateGain("tanh"), 5 / 3);
    assert.equal(calculateGain("linear"), 1);
    assertClose([calculateGain("leaky_relu", Math.sqrt(5))], [Math.sqrt(1 / 3)]);
  });

  // 64·3·3·32 = 18432 samples: the sample std is within ~1.5 % of the target with overwhelming probability.
  const shape = [64, 3, 3, 32];
  const fanIn = 288;
  const fanOut = 576;
  const cases: [string, (t: Tensor, r: Rng) => Tensor, number, number | null][] = [
    [
      "kaimingNormal relu fan_in",
      (t, r) => kaimingNormal(t, r, { nonlinearity: "relu" }),
      Math.sqrt(2 / fanIn),
      null,
    ],
    [
      "kaimingNormal relu fan_out",
      (t, r) => kaimingNormal(t, r, { nonlinearity: "relu", mode: "fan_out" }),
      Math.sqrt(2 / fanOut),
      null,
    ],
    [
      "kaimingUniform relu",
      (t, r) => kaimingUniform(t, r, { nonlinearity: "relu" }),
      Math.sqrt(2 / fanIn),
      Math.sqrt(6 / fanIn),
    ],
    [
      "kaimingUniform a=√5 (torch default)",
      (t, r) => kaimingUniform(t, r, { a: Math.sqrt(5) }),
      1 / Math.sqrt(3 * fanIn),
      1 / Math.sqrt(fanIn),
    ],
    [
      "xavierUniform",
      (t, r) => xavierUniform(t, r),
      Math.sqrt(2 / (fanIn + fanOut)),
      Math.sqrt(6 / (fanIn + fanOut)),
    ],
    ["xavierNormal gain 2", (t, r) => xavierNormal(t, r, 2), 2 * Math.sqrt(2 / (fanIn + fanOut)), null],
  ];
  for (const [name, init, std, bound] of cases) {
    it(`${name}: std ${std.toFixed(4)}${bound ? `, bound ${bound.toFixed(4)}` : ""}`, () => {
      const t = init(zeros(shape), new Rng(11));
      const m = moments(t);
      assert.ok(Math.abs(m.mean) < 0.05 * std, `mean ${m.mean}`);
      assertClose([m.std], [std], { rtol: 0.02, atol: 0, what: "std" });
      if (bound !== null) {
        assert.ok(m.maxAbs <= bound, `max |w| ${m.maxAbs} <= ${bound}`);
        assert.ok(m.maxAbs > 0.99 * bound, "fills the whole interval");
      } else {
        assert.ok(m.maxAbs > 3 * std, "normal tails present");
      }
      const again = init(zeros(shape), new Rng(11));
      assert.deepEqual(
        Array.from(again.data.subarray(0, 50)),
        Array.from(t.data.subarray(0, 50)),
        "same seed, same numbers",
      );
    });
  }

  it("torchDefaultInit bounds the bias by 1/√fanIn", () => {
    const w = zeros([10, 400]);
    const b = zeros([10]);
    torchDefaultInit(w, b, new Rng(1));
    assert.ok(b.data.every((v) => Math.abs(v) <= 0.05) && b.data.some((v) => v !== 0));
    assert.ok(moments(w).maxAbs <= 0.05);
  });
});
