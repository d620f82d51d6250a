/**
 * Grouped (depthwise) convolutions on crossbars: every group on its own tile array (perGroup, default) or
 * several groups per tile on its diagonal (blockDiagonal), whose zero devices are programmed like any other
 * and whose groups share the tile's periphery.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type AnalogConfig,
  AnalogConv2d,
  analogConfig,
  depthwiseToDigital,
  getPreset,
  toAnalog,
  toDigital,
} from "../../src/analog/index.js";
import { Rng } from "../../src/core/index.js";
import { countTiles, type LayerSpec } from "../../src/nas/index.js";
import { Conv2d, DepthwiseConv2d, Sequential } from "../../src/nn/index.js";
import { noGrad, randn, tensor } from "../../src/tensor/index.js";

function withTiles(preset: string, mode: "perGroup" | "blockDiagonal", mapping = {}): AnalogConfig {
  const b = getPreset(preset);
  return analogConfig({ ...b, mapping: { ...b.mapping, groupedConvTiles: mode, ...mapping } });
}

test("blockDiagonal puts the groups on the fewest tiles that hold them, spread evenly", () => {
  const shape = (l: AnalogConv2d) => [l.tileGroups, l.arrays[0]!.outSize, l.arrays[0]!.inSize];
  const dw = (c: number, cfg: AnalogConfig, mult = 1) =>
    AnalogConv2d.fromDigital(
      new DepthwiseConv2d(c, [3, 3], { rng: new Rng(1), depthMultiplier: mult }),
      cfg,
      new Rng(2),
    );
  // 64 channels × 9 inputs: at most 28 per 256-input tile, so 3 tiles of 22 channel slots (2 unused)
  assert.deepEqual(shape(dw(64, withTiles("hermes", "blockDiagonal"))), [3, 22, 198]);
  assert.deepEqual(shape(dw(64, withTiles("hermes", "perGroup"))), [64, 1, 9]);
  assert.deepEqual(shape(dw(64, withTiles("aihwkit-default", "blockDiagonal"))), [2, 32, 288]); // 512 inputs
  assert.deepEqual(shape(dw(64, withTiles("hermes", "blockDiagonal", { maxInputSize: null }))), [1, 64, 576]);
  // depth multiplier 3: 16 columns hold 5 channels' 3 outputs → 13 tiles of 5 channel slots (1 unused)
  assert.deepEqual(
    shape(dw(64, withTiles("hermes", "blockDiagonal", { maxOutputSize: 16 }), 3)),
    [13, 15, 45],
  );
  // the search counts the tiles the same way
  for (const [c, mult, maxOut] of [
    [64, 1, 256],
    [64, 3, 16],
    [96, 1, 256],
    [130, 2, 256],
  ] as const) {
    const l = dw(
      c,
      withTiles("hermes", "blockDiagonal", { maxOutputSize: maxOut, maxInputSize: maxOut }),
      mult,
    );
    const layer: LayerSpec = {
      ...{ kind: "conv", name: "dw", inChannels: c, outChannels: c * mult, kernelH: 3, kernelW: 3 },
      ...{ stride: [1, 1], groups: c, bias: true, outH: 8, outW: 8 },
    };
    assert.equal(countTiles([layer], maxOut), l.tileCount(), `${c}×${mult}`);
  }
  // a group that fills a tile alone stays per group
  const wide = new Conv2d(64, 64, [3, 3], { rng: new Rng(1), groups: 2 });
  const l = AnalogConv2d.fromDigital(wide, withTiles("hermes", "blockDiagonal"), new Rng(2));
  assert.deepEqual([l.tileGroups, l.arrays[0]!.outSize, l.arrays[0]!.inSize], [2, 32, 288]);
});

test("a packed tile holds each group's matrix on its diagonal and programmed zeros elsewhere", () => {
  // 4 groups of 2 input channels and 3 outputs (3×3): 2 groups per tile of [6, 36]
  const conv = new Conv2d(8, 12, [3, 3], { rng: new Rng(3), groups: 4 });
  const packed = AnalogConv2d.fromDigital(
    conv,
    withTiles("hermes", "blockDiagonal", { maxInputSize: 40 }),
    new Rng(4),
  );
  const single = AnalogConv2d.fromDigital(conv, withTiles("hermes", "perGroup"), new Rng(4));
  assert.equal(packed.tileGroups, 2);
  for (let t = 0; t < 2; t++) {
    const w = packed.arrays[t]!.tiles[0]![0]!.reference; // tile units (per-output scaled)
    for (let j = 0; j < 2; j++) {
      const g = single.arrays[2 * t + j]!.tiles[0]![0]!.reference;
      for (let o = 0; o < 3; o++)
        for (let i = 0; i < 36; i++) {
          const v = w[(3 * j + o) * 36 + i]!;
          const inBlock = i >= 18 * j && i < 18 * (j + 1);
          assert.equal(v, inBlock ? g[o * 18 + i - 18 * j]! : 0, `tile ${t}, group ${j}, [${o}, ${i}]`);
        }
    }
  }
  // programmed: the zero devices carry PCM programming noise (none on an ideal device)
  packed.program(new Rng(5));
  const w = packed.arrays[0]!.tiles[0]![0]!.weights;
  const off = Array.from({ length: 36 }, (_, i) => w[i + 36 * 0]!).slice(18); // row 0, the other group's columns
  assert.ok(
    off.some((v) => v !== 0),
    "zero devices programmed with noise",
  );
  const ideal = AnalogConv2d.fromDigital(
    conv,
    withTiles("ideal", "blockDiagonal", { maxInputSize: 40 }),
    new Rng(4),
  );
  ideal.program(new Rng(5));
  assert.ok(ideal.arrays[0]!.tiles[0]![0]!.weights.slice(18, 36).every((v) => v === 0));
});

test("without noise or quantisation both mappings compute the digital convolution", () => {
  // hermes with its periphery and device made ideal: the fused tile kernels (ideal: the reference path)
  const b = getPreset("hermes");
  const quiet = {
    ...b,
    forward: { ...b.forward, outNoise: 0, outRes: 0, inpRes: 0 },
    noiseModel: { type: "ideal" },
  };
  // 80 inputs hold 8 depthwise channels of 9 inputs: 24 channels on 3 full tiles, 22 on 3 tiles of 8 slots
  // (2 unused); 10 groups of 2 input channels (18 inputs each) fit 4 to a tile: 3 tiles of 4 slots (2 unused)
  for (const [channels, groups] of [
    [24, 24],
    [22, 22],
    [20, 10],
  ] as const) {
    const dw =
      groups === channels
        ? new DepthwiseConv2d(channels, [3, 3], { rng: new Rng(6), depthMultiplier: 2 })
        : new Conv2d(channels, 2 * channels, [3, 3], { rng: new Rng(6), groups });
    noGrad(() => dw.bias!.data.set(randn([2 * channels], new Rng(9)).data));
    const x = randn([2, 7, 6, channels], new Rng(7));
    const digital = noGrad(() => dw.forward(x));
    const want = digital.data;
    for (const preset of ["ideal", quiet] as const)
      for (const mode of ["perGroup", "blockDiagonal"] as const) {
        const base = typeof preset === "string" ? getPreset(preset) : analogConfig(preset);
        const cfg = analogConfig({
          ...base,
          mapping: { ...base.mapping, groupedConvTiles: mode, maxInputSize: 80 },
        });
        const l = AnalogConv2d.fromDigital(dw, cfg, new Rng(8)).eval();
        assert.equal(l.tileGroups, mode === "perGroup" ? groups : 3);
        const y = noGrad(() => l.forward(x));
        assert.deepEqual(y.shape, digital.shape);
        for (let i = 0; i < y.data.length; i++) {
          const [got, exp] = [y.data[i]!, want[i]!];
          assert.ok(
            Math.abs(got - exp) <= 1e-5 * (1 + Math.abs(exp)),
            `${channels}, ${mode}, ${i}: ${got} vs ${exp}`,
          );
        }
      }
  }
});

test("the channels of a packed tile share its noise management; per-group tiles do not", () => {
  // an 8-bit DAC with abs-max NM, no ADC quantisation or noise, unprogrammed tiles: a large input on channel 0 coarsens the DAC of
  // channel 1 only where both sit on one tile
  const quiet = (mode: "perGroup" | "blockDiagonal") => {
    const b = withTiles("hermes", mode);
    return analogConfig({
      ...b,
      forward: { ...b.forward, outNoise: 0, outRes: 0 },
      noiseModel: { type: "ideal" },
    });
  };
  const dw = new DepthwiseConv2d(2, [1, 1], { rng: new Rng(9), bias: false });
  dw.weight.data.set([1, 1]);
  const x = (big: number) => tensor(Float32Array.from([big, 0.0123, big, 0.0456]), [1, 1, 2, 2]);
  for (const mode of ["perGroup", "blockDiagonal"] as const) {
    const l = AnalogConv2d.fromDigital(dw, quiet(mode), new Rng(10)).eval();
    const small = noGrad(() => l.forward(x(0.02))).data;
    const large = noGrad(() => l.forward(x(1))).data;
    const ch1 = [small[1]!, small[3]!, large[1]!, large[3]!];
    if (mode === "perGroup") assert.deepEqual(ch1.slice(2), ch1.slice(0, 2), "own scale per channel");
    else {
      assert.notDeepEqual(ch1.slice(2), ch1.slice(0, 2), "shared scale");
      // abs-max 1 over 254 levels: 0.0123 and 0.0456 quantise to 2 and 6 levels of 1/127
      for (const [v, levels] of [
        [large[1]!, 2],
        [large[3]!, 6],
      ] as const)
        assert.ok(Math.abs(v - levels / 127) < 1e-6, `${v}`);
    }
  }
});

test("a packed depthwise layer converts back to the same digital layer and can go to the digital units", () => {
  const model = new Sequential([new DepthwiseConv2d(16, [3, 3], { rng: new Rng(11), depthMultiplier: 1 })]);
  const before = Float32Array.from(model.stateDict().get("0.weight")!.data);
  const analog = toAnalog(model, withTiles("hermes", "blockDiagonal"), { rng: new Rng(12) });
  assert.ok(analog.child("0") instanceof AnalogConv2d);
  assert.deepEqual(depthwiseToDigital(analog), ["0"]);
  assert.ok(analog.child("0") instanceof DepthwiseConv2d);
  const again = toDigital(toAnalog(model, withTiles("hermes", "blockDiagonal"), { rng: new Rng(12) }));
  assert.ok(again.child("0") instanceof DepthwiseConv2d);
  assert.deepEqual(again.stateDict().get("0.weight")!.data, before);
});
