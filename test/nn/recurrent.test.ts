import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Rng } from "../../src/core/index.js";
import { GRU, LSTM } from "../../src/nn/index.js";
import { add, mul, scale, sum, type Tensor, tensor } from "../../src/tensor/index.js";
import { assertClose, torchFixture } from "./helpers.js";

interface RecCase {
  kind: "lstm" | "gru";
  batchFirst: boolean;
  numLayers: number;
  inputShape: number[];
  x: number[];
  weights: Record<string, { shape: number[]; data: number[] }>;
  output: number[];
  h: number[];
  c?: number[];
  h0?: number[];
  c0?: number[];
  loss: number;
  gradX: number[];
  gradWeightHhL0: number[];
}

const cases = torchFixture<RecCase[]>("nn_recurrent.json");
const tol = { atol: 2e-5, rtol: 1e-4 };

describe("LSTM / GRU match torch.nn (weights loaded from PyTorch state dicts)", () => {
  for (const c of cases) {
    it(`${c.kind} layers=${c.numLayers} batchFirst=${c.batchFirst} ${c.h0 ? "with" : "without"} initial state`, () => {
      const opts = { rng: new Rng(0), numLayers: c.numLayers, batchFirst: c.batchFirst };
      const m = c.kind === "lstm" ? new LSTM(3, 4, opts) : new GRU(3, 4, opts);
      m.loadStateDict(
        new Map(
          Object.entries(c.weights).map(([k, w]) => [k, { data: Float32Array.from(w.data), shape: w.shape }]),
        ),
      );
      const x = tensor(c.x, c.inputShape, { requiresGrad: true });
      const [n, layers] = [c.batchFirst ? c.inputShape[0]! : c.inputShape[1]!, c.numLayers];
      const h0 = c.h0 ? tensor(c.h0, [layers, n, 4]) : undefined;
      let out: { output: Tensor; h: Tensor; c?: Tensor };
      if (m instanceof LSTM) out = m.forward(x, h0, c.c0 ? tensor(c.c0, [layers, n, 4]) : undefined);
      else out = m.forward(x, h0);
      const t = c.inputShape[c.batchFirst ? 1 : 0]!;
      assert.deepEqual(out.output.shape, c.batchFirst ? [n, t, 4] : [t, n, 4]);
      assert.deepEqual(out.h.shape, [layers, n, 4]);
      assertClose(out.output.data, c.output, { ...tol, what: "output" });
      assertClose(out.h.data, c.h, { ...tol, what: "h" });
      let loss = add(sum(mul(out.output, out.output)), sum(out.h));
      if (out.c) {
        assertClose(out.c.data, c.c!, { ...tol, what: "c" });
        loss = add(loss, scale(sum(out.c), 0.5));
      }
      assertClose([loss.item()], [c.loss], { ...tol, what: "loss" });
      loss.backward();
      assertClose(x.grad!.data, c.gradX, { ...tol, what: "dLoss/dx" });
      assertClose(m.getParameter("weight_hh_l0").grad!.data, c.gradWeightHhL0, {
        ...tol,
        what: "dLoss/dweight_hh_l0",
      });
    });
  }
});

describe("recurrent modules", () => {
  it("use PyTorch parameter names and shapes, initialised U(±1/√H) deterministically", () => {
    const lstm = new LSTM(5, 8, { rng: new Rng(3), numLayers: 2 });
    assert.deepEqual(
      lstm.namedParameters().map(([k, p]) => `${k}:${p.shape.join("x")}`),
      [
        "weight_ih_l0:32x5",
        "weight_hh_l0:32x8",
        "bias_ih_l0:32",
        "bias_hh_l0:32",
        "weight_ih_l1:32x8",
        "weight_hh_l1:32x8",
        "bias_ih_l1:32",
        "bias_hh_l1:32",
      ],
    );
    const bound = 1 / Math.sqrt(8);
    for (const p of lstm.parameters()) assert.ok(p.data.every((v) => Math.abs(v) <= bound));
    const again = new LSTM(5, 8, { rng: new Rng(3), numLayers: 2 });
    assert.deepEqual(Array.from(again.parameters()[4]!.data), Array.from(lstm.parameters()[4]!.data));
    const gru = new GRU(5, 6, { rng: new Rng(3), bias: false });
    assert.deepEqual(
      gru.namedParameters().map(([k, p]) => `${k}:${p.shape.join("x")}`),
      ["weight_ih_l0:18x5", "weight_hh_l0:18x6"],
    );
    assert.equal(lstm.describe(), "LSTM(5, 8, numLayers=2, bias=true, batchFirst=true)");
  });

  it("rejects wrong input and state shapes", () => {
    const lstm = new LSTM(3, 4, { rng: new Rng(1) });
    assert.throws(() => lstm.forward(tensor(new Float32Array(8), [2, 2, 2])), /LSTM: input \[N, T, I\]/);
    assert.throws(
      () => lstm.forward(tensor(new Float32Array(12), [2, 2, 3]), tensor(new Float32Array(4), [1, 1, 4])),
      /initial h0: expected \[1,2,4\]/,
    );
    assert.throws(() => new GRU(3, 0, { rng: new Rng(1) }), /hiddenSize/);
  });

  it("inter-layer dropout is active only in training", () => {
    const gru = new GRU(3, 4, { rng: new Rng(1), numLayers: 2, dropout: 0.5 });
    const x = tensor(
      Array.from({ length: 18 }, (_, i) => Math.sin(i)),
      [2, 3, 3],
    );
    const a = gru.forward(x).output.data;
    const b = gru.forward(x).output.data;
    assert.notDeepEqual(Array.from(a), Array.from(b));
    gru.eval();
    assert.deepEqual(Array.from(gru.forward(x).output.data), Array.from(gru.forward(x).output.data));
  });
});
