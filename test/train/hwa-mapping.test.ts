/**
 * Explicit digital-layer mapping for HWA training and drift evaluation: `digitalLayers: "depthwise"` keeps
 * depthwise convolutions on the chip's digital units in both places (and is reported), never silently.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AnalogConv2d } from "../../src/analog/index.js";
import { KirchhoffError, Rng } from "../../src/core/index.js";
import { DataLoader, type Dataset } from "../../src/data/index.js";
import { Conv2d, DepthwiseConv2d, Linear, Module } from "../../src/nn/index.js";
import { flatten, relu, type Tensor } from "../../src/tensor/index.js";
import {
  evaluateOverDrift,
  HwaLayer,
  hwaConfigFromPreset,
  hwaLayers,
  mappingLine,
  toHwa,
  trainModel,
} from "../../src/train/index.js";
import { weightsOf } from "./fixtures.js";

/** NHWC [4, 4, 2] → depthwise 3×3 → pointwise 1×1 (2 → 4) → linear (64 → 3). */
class TinyDs extends Module {
  constructor(rng: Rng) {
    super();
    this.registerModule("dw", new DepthwiseConv2d(2, 3, { rng, padding: 1 }));
    this.registerModule("pw", new Conv2d(2, 4, 1, { rng }));
    this.registerModule("fc", new Linear(64, 3, { rng }));
  }

  forward(x: Tensor): Tensor {
    const h = relu(this.child<Conv2d>("pw").forward(relu(this.child<Conv2d>("dw").forward(x))));
    return this.child<Linear>("fc").forward(flatten(h));
  }
}

/** Three classes distinguished by which quadrant of a 4×4×2 image is bright, plus Gaussian noise. */
function quadrants(n: number, seed: number): Dataset {
  const rng = new Rng(seed);
  const x = new Float32Array(n * 32);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    y[i] = c;
    for (let p = 0; p < 16; p++) {
      const [r, col] = [p >> 2, p & 3];
      const on = (c === 0 && r < 2 && col < 2) || (c === 1 && r >= 2) || (c === 2 && r < 2 && col >= 2);
      for (let ch = 0; ch < 2; ch++) x[i * 32 + p * 2 + ch] = (on ? 1 : 0) + 0.3 * rng.normal();
    }
  }
  return { name: "quadrants", x, y, sampleShape: [4, 4, 2], classes: ["a", "b", "c"], license: "" };
}

describe("digitalLayers: depthwise", () => {
  it("toHwa wraps every conv/linear by default and skips depthwise convs when configured", () => {
    const all = new TinyDs(new Rng(1));
    toHwa(all, hwaConfigFromPreset("hermes"), new Rng(2));
    assert.equal(hwaLayers(all).length, 3);
    const some = new TinyDs(new Rng(1));
    toHwa(some, hwaConfigFromPreset("hermes", { digitalLayers: "depthwise" }), new Rng(2));
    assert.equal(hwaLayers(some).length, 2);
    assert.ok(some.child("dw") instanceof DepthwiseConv2d);
    assert.ok(some.child("pw") instanceof HwaLayer);
    assert.throws(
      () => hwaConfigFromPreset("hermes", { digitalLayers: "pointwise" as never }),
      (e: unknown) => e instanceof KirchhoffError && /digitalLayers/.test(e.message),
    );
  });

  it("evaluateOverDrift keeps the depthwise conv digital, reports it, and restores the model", () => {
    const model = new TinyDs(new Rng(3));
    trainModel(model, new DataLoader(quadrants(120, 1), { batchSize: 30, seed: 1 }), null, {
      epochs: 3,
      lr: 0.1,
      rng: new Rng(4),
    });
    const test = new DataLoader(quadrants(60, 2), { batchSize: 60, shuffle: false });
    const w = weightsOf(model);
    const seen: string[] = [];
    const opts = { reps: 1, times: [1, 2_592_000], rng: new Rng(5) } as const;
    const mixed = evaluateOverDrift(model, test, {
      ...opts,
      digitalLayers: "depthwise",
      onProgress: () => {
        for (const [p, m] of model.namedModules()) if (m instanceof AnalogConv2d) seen.push(p);
      },
    });
    assert.deepEqual(mixed.digitalLayerPaths, ["dw"]);
    assert.deepEqual([...new Set(seen)], ["pw"]); // during evaluation only the pointwise conv is analog
    // the result and its report line say which weights were on tiles (pw 4×2, fc 3×64: a tile each) and which
    // were not
    assert.deepEqual(mixed.mapping, {
      analogLayers: 2,
      analogWeights: 8 + 192,
      tiles: 2,
      chipCores: 64,
      digitalWeights: [{ name: "dw.weight", size: 18 }],
    });
    assert.equal(
      mappingLine(mixed.mapping),
      "on tiles: 2 layers, 200 weights, 2 tiles (of the chip's 64 cores); digital: 18 weights in dw.weight",
    );
    const allAnalog = evaluateOverDrift(model, test, opts);
    assert.deepEqual(allAnalog.digitalLayerPaths, []);
    // the depthwise conv's 2 channels on a tile each (perGroup)
    assert.equal(
      mappingLine(allAnalog.mapping),
      "on tiles: 3 layers, 218 weights, 4 tiles (of the chip's 64 cores); digital: none",
    );
    // more tiles than the chip has cores is said, not hidden (a configuration of 3 cores)
    assert.equal(
      mappingLine({ ...allAnalog.mapping, chipCores: 3 }),
      "on tiles: 3 layers, 218 weights, 4 tiles (more than the chip's 3 cores); digital: none",
    );
    assert.equal(
      mappingLine({ ...allAnalog.mapping, chipCores: null }),
      "on tiles: 3 layers, 218 weights, 4 tiles; digital: none",
    );
    assert.ok(model.child("dw") instanceof DepthwiseConv2d);
    assert.deepEqual(weightsOf(model), w);
    assert.throws(
      () => evaluateOverDrift(model, test, { ...opts, digitalLayers: "all" as never }),
      KirchhoffError,
    );
  });
});
