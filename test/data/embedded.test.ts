import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { test } from "node:test";
import {
  classCounts,
  embeddedDatasetDir,
  embeddedDatasetLicense,
  loadDefaultDataset,
} from "../../src/data/index.js";

test("embedded Fashion-MNIST subset: 6,000 + 1,000 images, balanced, 28×28×1 in 0..1, licensed", () => {
  const train = loadDefaultDataset("train");
  const testSet = loadDefaultDataset("test");
  assert.equal(train.y.length, 6000);
  assert.equal(testSet.y.length, 1000);
  assert.deepEqual(classCounts(train), new Array(10).fill(600));
  assert.deepEqual(classCounts(testSet), new Array(10).fill(100));
  assert.deepEqual(train.sampleShape, [28, 28, 1]);
  let lo = 1;
  let hi = 0;
  let sum = 0;
  for (const v of testSet.x) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
    sum += v;
  }
  assert.ok(lo === 0 && hi === 1, `range ${lo}..${hi}`);
  const mean = sum / testSet.x.length;
  assert.ok(mean > 0.2 && mean < 0.4, `Fashion-MNIST pixel mean ≈ 0.29, got ${mean}`);
  assert.match(train.license, /Zalando SE.*MIT/);
  assert.match(embeddedDatasetLicense(), /Permission is hereby granted/);
  let bytes = 0;
  for (const f of [
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
  ]) {
    bytes += statSync(`${embeddedDatasetDir()}${f}`).size;
  }
  assert.ok(bytes < 5e6, `${bytes} bytes`);
});
