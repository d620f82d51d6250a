/** Analog layers and model conversion: layouts, tiling, conversion round trips, program/drift determinism. */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  AnalogConv2d,
  AnalogDepthwiseConv2d,
  AnalogGRU,
  AnalogLinear,
  AnalogLSTM,
  AnalogRecurrent,
  analogConfig,
  analogLayers,
  drift,
  getPreset,
  program,
  toAnalog,
  toDigital,
} from "../../src/analog/index.js";
import { Rng } from "../../src/core/index.js";
import { Conv2d, DepthwiseConv2d, GRU, Linear, LSTM, ReLU, Sequential } from "../../src/nn/index.js";
import { randn, type Tensor, tensor } from "../../src/tensor/index.js";

const ideal = () => getPreset("ideal");
function maxDiff(a: Tensor, b: Tensor): number {
  assert.deepEqual([...a.shape], [...b.shape]);
  let m = 0;
  for (let i = 0; i < a.size; i++) m = Math.max(m, Math.abs(a.data[i]! - b.data[i]!));
  return m;
}

test("AnalogLinear with the ideal preset equals the digital layer in eval; tiles split 1000 inputs as [500, 500]", () => {
  const rng = new Rng(1);
  const lin = new Linear(1000, 70, { rng });
  const cfg = analogConfig({ ...ideal(), mapping: { maxInputSize: 512, maxOutputSize: 32 } });
  const a = AnalogLinear.fromDigital(lin, cfg, rng).eval();
  lin.eval();
  assert.deepEqual(a.array.inSizes, [500, 500]);
  assert.deepEqual(a.array.outSizes, [24, 23, 23]);
  const x = randn([5, 1000], rng);
  assert.ok(maxDiff(a.forward(x), lin.forward(x)) < 1e-4);
});

test("tiling: each tile has its own abs-max noise management and conductance scale; partial sums add in float", () => {
  const rng = new Rng(2);
  const cfg = analogConfig({
    forward: { outNoise: 0 },
    mapping: { maxInputSize: 3, maxOutputSize: 2 },
    noiseModel: { type: "ideal" },
  });
  const a = new AnalogLinear(6, 3, cfg, { rng, bias: true }).eval();
  assert.deepEqual(a.array.inSizes, [3, 3]);
  assert.deepEqual(a.array.outSizes, [2, 1]);
  const x = randn([4, 6], rng);
  x.data[0] = 20; // a large input in block 0 must not coarsen block 1's DAC (per-tile NM)
  const y = a.forward(x);
  const W = a.weight.data;
  const b = a.bias!.data;
  const step = 1 / 63;
  const q = (v: number) => Math.round(v / step) * step;
  const qo = (v: number) => Math.round(v / (24 / 510)) * (24 / 510);
  for (let n = 0; n < 4; n++) {
    for (let o = 0; o < 3; o++) {
      let acc = b[o]!;
      for (const j0 of [0, 3]) {
        const xs = Array.from(x.data.subarray(n * 6 + j0, n * 6 + j0 + 3));
        const nm = Math.max(...xs.map(Math.abs));
        let s = 0;
        for (let j = 0; j < 3; j++) s += W[o * 6 + j0 + j]! * q(xs[j]! / nm);
        acc += qo(s) * nm;
      }
      assert.ok(Math.abs(y.data[n * 3 + o]! - acc) < 2e-5, `y[${n},${o}] = ${y.data[n * 3 + o]} vs ${acc}`);
    }
  }
});

test("AnalogConv2d: tile matrix is [C_out, C_in·kh·kw] in (c, ki, kj) order and eval equals digital (ideal)", () => {
  const rng = new Rng(3);
  const conv = new Conv2d(3, 4, [3, 2], { rng, stride: 2, padding: 1 });
  const a = AnalogConv2d.fromDigital(conv, ideal(), rng).eval();
  conv.eval();
  const tile = a.arrays[0]!.tiles[0]![0]!;
  assert.equal(tile.inSize, 3 * 3 * 2);
  const w = conv.weight.data; // OHWI [4, 3, 2, 3]
  for (let o = 0; o < 4; o++)
    for (let c = 0; c < 3; c++)
      for (let ki = 0; ki < 3; ki++)
        for (let kj = 0; kj < 2; kj++) {
          assert.equal(tile.reference[o * 18 + c * 6 + ki * 2 + kj], w[((o * 3 + ki) * 2 + kj) * 3 + c]);
        }
  const x = randn([2, 7, 6, 3], rng);
  assert.ok(maxDiff(a.forward(x), conv.forward(x)) < 1e-5);
  const dw = new DepthwiseConv2d(5, 3, { rng, padding: "same", depthMultiplier: 2 });
  const adw = AnalogConv2d.fromDigital(dw, ideal(), rng).eval();
  dw.eval();
  assert.equal(adw.arrays.length, 5);
  assert.equal(new AnalogDepthwiseConv2d(5, [3, 3], ideal(), { rng, depthMultiplier: 2 }).outChannels, 10);
  const x2 = randn([2, 6, 6, 5], rng);
  assert.ok(maxDiff(adw.forward(x2), dw.forward(x2)) < 1e-5);
  // wide layers: several row chunks (im2col → periphery per chunk), dense and depthwise
  const wide = new Conv2d(64, 8, 3, { rng, padding: 1 }).eval();
  const dwWide = new DepthwiseConv2d(64, 3, { rng, padding: 1 }).eval();
  const x3 = randn([2, 10, 10, 64], rng);
  assert.ok(
    maxDiff(AnalogConv2d.fromDigital(wide, ideal(), rng).eval().forward(x3), wide.forward(x3)) < 1e-4,
  );
  assert.ok(
    maxDiff(AnalogConv2d.fromDigital(dwWide, ideal(), rng).eval().forward(x3), dwWide.forward(x3)) < 1e-5,
  );
});

test("AnalogConv2d with a quantising periphery: chunked rows match an unchunked per-vector reference", () => {
  const rng = new Rng(12);
  const cfg = analogConfig({
    forward: { outNoise: 0 },
    noiseModel: { type: "ideal" },
    mapping: { maxInputSize: null },
  });
  const conv = new Conv2d(64, 4, 3, { rng, padding: 1 }).eval();
  const a = AnalogConv2d.fromDigital(conv, cfg, rng).eval();
  const x = randn([1, 12, 12, 64], rng);
  const saved = AnalogConv2d.chunkFloats;
  AnalogConv2d.chunkFloats = 50 * 576; // 144 output pixels in chunks of 50 (the last one partial)
  let y: ReturnType<typeof a.forward>;
  try {
    y = a.forward(x);
  } finally {
    AnalogConv2d.chunkFloats = saved;
  }
  // reference: each output pixel's patch quantised with its own abs-max (7-bit DAC, 9-bit ADC), exact zeros elsewhere
  const tile = a.arrays[0]!.tiles[0]!;
  const ref = new AnalogLinear(576, 4, cfg, { rng, bias: true }).eval();
  ref.weight.data.set(tile[0]!.reference);
  ref.bias!.data.set(conv.bias!.data);
  ref.syncTiles();
  const patches = new Float32Array(144 * 576);
  for (let oh = 0; oh < 12; oh++)
    for (let ow = 0; ow < 12; ow++)
      for (let c = 0; c < 64; c++)
        for (let ki = 0; ki < 3; ki++)
          for (let kj = 0; kj < 3; kj++) {
            const ih = oh + ki - 1;
            const iw = ow + kj - 1;
            const v = ih < 0 || ih >= 12 || iw < 0 || iw >= 12 ? 0 : x.data[(ih * 12 + iw) * 64 + c]!;
            patches[(oh * 12 + ow) * 576 + c * 9 + ki * 3 + kj] = v;
          }
  const yr = ref.forward(tensor(patches, [144, 576]));
  for (let i = 0; i < y.size; i++) assert.ok(Math.abs(y.data[i]! - yr.data[i]!) < 1e-5, `y[${i}]`);
});

test("AnalogLSTM / AnalogGRU (ideal) equal the digital recurrent layers in eval", () => {
  for (const Kind of [LSTM, GRU]) {
    const rng = new Rng(4);
    const d = new Kind(5, 6, { rng, numLayers: 2 }).eval();
    const a = AnalogRecurrent.fromDigital(d, ideal(), rng).eval();
    assert.ok(a instanceof (Kind === LSTM ? AnalogLSTM : AnalogGRU));
    const x = randn([3, 4, 5], rng);
    const yd = d.forward(x);
    const ya = a.forward(x);
    assert.ok(maxDiff(ya.output, yd.output) < 1e-5, Kind.name);
    assert.ok(maxDiff(ya.h, yd.h) < 1e-5, Kind.name);
  }
});

test("toAnalog / toDigital round trip; program + drift is seeded, noisy, and restarts from the programmed state", () => {
  const build = () =>
    new Sequential([
      new Conv2d(2, 4, 3, { rng: new Rng(5), padding: 1 }),
      new ReLU(),
      new Linear(4, 3, { rng: new Rng(6) }),
    ]);
  const digital = build().eval();
  const x = randn([2, 3, 3, 2], new Rng(7));
  const run = (seed: number) => {
    const m = toAnalog(build(), getPreset("hermes"), { rng: new Rng(seed) }).eval();
    assert.equal(analogLayers(m).length, 2);
    program(m, new Rng(seed));
    drift(m, 86400, new Rng(seed));
    return m;
  };
  const m1 = run(9);
  const m2 = run(9);
  const head = (m: Sequential) => m.child("2");
  const feat = (m: Sequential) => m.child<Conv2d>("0").forward(x);
  assert.deepEqual(Array.from(feat(m1).data), Array.from(feat(m2).data));
  const dOut = digital.child<Conv2d>("0").forward(x);
  const diff = maxDiff(feat(m1), dOut);
  let e2 = 0;
  let s2 = 0;
  for (let i = 0; i < dOut.size; i++) {
    e2 += (feat(m1).data[i]! - dOut.data[i]!) ** 2;
    s2 += dOut.data[i]! ** 2;
  }
  assert.ok(
    diff > 1e-3 && Math.sqrt(e2 / s2) < 0.3,
    `analog vs digital: max diff ${diff}, rel rms ${Math.sqrt(e2 / s2)}`,
  );
  assert.ok(head(m1) instanceof AnalogLinear);
  const back = toDigital(m1);
  assert.ok(back.child("0") instanceof Conv2d && !(back.child("0") instanceof AnalogConv2d));
  assert.deepEqual(
    Array.from(back.child<Conv2d>("0").weight.data),
    Array.from(digital.child<Conv2d>("0").weight.data),
  );
  assert.throws(() => drift(digital, 1, new Rng(1)), /no analog layers/);
});

test("training mode uses the digital weights unless trainingForward = 'analog' (straight-through gradients)", () => {
  const rng = new Rng(8);
  const lin = new Linear(8, 4, { rng });
  const a = AnalogLinear.fromDigital(lin, getPreset("aihwkit-default"), rng).train();
  const x = randn([3, 8], rng);
  assert.ok(maxDiff(a.forward(x), lin.forward(x)) < 1e-6);
  a.trainingForward = "analog";
  const y = a.forward(x);
  assert.ok(maxDiff(y, lin.forward(x)) > 1e-4);
  y.backward(randn([3, 4], rng));
  assert.ok(a.weight.grad !== null);
});

test("a NaN input reaches the outputs of its sample (HERMES periphery), as in the digital model", () => {
  // zeros around the NaN (ReLU, padding) would make its vectors look like exact-zero vectors, whose outputs
  // are zero: the NaN must not become a number on the way
  const build = () =>
    new Sequential([
      new Conv2d(1, 16, 3, { rng: new Rng(5), padding: 1 }),
      new ReLU(),
      new DepthwiseConv2d(16, 3, { rng: new Rng(6), padding: 1 }),
      new ReLU(),
      new Conv2d(16, 4, 1, { rng: new Rng(7) }),
    ]);
  const x = tensor(new Float32Array(2 * 5 * 5), [2, 5, 5, 1]);
  x.data[12] = Number.NaN; // sample 0, the centre pixel; sample 1 all zero
  const digital = build().eval().forward(x);
  const m = toAnalog(build(), getPreset("hermes"), { rng: new Rng(8) }).eval();
  program(m, new Rng(9));
  drift(m, 86400, new Rng(10));
  const y = m.forward(x);
  const nans = (t: Tensor, from: number, to: number) => t.data.subarray(from, to).filter(Number.isNaN).length;
  const half = y.size / 2;
  assert.equal(nans(digital, 0, half), nans(y, 0, half), "sample 0: NaN outputs, digital vs analog");
  assert.ok(nans(y, 0, half) > 0, "sample 0 has NaN outputs");
  assert.equal(nans(y, half, y.size), 0, "sample 1 stays finite");
});

test("program rejects a NaN or infinite weight with an error naming the layer and the element", () => {
  for (const bad of [Number.NaN, Number.NEGATIVE_INFINITY]) {
    const conv = new Conv2d(2, 3, 3, { rng: new Rng(5), padding: 1 });
    conv.weight.data[7] = bad; // OHWI [0, 1, 0, 1]: tile column (c, ki, kj) = (1, 1, 0) → 1·9 + 3 = 12
    const m = toAnalog(new Sequential([conv]), getPreset("hermes"), { rng: new Rng(8) });
    assert.throws(
      () => program(m, new Rng(9)),
      (e: unknown) =>
        e instanceof Error &&
        /AnalogConv2d\(2, 3, .*\.program: weight \[0, 12\] \(of 3×18, tile order\) is (NaN|-Infinity): expected a finite weight/.test(
          e.message,
        ),
    );
    assert.throws(() => drift(m, 1, new Rng(9)), /expected a finite weight/); // drift programs first
  }
});
