import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../src/core/index.js";
import {
  type Batch,
  channelStats,
  cifarAugmentations,
  classCounts,
  cutout,
  DataLoader,
  type Dataset,
  groupSplit,
  horizontalFlip,
  normalizeInPlace,
  randomCrop,
  splitDataset,
  stratifiedSplit,
  tensorBatches,
  toTensorBatch,
} from "../../src/data/index.js";

function toy(n: number, shape = [2], classes = 3): Dataset {
  const per = shape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(n * per);
  for (let i = 0; i < n; i++) x.fill(i, i * per, (i + 1) * per); // sample i is all i
  return {
    name: "toy",
    x,
    sampleShape: shape,
    y: Int32Array.from({ length: n }, (_, i) => i % classes),
    classes: ["a", "b", "c"].slice(0, classes),
    license: "",
  };
}

test("DataLoader: every sample once per epoch, epoch order reproducible and epoch-dependent", () => {
  const ds = toy(10);
  const dl = new DataLoader(ds, { batchSize: 4, seed: 7 });
  assert.equal(dl.batchesPerEpoch, 3);
  const seen: number[] = [];
  for (const b of dl.epoch(0)) {
    assert.deepEqual(b.shape, [b.y.length, 2]);
    for (let k = 0; k < b.y.length; k++) {
      assert.equal(b.x[2 * k], b.indices[k], "x follows the index");
      assert.equal(b.y[k], b.indices[k]! % 3, "y follows the index");
      seen.push(b.indices[k]!);
    }
  }
  assert.deepEqual(
    [...seen].sort((a, b) => a - b),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  assert.deepEqual(dl.epochOrder(3), new DataLoader(ds, { batchSize: 4, seed: 7 }).epochOrder(3));
  assert.notDeepEqual(dl.epochOrder(0), dl.epochOrder(1));
  assert.notDeepEqual(dl.epochOrder(0), new DataLoader(ds, { batchSize: 4, seed: 8 }).epochOrder(0));
});

test("DataLoader: resuming at (epoch, batch) gives the batches of an uninterrupted run; dropLast; no shuffle", () => {
  const ds = toy(11, [2, 2, 1]);
  const flip = horizontalFlip(0.5);
  const full = [...new DataLoader(ds, { batchSize: 3, seed: 1, augment: [flip] }).epoch(2)];
  const resumed = [...new DataLoader(ds, { batchSize: 3, seed: 1, augment: [flip] }).epoch(2, 2)];
  assert.deepEqual(
    resumed.map((b) => [...b.x]),
    full.slice(2).map((b) => [...b.x]),
  );
  const dl = new DataLoader(ds, { batchSize: 3, dropLast: true, shuffle: false });
  assert.equal(dl.batchesPerEpoch, 3);
  assert.deepEqual([...dl.batchAt(0, 1).indices], [3, 4, 5]);
  assert.throws(() => dl.batchAt(0, 3), /batch 3 out of range/);
  assert.throws(() => new DataLoader(ds, { batchSize: 0 }), /batchSize: expected a positive integer/);
});

test("normalisation: per-channel stats give zero mean / unit std; loader applies them", () => {
  const ds: Dataset = { ...toy(4, [1, 1, 2]), x: Float32Array.from([0, 10, 2, 20, 4, 30, 6, 40]) };
  const st = channelStats(ds);
  assert.deepEqual(st.mean, [3, 25]);
  assert.ok(Math.abs(st.std[0]! - Math.sqrt(5)) < 1e-12);
  const all = new DataLoader(ds, { batchSize: 4, shuffle: false, normalize: st }).batchAt(0, 0).x;
  const after = channelStats({ x: all, sampleShape: [1, 1, 2] });
  for (let c = 0; c < 2; c++) {
    assert.ok(Math.abs(after.mean[c]!) < 1e-6 && Math.abs(after.std[c]! - 1) < 1e-6, `channel ${c}`);
  }
  assert.throws(() => normalizeInPlace(new Float32Array(3), st), /not a multiple of 2 channels/);
});

function imageBatch(b: number, h: number, w: number, c: number): Batch {
  const x = new Float32Array(b * h * w * c);
  for (let i = 0; i < x.length; i++) x[i] = 1 + (i % 97);
  return { x, y: new Int32Array(b), shape: [b, h, w, c], indices: new Int32Array(b) };
}

test("horizontal flip mirrors rows; p=1 twice is the identity; p=0 never flips", () => {
  const b = imageBatch(2, 3, 4, 2);
  const orig = b.x.slice();
  horizontalFlip(1)(b, new Rng(0));
  assert.equal(b.x[0], orig[3 * 2]); // pixel (0,0) ← (0,3)
  horizontalFlip(1)(b, new Rng(0));
  assert.deepEqual(b.x, orig);
  horizontalFlip(0)(b, new Rng(0));
  assert.deepEqual(b.x, orig);
});

test("random crop: zero padding keeps pixel values or zeros; reflect never introduces zeros; deterministic", () => {
  const run = (mode: "zero" | "reflect", seed: number) => {
    const b = imageBatch(16, 8, 8, 3);
    randomCrop({ padding: 4, mode })(b, new Rng(seed));
    return b.x;
  };
  const z = run("zero", 2);
  const values = new Set(imageBatch(1, 8, 8, 3).x);
  assert.ok(z.every((v) => v === 0 || values.has(v)));
  assert.ok(
    z.some((v) => v === 0),
    "some shifted image has a zero border",
  );
  assert.ok(run("reflect", 2).every((v) => v !== 0));
  assert.deepEqual(run("zero", 2), z);
  assert.notDeepEqual(run("zero", 3), z);
});

test("cutout zeroes at most size×size pixels per image, exactly size² when the hole is inside", () => {
  const b = imageBatch(50, 32, 32, 3);
  cutout({ size: 8 })(b, new Rng(4));
  let full = 0;
  for (let n = 0; n < 50; n++) {
    let zeros = 0;
    for (let i = 0; i < 32 * 32 * 3; i++) if (b.x[n * 3072 + i] === 0) zeros++;
    assert.ok(zeros > 0 && zeros <= 64 * 3, `image ${n}: ${zeros}`);
    if (zeros === 64 * 3) full++;
  }
  assert.ok(full > 20, `${full} holes fully inside`);
  assert.throws(() => cutout({ size: 0 }), /cutout\.size/);
});

test("stratified split keeps class proportions, is seeded, and covers every index once", () => {
  const y = Int32Array.from({ length: 300 }, (_, i) => (i < 200 ? 0 : i < 290 ? 1 : 2));
  const s = stratifiedSplit(y, 0.1, 5);
  assert.equal(s.val.length, 20 + 9 + 1);
  assert.deepEqual(
    classCounts({ y: Int32Array.from(s.val, (i) => y[i]!), classes: ["a", "b", "c"] }),
    [20, 9, 1],
  );
  assert.deepEqual(
    [...s.train, ...s.val].sort((a, b) => a - b),
    Array.from({ length: 300 }, (_, i) => i),
  );
  assert.deepEqual(stratifiedSplit(y, 0.1, 5), s);
  assert.notDeepEqual(stratifiedSplit(y, 0.1, 6).val, s.val);
  const { train, val } = splitDataset(toy(30), 0.2, 1);
  assert.equal(train.y.length + val.y.length, 30);
  assert.throws(() => stratifiedSplit(y, 1), /valFraction/);
});

test("group split puts every group in exactly one split", () => {
  const ds = { ...toy(200), groups: Array.from({ length: 200 }, (_, i) => `spk${i % 37}`) };
  const s = groupSplit(ds, { val: 0.2, test: 0.2 });
  const sets = [s.train, s.val, s.test].map((d) => new Set(d.groups));
  assert.equal(sets[0]!.size + sets[1]!.size + sets[2]!.size, 37);
  assert.equal(s.train.y.length + s.val.y.length + s.test.y.length, 200);
  assert.ok(
    sets.every((x) => x.size > 0),
    "all splits non-empty",
  );
});

test("tensor batches wrap loader batches as [B, ...sampleShape] tensors without copying", () => {
  const dl = new DataLoader(toy(5, [2, 1, 1]), { batchSize: 2, seed: 1 });
  const bs = [...tensorBatches(dl, 0)];
  assert.deepEqual(
    bs.map((b) => b.x.shape),
    [
      [2, 2, 1, 1],
      [2, 2, 1, 1],
      [1, 2, 1, 1],
    ],
  );
  const raw = dl.batchAt(0, 1);
  const t = toTensorBatch(raw);
  assert.equal(t.x.data, raw.x);
  assert.deepEqual([...bs[1]!.y], [...raw.y]);
});

test("cifarAugmentations: crop + flip (+ cutout) keep the batch shape and are reproducible", () => {
  const ds = toy(4, [8, 8, 3]);
  const mk = () =>
    new DataLoader(ds, { batchSize: 4, seed: 2, augment: cifarAugmentations({ cutoutSize: 4 }) });
  const b = mk().batchAt(0, 0);
  assert.deepEqual(b.shape, [4, 8, 8, 3]);
  assert.deepEqual(b.x, mk().batchAt(0, 0).x);
  assert.equal(cifarAugmentations().length, 2);
  assert.ok(b.x.some((v) => v === 0) && b.x.some((v) => v > 0), "cutout/crop zeros and kept pixels");
});
