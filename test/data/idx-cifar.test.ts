import assert from "node:assert/strict";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import { KirchhoffError } from "../../src/core/index.js";
import {
  loadCifar10Batches,
  loadCifar10Folder,
  loadIdxFolder,
  loadIdxPair,
  parseIdx,
} from "../../src/data/index.js";

const isDataError = (re: RegExp) => (e: unknown) => e instanceof KirchhoffError && re.test(e.message);

function idx(magic: number, dims: number[], data: number[]): Buffer {
  const h = Buffer.alloc(4 + 4 * dims.length);
  h.writeUInt32BE(magic, 0);
  dims.forEach((d, i) => {
    h.writeUInt32BE(d, 4 + 4 * i);
  });
  return Buffer.concat([h, Buffer.from(data)]);
}

test("IDX: images + labels (plain and .gz) → NHWC [N, H, W, 1] in 0..1", () => {
  const dir = mkdtempSync(join(tmpdir(), "kh-idx-"));
  const pixels = Array.from({ length: 3 * 2 * 2 }, (_, i) => i * 20);
  writeFileSync(join(dir, "train-images-idx3-ubyte.gz"), gzipSync(idx(0x803, [3, 2, 2], pixels)));
  writeFileSync(join(dir, "train-labels-idx1-ubyte"), idx(0x801, [3], [9, 0, 4]));
  const ds = loadIdxFolder(dir, { split: "train" });
  assert.deepEqual(ds.sampleShape, [2, 2, 1]);
  assert.deepEqual([...ds.y], [9, 0, 4]);
  assert.equal(ds.x[5], Math.fround(100 / 255));
  assert.equal(ds.classes[9], "Ankle boot");
  const raw = loadIdxFolder(dir, { variant: "mnist", scale01: false });
  assert.equal(raw.x[11], 220);
  assert.throws(() => loadIdxFolder(dir, { split: "test" }), isDataError(/missing t10k-images-idx3-ubyte/));
});

test("IDX: bad magic, truncation, trailing bytes, count mismatch and bad labels are clear errors", () => {
  const dir = mkdtempSync(join(tmpdir(), "kh-idx-bad-"));
  const img = idx(0x803, [2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.throws(
    () => parseIdx(img, "l.idx", 0x801),
    isDataError(/l\.idx: bad magic number: expected 0x00000801, got 0x00000803/),
  );
  assert.throws(() => parseIdx(img.subarray(0, 10), "i.idx", 0x803), isDataError(/i\.idx: truncated header/));
  assert.throws(
    () => parseIdx(img.subarray(0, 18), "i.idx", 0x803),
    isDataError(/i\.idx: truncated: header \[2,2,2\] needs 8 data bytes, file has 2/),
  );
  assert.throws(
    () => parseIdx(Buffer.concat([img, Buffer.from([0])]), "i.idx", 0x803),
    isDataError(/1 unexpected bytes/),
  );
  writeFileSync(join(dir, "i"), img);
  writeFileSync(join(dir, "l3"), idx(0x801, [3], [1, 2, 3]));
  writeFileSync(join(dir, "lbad"), idx(0x801, [2], [1, 12]));
  writeFileSync(join(dir, "gz.gz"), Buffer.from([0x1f, 0x8b, 1, 2, 3]));
  const o = { name: "t", classes: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"], license: "" };
  assert.throws(
    () => loadIdxPair(join(dir, "i"), join(dir, "l3"), o),
    isDataError(/count mismatch: .*i has 2 images, .*l3 has 3 labels/),
  );
  assert.throws(
    () => loadIdxPair(join(dir, "i"), join(dir, "lbad"), o),
    isDataError(/lbad: record 1 has label 12, expected 0\.\.9/),
  );
  assert.throws(
    () => loadIdxPair(join(dir, "gz.gz"), join(dir, "l3"), o),
    isDataError(/gz\.gz: corrupt gzip stream/),
  );
  assert.throws(
    () => loadIdxPair(join(dir, "nope"), join(dir, "l3"), o),
    isDataError(/nope: file not found/),
  );
});

function cifarRecord(label: number, r: number, g: number, b: number): Buffer {
  const rec = Buffer.alloc(3073);
  rec[0] = label;
  rec.fill(r, 1, 1025);
  rec.fill(g, 1025, 2049);
  rec.fill(b, 2049, 3073);
  return rec;
}

test("CIFAR-10: planes → NHWC, several batch files, meta class names, raw 0..255 option", () => {
  const dir = mkdtempSync(join(tmpdir(), "kh-cifar-"));
  writeFileSync(
    join(dir, "data_batch_1.bin"),
    Buffer.concat([cifarRecord(3, 10, 20, 30), cifarRecord(7, 255, 0, 1)]),
  );
  writeFileSync(join(dir, "data_batch_2.bin"), cifarRecord(9, 1, 2, 3));
  writeFileSync(join(dir, "test_batch.bin"), cifarRecord(0, 0, 0, 0));
  writeFileSync(join(dir, "batches.meta.txt"), "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n\n");
  const ds = loadCifar10Folder(dir, "train", { scale01: false });
  assert.deepEqual([...ds.y], [3, 7, 9]);
  assert.deepEqual(ds.sampleShape, [32, 32, 3]);
  assert.deepEqual([...ds.x.subarray(3072 + 3 * 100, 3072 + 3 * 100 + 3)], [255, 0, 1]);
  assert.equal(ds.classes[9], "j");
  assert.equal(ds.name, "CIFAR-10:train");
  assert.equal(loadCifar10Folder(dir, "test").x[0], 0);
  const scaled = loadCifar10Batches([join(dir, "data_batch_2.bin")]);
  assert.equal(scaled.x[2], Math.fround(3 / 255));
});

test("CIFAR-10: truncated file, label > 9 and missing file are errors naming the file/record", () => {
  const dir = mkdtempSync(join(tmpdir(), "kh-cifar-bad-"));
  writeFileSync(join(dir, "short.bin"), cifarRecord(1, 0, 0, 0).subarray(0, 3000));
  writeFileSync(join(dir, "label.bin"), Buffer.concat([cifarRecord(1, 0, 0, 0), cifarRecord(10, 0, 0, 0)]));
  assert.throws(
    () => loadCifar10Batches([join(dir, "short.bin")]),
    isDataError(/short\.bin: 3000 bytes is not a whole number of 3073-byte records/),
  );
  assert.throws(
    () => loadCifar10Batches([join(dir, "label.bin")]),
    isDataError(/label\.bin: record 1 has label 10, expected 0\.\.9/),
  );
  assert.throws(
    () => loadCifar10Batches([join(dir, "missing.bin")]),
    isDataError(/missing\.bin: file not found/),
  );
  assert.throws(() => loadCifar10Folder(join(dir, "nope")), isDataError(/directory not found/));
  assert.throws(() => loadCifar10Folder(dir), isDataError(/no data_batch_\*\.bin files/));
});

const shared = new URL("../../../shared/datasets/cifar10-jpeg-q75-subset/", import.meta.url).pathname;
test("CIFAR-10 (JPEG rebuild) shared subset loads with its label", { skip: !existsSync(shared) }, () => {
  const ds = loadCifar10Folder(shared, "test");
  assert.equal(ds.y.length, 9000);
  assert.equal(ds.name, "CIFAR-10 (JPEG rebuild):test");
  assert.equal(ds.classes[0], "airplane");
});

const debian = "/usr/share/datasets/fashion-mnist";
test("Debian's Fashion-MNIST test files (gzipped IDX) load: 10,000 balanced images", {
  skip: !existsSync(`${debian}/t10k-images-idx3-ubyte.gz`),
}, () => {
  const ds = loadIdxFolder(debian, { split: "test" });
  assert.equal(ds.y.length, 10000);
  assert.deepEqual(ds.sampleShape, [28, 28, 1]);
  const counts = new Array(10).fill(0);
  for (const c of ds.y) counts[c]++;
  assert.deepEqual(counts, new Array(10).fill(1000));
});
