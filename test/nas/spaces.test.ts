import assert from "node:assert/strict";
import { test } from "node:test";
import { KirchhoffError, Rng } from "../../src/core/index.js";
import {
  ANALOGNAS_FEATURES_X22,
  AnalogNasSpace,
  analognasFeatureVector,
  countTiles,
  createSpace,
  DsCnnSpace,
  MLPERF_DSCNN_GENOME,
  MLPERF_VWW_GENOME,
  MobileNetSpace,
  Nb201Space,
  SPACE_NAMES,
  toAnalogNasConfig,
} from "../../src/nas/index.js";

test("nb201 parameter counts match NAS-Bench-201 (trainable params, BN affine, no running stats)", () => {
  const s = new Nb201Space();
  assert.equal(s.counts([2, 2, 2, 2, 2, 2]).params, 1_531_546); // NB201's largest cell: 1.531546 MB
  assert.equal(s.counts([0, 1, 4, 0, 1, 4]).params, 73_306); // no convolutions: skeleton only, 0.073306 MB
  // Counts depend on how many conv3x3/conv1x1 edges there are, not where.
  assert.equal(s.counts([0, 2, 0, 3, 2, 2]).params, s.counts([2, 2, 3, 2, 0, 0]).params);
  // NB201 reports 220.11 M FLOPs (multiply-accumulates of conv + linear) for the all-conv3×3 cell.
  assert.ok(Math.abs(s.counts([2, 2, 2, 2, 2, 2]).macs / 1e6 - 220.11) < 0.02);
  assert.ok(s.counts([2, 2, 2, 2, 2, 2]).macs > s.counts([3, 3, 3, 3, 3, 3]).macs);
  // Tiles: each conv3×3 at C = 16/32/64 needs ceil(9C/256)·ceil(C/256) = 1/2/3 tiles.
  assert.equal(s.tilesNeeded([1, 1, 1, 1, 1, 1]), 12);
  assert.equal(s.tilesNeeded([1, 1, 1, 1, 1, 2]) - s.tilesNeeded([1, 1, 1, 1, 1, 1]), 5 * (1 + 2 + 3));
});

test("DS-CNN space: the MLPerf Tiny KWS genome has 24,908 parameters including BN running stats", () => {
  const s = new DsCnnSpace();
  const g = s.validate(MLPERF_DSCNN_GENOME);
  const c = s.counts(g);
  assert.equal(c.paramsWithBnStats, 24_908); // Keras total of the reference model
  assert.equal(c.params, 24_908 - 9 * 2 * 64); // minus running mean/var of the nine 64-channel BN layers
  // Tiles: stem [64, 10·4] → 1; each depthwise layer is 64 channels of [1, 9], 28 per tile block-diagonally
  // (they cannot share rows: each channel has its own inputs) → 3; 4 pointwise [64, 64] → 4; dense [12, 64] → 1.
  assert.equal(s.tilesNeeded(g, 256), 1 + 4 * 3 + 4 + 1);
  // 32×32 tiles: stem 2·2, dw ⌈64/3⌉ = 22 each (3 channels of 9 rows per tile), pw 2·2 each, dense 2·1.
  assert.equal(s.tilesNeeded(g, 32), 4 + 4 * 22 + 4 * 4 + 2);
  assert.ok(s.fitsChip(g, 64));
  assert.ok(!s.fitsChip(g, 9));
});

test("MobileNet space accepts the MLPerf VWW genome and counts grow with the width multiplier", () => {
  const s = new MobileNetSpace();
  const g = s.validate(MLPERF_VWW_GENOME);
  const wide = s.validate({ ...MLPERF_VWW_GENOME, alpha: 0.5 });
  assert.ok(s.counts(wide).params > s.counts(g).params);
  assert.ok(s.counts(g).params > 100_000 && s.counts(g).params < 400_000);
});

test("analognas space honours strides and reproduces IBM's config dictionary", () => {
  const s = new AnalogNasSpace();
  const g = s.validate({
    outChannel0: 32,
    kernel0: 3,
    stages: [{ blocks: 2, branches: 1, blockType: "A", widen: 2 }],
  });
  const cfg = toAnalogNasConfig(g);
  assert.deepEqual(Object.keys(cfg), [...ANALOGNAS_FEATURES_X22]);
  assert.equal(cfg.M, 1);
  assert.equal(cfg.R1, 2);
  assert.equal(cfg.R2, 0);
  assert.equal(cfg.convblock1, 1);
  assert.equal(cfg.widenfact1, 0.5);
  assert.equal(cfg.B5, 0);
  assert.equal(analognasFeatureVector(cfg).length, 22);
  // The single (last) stage downsamples: the classifier sees 64 channels, first conv has stride 2.
  const convs = s.layers(g).filter((l) => l.kind === "conv");
  const first = convs.find((l) => l.name === "stage1.block0.branch0.conv1")!;
  assert.deepEqual(first.kind === "conv" && first.stride, [2, 2]);
  assert.equal(first.kind === "conv" && first.outH, 16);
  const two = s.validate({
    ...g,
    stages: [g.stages[0]!, { blocks: 1, branches: 2, blockType: "B", widen: 1.5 }],
  });
  assert.equal(s.stageChannels(two).join(","), "64,96");
  assert.ok(s.counts(two).params > s.counts(g).params);
});

test("validation errors name the field, the expected values and what was given", () => {
  const nb = new Nb201Space();
  assert.throws(() => nb.validate([0, 1, 2, 3, 4]), /nb201: genome: expected an array of 6\.\.6 entries/);
  assert.throws(() => nb.validate([0, 1, 2, 3, 4, 5]), /nb201: e6: expected an op id 0\.\.4, got 5/);
  assert.throws(() => nb.parseKey("0-1-2"), KirchhoffError);
  const an = new AnalogNasSpace();
  assert.throws(
    () =>
      an.validate({
        outChannel0: 32,
        kernel0: 3,
        stages: [{ blocks: 2, branches: 9, blockType: "A", widen: 2 }],
      }),
    /analognas: stages\[0\]\.branches: expected one of \[1,2,3,4\], got 9/,
  );
  assert.throws(
    () => an.validate({ outChannel0: 32, kernel0: 3, stages: [] }),
    /stages: expected an array of 1\.\.5/,
  );
  assert.throws(
    () => new DsCnnSpace().validate({ ...MLPERF_DSCNN_GENOME, stemKernel: [7, 7] }),
    /stemKernel: expected one of/,
  );
  assert.throws(
    () => createSpace("resnet"),
    /space: expected one of nb201, analognas, dscnn, mobilenet, got "resnet"/,
  );
});

test("every space: sampling is seeded, mutation changes the genome, keys and encodings are stable", () => {
  for (const name of SPACE_NAMES) {
    const s = createSpace(name);
    const a = Array.from({ length: 20 }, (_, i) => s.key(s.sample(new Rng(7).fork(i))));
    const b = Array.from({ length: 20 }, (_, i) => s.key(s.sample(new Rng(7).fork(i))));
    assert.deepEqual(a, b, name);
    assert.ok(new Set(a).size > 10, `${name}: samples should vary`);
    const rng = new Rng(1);
    const len = s.encode(s.sample(rng)).length;
    for (let i = 0; i < 30; i++) {
      const g = s.sample(rng);
      const m = s.mutate(g, rng);
      assert.notEqual(s.key(m), s.key(g), name);
      assert.deepEqual(s.validate(JSON.parse(JSON.stringify(m))), m, `${name}: genomes are plain JSON`);
      assert.equal(s.key(s.parseKey(s.key(m))), s.key(m));
      assert.equal(s.encode(m).length, len, `${name}: encoding length`);
      const x = s.crossover(g, m, rng);
      assert.deepEqual(s.validate(x), x);
      assert.deepEqual(s.fromIndices(s.toIndices(m)), m, `${name}: index round trip`);
    }
  }
});

test("nb201 neighbourhood: 24 single-edge changes, keys in the CSV's architecture spelling", () => {
  const s = new Nb201Space();
  const nb = s.neighbours([0, 2, 0, 3, 2, 2]);
  assert.equal(nb.length, 24);
  assert.equal(new Set(nb.map((g) => s.key(g))).size, 24);
  assert.equal(s.key([0, 2, 0, 3, 2, 2]), "(0, 2, 0, 3, 2, 2)");
  assert.deepEqual(s.parseKey("(0, 2, 0, 3, 2, 2)"), [0, 2, 0, 3, 2, 2]);
});

test("countTiles packs the groups of a grouped convolution block-diagonally, never on shared rows", () => {
  const tiles = (inC: number, outC: number, k: number, groups: number, T: number) =>
    countTiles(
      [
        {
          kind: "conv",
          name: "c",
          inChannels: inC,
          outChannels: outC,
          kernelH: k,
          kernelW: k,
          stride: [1, 1],
          groups,
          bias: false,
          outH: 8,
          outW: 8,
        },
      ],
      T,
    );
  assert.equal(tiles(64, 64, 3, 1, 256), 3 * 1); // dense: [64, 576] → ⌈576/256⌉·⌈64/256⌉
  assert.equal(tiles(64, 64, 3, 64, 256), 3); // depthwise: 28 [1, 9] channels per tile
  assert.equal(tiles(28, 28, 3, 28, 256), 1); // exactly one tile's worth
  assert.equal(tiles(29, 29, 3, 29, 256), 2);
  assert.equal(tiles(64, 128, 3, 64, 256), 3); // depth multiplier 2: [2, 9] groups, still 28 per tile
  assert.equal(tiles(64, 64, 3, 4, 256), 4); // 4 groups of [16, 144]: one per tile (2 would need 288 rows)
  assert.equal(tiles(64, 64, 3, 2, 128), 2 * 3 * 1); // groups larger than a tile: [32, 288] → 3 tiles each
});
