/** Hardware-aware training of LSTM and GRU layers (HwaRecurrent): tiles per matrix, as AnalogLSTM / AnalogGRU. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Rng } from "../../src/core/index.js";
import { GRU, LSTM, Module } from "../../src/nn/index.js";
import { LstmKws } from "../../src/nn/zoo/index.js";
import { noGrad, sum, type Tensor, tensor } from "../../src/tensor/index.js";
import {
  fromHwa,
  HwaMatrix,
  type HwaRecurrent,
  hwaConfigFromPreset,
  hwaLayers,
  hwaPostStep,
  toHwa,
} from "../../src/train/index.js";
import { assertClose, assertNoiselessHwaIsDigital, noiseless } from "./fixtures.js";

/** Two stacked GRU layers (a 2-layer model exercises the per-layer matrices) and their last hidden state. */
class TinyGru extends Module {
  constructor(rng: Rng) {
    super();
    this.registerModule("gru", new GRU(5, 6, { rng, numLayers: 2 }));
  }
  forward(x: Tensor): Tensor {
    return this.child<GRU>("gru").forward(x).output;
  }
}

const seq = (n: number, t: number, i: number) =>
  tensor(
    new Float32Array(n * t * i).map((_, k) => Math.sin(k * 0.37)),
    [n, t, i],
  );
const kwsInput = seq(3, 49, 10);

describe("HwaRecurrent", () => {
  it("toHwa replaces LSTM and GRU layers, keeps the state-dict names, and fromHwa puts them back", () => {
    const m = new LstmKws(new Rng(1));
    const keys = [...m.stateDict().keys()];
    const layers = toHwa(m, hwaConfigFromPreset("hermes"), new Rng(2));
    assert.deepEqual(
      layers.map(([p, l]) => [p, l.constructor.name]),
      [
        ["lstm", "HwaRecurrent"],
        ["fc", "HwaLayer"],
      ],
    );
    for (const k of keys) assert.ok(m.stateDict().has(k), k);
    fromHwa(m);
    assert.ok(m.child("lstm") instanceof LSTM);
    assert.deepEqual([...m.stateDict().keys()], keys);
  });

  it("eval mode is the digital layer; training mode is noisy, fresh per call and seeded", () => {
    const digital = new LstmKws(new Rng(1)).eval();
    const ref = noGrad(() => digital.forward(kwsInput)).data;
    const make = () => {
      const m = new LstmKws(new Rng(1));
      toHwa(m, hwaConfigFromPreset("hermes"), new Rng(2));
      return m;
    };
    const m = make().eval();
    assert.deepEqual(noGrad(() => m.forward(kwsInput)).data, ref);
    m.train();
    const a = noGrad(() => m.forward(kwsInput)).data;
    const b = noGrad(() => m.forward(kwsInput)).data;
    assert.notDeepEqual(a, ref);
    assert.notDeepEqual(a, b);
    assert.deepEqual(noGrad(() => make().train().forward(kwsInput)).data, a);
  });

  it("without non-idealities the HWA forward and gradients equal the digital ones (2-layer GRU)", () => {
    assertNoiselessHwaIsDigital((rng) => new TinyGru(rng), seq(2, 4, 5));
  });

  it("draws each matrix's weight noise once per forward, not per time step", () => {
    const m = new TinyGru(new Rng(1));
    toHwa(m, hwaConfigFromPreset("hermes"), new Rng(2));
    const draw = HwaMatrix.prototype.draw;
    let draws = 0;
    HwaMatrix.prototype.draw = function (this: HwaMatrix, rng: Rng) {
      draws++;
      return draw.call(this, rng);
    };
    try {
      const y = m.forward(seq(2, 7, 5));
      assert.equal(draws, 4); // 2 layers × (input-to-hidden, hidden-to-hidden), over 7 steps
      sum(y).backward();
      const g = m.child<HwaRecurrent>("gru").getParameter("weight_hh_l1").grad!;
      assert.ok(g.data.some((v) => v !== 0) && g.data.every(Number.isFinite));
    } finally {
      HwaMatrix.prototype.draw = draw;
    }
  });

  it("per-tile remapping keeps the network function (eval) and folds back on fromHwa", () => {
    const x = seq(2, 4, 5);
    const m = new TinyGru(new Rng(1));
    m.eval();
    const ref = noGrad(() => m.forward(x)).data;
    toHwa(m, hwaConfigFromPreset("hermes", { ...noiseless, remap: "tile", maxInputSize: 3 }), new Rng(2));
    m.eval();
    hwaPostStep(m);
    const gru = m.child<HwaRecurrent>("gru");
    assert.ok(gru.matrices.every((l) => l.ih.tileScales.some((s) => s !== 1) && l.hh.tileScales.length > 1));
    assertClose(noGrad(() => m.forward(x)).data, ref, 1e-5);
    fromHwa(m);
    assert.ok(m.child("gru") instanceof GRU);
    assertClose(noGrad(() => m.forward(x)).data, ref, 1e-5);
  });

  it("clips every recurrent weight matrix after an optimiser step", () => {
    const m = new TinyGru(new Rng(1));
    const clip = { type: "fixed" as const, fixedValue: 0.05, sigma: 0 };
    toHwa(m, hwaConfigFromPreset("hermes", { ...noiseless, clip }), new Rng(2));
    assert.equal(hwaLayers(m).length, 1);
    hwaPostStep(m);
    const gru = m.child<HwaRecurrent>("gru");
    for (const [name, p] of gru.namedParameters()) {
      if (!name.startsWith("weight")) continue;
      assert.ok(
        p.data.every((v) => Math.abs(v) <= 0.05 + 1e-7),
        name,
      );
    }
  });
});
