import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { KirchhoffError } from "../../src/core/index.js";
import { detectDatasetKind, encodeWav, loadDataset } from "../../src/data/index.js";
import { encodePng } from "./helpers/png-encode.js";

const configError = (re: RegExp) => (e: unknown) =>
  e instanceof KirchhoffError && e.code === "config" && re.test(e.message);

test("loadDataset('default') needs no path; train/val are disjoint stratified parts of the training files", () => {
  const test10 = loadDataset("default");
  assert.equal(test10.y.length, 5400);
  const val = loadDataset({ kind: "default", split: "val", valFraction: 0.1, seed: 3 });
  assert.equal(val.y.length, 600);
  assert.equal(val.name, "fashion-mnist-subset:val");
  assert.equal(loadDataset({ kind: "default", split: "test" }).y.length, 1000);
  const raw = loadDataset({ kind: "default", split: "test", scale01: false });
  assert.ok(raw.x.some((v) => v > 1));
});

test("loadDataset rejects bad specs with the field name", () => {
  assert.throws(() => loadDataset({ kind: "cifar10" }), configError(/path: required for kind "cifar10"/));
  assert.throws(
    () => loadDataset({ kind: "imagenet" as "cifar10", path: "x" }),
    configError(/dataset spec: kind:/),
  );
  assert.throws(() => loadDataset({ kind: "default", valFraction: 1.5 }), configError(/valFraction/));
  assert.throws(() => loadDataset({ kind: "default", batch: 3 } as never), configError(/batch|Unrecognized/));
  assert.throws(
    () => loadDataset({ kind: "default", split: "val", valFraction: 0 }),
    configError(/valFraction > 0/),
  );
  assert.throws(() => loadDataset("/nonexistent/data"), /dataset path \/nonexistent\/data: not found/);
});

test("format detection: CIFAR, IDX, Speech Commands and image folders", () => {
  const root = mkdtempSync(join(tmpdir(), "kh-detect-"));
  const mk = (name: string, file: string) => {
    mkdirSync(join(root, name), { recursive: true });
    writeFileSync(join(root, name, file), "");
    return join(root, name);
  };
  assert.equal(detectDatasetKind(mk("c", "data_batch_1.bin")), "cifar10");
  assert.equal(detectDatasetKind(mk("f", "train-images-idx3-ubyte.gz")), "fashion-mnist");
  assert.equal(detectDatasetKind(mk("s/_silence_", "1.wav").replace(/\/_silence_$/, "")), "speech-commands");
  assert.equal(detectDatasetKind(mk("v/person", "a.png").replace(/\/person$/, "")), "image-folder");
});

test("loadDataset speech-commands: MFCC features [49, 10, 1] or raw clips", () => {
  const dir = mkdtempSync(join(tmpdir(), "kh-ld-sc-"));
  const classes = [
    "down",
    "go",
    "left",
    "no",
    "off",
    "on",
    "right",
    "stop",
    "up",
    "yes",
    "_silence_",
    "_unknown_",
  ];
  for (const c of classes) {
    mkdirSync(join(dir, c));
    for (let s = 0; s < 6; s++) {
      writeFileSync(
        join(dir, c, `${(s * 7919).toString(16).padStart(8, "0")}_nohash_0.wav`),
        encodeWav(new Float32Array(16000).fill(0.01 * s)),
      );
    }
  }
  const all = ["train", "val", "test"].map((split) =>
    loadDataset({ kind: "speech-commands", path: dir, split: split as "train", valFraction: 0.3 }),
  );
  assert.equal(
    all.reduce((n, d) => n + d.y.length, 0),
    72,
  );
  assert.deepEqual(all[0]!.sampleShape, [49, 10, 1]);
  const raw = loadDataset({ kind: "speech-commands", path: dir, features: "raw", layout: "TF" });
  assert.deepEqual(raw.sampleShape, [16000]);
  const tf = loadDataset({ kind: "speech-commands", path: dir, layout: "TF" });
  assert.deepEqual(tf.sampleShape, [49, 10]);
});

const shared = new URL("../../../shared/datasets/cifar10-jpeg-q75-subset/", import.meta.url).pathname;
test("loadDataset on the shared CIFAR-10 folder path is detected and labelled", {
  skip: !existsSync(shared),
}, () => {
  const ds = loadDataset({ kind: "cifar10", path: shared, split: "val", valFraction: 0.05 });
  assert.equal(ds.y.length, 500);
  assert.equal(ds.name, "CIFAR-10 (JPEG rebuild):val");
});

test("loadDataset image folder: detected from a path, resized, val carved out; split test is a config error", () => {
  const dir = mkdtempSync(join(tmpdir(), "kh-ld-img-"));
  for (const c of ["non_person", "person"]) {
    mkdirSync(join(dir, c));
    for (let i = 0; i < 5; i++) {
      writeFileSync(
        join(dir, c, `${i}.png`),
        encodePng(10, 12, 3, 2, new Uint8Array(360).fill(c === "person" ? 200 : 20)),
      );
    }
  }
  const train = loadDataset(dir);
  assert.deepEqual(train.sampleShape, [96, 96, 3]);
  assert.equal(train.y.length, 9);
  const val = loadDataset({ kind: "image-folder", path: dir, split: "val", valFraction: 0.2, imageSize: 32 });
  assert.deepEqual(val.sampleShape, [32, 32, 3]);
  assert.deepEqual([...val.y].sort(), [0, 1]);
  assert.throws(
    () => loadDataset({ kind: "image-folder", path: dir, split: "test" }),
    configError(/split "test" of an image folder/),
  );
});
