import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Rng } from "../../src/core/index.js";
import {
  type Batch,
  backgroundNoise,
  classCounts,
  DataLoader,
  encodeWav,
  KWS12_CLASSES,
  kwsTrainTransforms,
  loadSpeechCommands,
  MfccExtractor,
  mfccDataset,
  mfccTransform,
  speakerOf,
  timeShift,
  whichSet,
} from "../../src/data/index.js";

const shared = new URL("../../../shared/datasets/speech-commands-v0.02-subset/", import.meta.url).pathname;

test("speakerOf takes the token before _nohash_", () => {
  assert.equal(speakerOf("022cd682_nohash_0.wav"), "022cd682");
  assert.equal(speakerOf("three_692a88e6_nohash_1.wav.wav"), "692a88e6");
  assert.equal(speakerOf("1041.wav"), undefined);
});

test("whichSet reproduces TF's sha1 rule (known speakers) and is stable", () => {
  // percentage = (sha1 mod 2^27) * 100 / (2^27 - 1): values computed with Python's hashlib.
  assert.equal(whichSet("022cd682"), "test");
  assert.equal(whichSet("0bac8a71"), "test");
  assert.equal(whichSet("c9b5ff26"), "test"); // 11.06 %
  assert.equal(whichSet("deadbeef"), "train"); // 45.90 %
  assert.equal(whichSet("00000000"), "val"); // 9.56 %
  assert.equal(whichSet("aaaaaaaa", 60, 10), "val"); // 55.27 % < 60 %
  assert.equal(whichSet("aaaaaaaa", 50, 10), "test");
});

function tone(freqHz: number, amp = 0.3, n = 16000): Float32Array {
  const s = new Float32Array(n);
  for (let i = 0; i < n; i++) s[i] = amp * Math.sin((2 * Math.PI * freqHz * i) / 16000);
  return s;
}

test("synthetic folder: pad/trim to 1 s, speaker-disjoint splits, noise from _silence_", () => {
  const dir = mkdtempSync(join(tmpdir(), "kh-sc-"));
  const classes = ["yes", "no", "_silence_"];
  for (const c of classes) mkdirSync(join(dir, c));
  for (let s = 0; s < 40; s++) {
    const spk = s.toString(16).padStart(8, "a");
    writeFileSync(join(dir, "yes", `${spk}_nohash_0.wav`), encodeWav(tone(440, 0.3, 12000)));
    writeFileSync(join(dir, "no", `${spk}_nohash_1.wav`), encodeWav(tone(880, 0.3, 17000)));
    writeFileSync(join(dir, "_silence_", `${s}.wav`), encodeWav(tone(50, 0.01)));
  }
  const d = loadSpeechCommands(dir, { classes, valPercent: 20, testPercent: 20 });
  const all = [d.train, d.val, d.test];
  assert.equal(
    all.reduce((n, ds) => n + ds.y.length, 0),
    120,
  );
  for (const ds of all) {
    assert.deepEqual(ds.sampleShape, [16000]);
    assert.ok(ds.y.length > 0, `${ds.name} not empty`);
  }
  const yesIdx = d.train.y.indexOf(0);
  assert.equal(d.train.x[yesIdx * 16000 + 15999], 0, "short clip zero-padded at the end");
  const sets = all.map((ds) => new Set(ds.groups));
  for (const g of sets[0]!) assert.ok(!sets[1]!.has(g) && !sets[2]!.has(g), `speaker ${g} in two splits`);
  assert.ok(d.noise.length > 0 && d.noise.length === d.train.y.filter((c) => c === 2).length);
  const peak = (x: Float32Array) => x.reduce((m, v) => Math.max(m, v), -1);
  assert.ok(
    Math.abs(peak(d.train.x.subarray(yesIdx * 16000, (yesIdx + 1) * 16000)) - 1) < 1e-6,
    "MLPerf peak scaling",
  );
  assert.ok(peak(d.noise[0]!) < 0.011, "noise keeps its int16/32768 level");
  const plain = loadSpeechCommands(dir, { classes, valPercent: 20, testPercent: 20, peakNormalize: false });
  assert.ok(Math.abs(peak(plain.train.x.subarray(yesIdx * 16000, (yesIdx + 1) * 16000)) - 0.3) < 1e-3);
  assert.throws(() => loadSpeechCommands(dir), /class folder "down".*directory not found/);
  mkdirSync(join(dir, "_background_noise_"));
  writeFileSync(join(dir, "_background_noise_", "pink.wav"), encodeWav(tone(123, 0.2, 48000)));
  const withBg = loadSpeechCommands(dir, { classes, maxPerClass: 2 });
  assert.equal(withBg.noise.length, 1);
  assert.equal(withBg.noise[0]!.length, 48000, "background recordings are used whole");
});

test("shared subset: 12 classes, speaker-disjoint train/val/test, MFCC 49×10×1", {
  skip: !existsSync(shared),
}, () => {
  const d = loadSpeechCommands(shared, { maxPerClass: 25 });
  const n = d.train.y.length + d.val.y.length + d.test.y.length;
  assert.equal(n, 300);
  assert.deepEqual(d.train.classes, KWS12_CLASSES);
  assert.match(d.train.license, /CC BY 4\.0/);
  const tr = new Set(d.train.groups);
  for (const g of [...d.val.groups!, ...d.test.groups!])
    assert.ok(!tr.has(g), `speaker ${g} leaks into train`);
  const sizes = [d.train.y.length, d.val.y.length, d.test.y.length];
  assert.ok(sizes[0]! > 150 && sizes[1]! > 0 && sizes[2]! > 10, `split sizes ${sizes}`);
  const m = mfccDataset(d.val);
  assert.deepEqual(m.sampleShape, [49, 10, 1]);
  assert.ok(m.x.every(Number.isFinite));
  // The "official" rule sends every speaker of this (official test-set) subset to "test".
  const off = loadSpeechCommands(shared, { maxPerClass: 5, splitRule: "official" });
  assert.equal(off.test.groups!.filter((g) => !g.startsWith("_silence_")).length, 55);
});

test("time shift moves clips by at most ±maxShift with zero fill, deterministically", () => {
  const len = 16000;
  const x = new Float32Array(4 * len);
  for (let n = 0; n < 4; n++) x[n * len + 8000] = 1; // one impulse per clip
  const run = (seed: number) => {
    const b: Batch = { x: x.slice(), y: new Int32Array(4), shape: [4, len], indices: new Int32Array(4) };
    timeShift(1600)(b, new Rng(seed));
    return b.x;
  };
  const a = run(1);
  assert.deepEqual(a, run(1));
  for (let n = 0; n < 4; n++) {
    const pos = a.subarray(n * len, (n + 1) * len).indexOf(1);
    assert.ok(pos >= 6400 && pos <= 9600, `impulse at ${pos}`);
  }
  assert.notDeepEqual(a, x);
});

test("background noise: volume within range, clamped to [-1, 1], probability 0 leaves clips unchanged", () => {
  const len = 16000;
  const noise = [new Float32Array(20000).fill(1)];
  const b: Batch = {
    x: new Float32Array(8 * len).fill(0.95),
    y: new Int32Array(8),
    shape: [8, len],
    indices: new Int32Array(8),
  };
  backgroundNoise({ noise, probability: 1, volumeRange: [0.02, 0.1] })(b, new Rng(3));
  for (let n = 0; n < 8; n++) {
    const v = b.x[n * len]!;
    assert.ok(v >= 0.97 - 1e-6 && v <= 1, `clip ${n}: ${v}`);
  }
  const c: Batch = {
    x: new Float32Array(2 * len).fill(0.5),
    y: new Int32Array(2),
    shape: [2, len],
    indices: new Int32Array(2),
  };
  backgroundNoise({ noise, probability: 0 })(c, new Rng(3));
  assert.ok(c.x.every((v) => v === 0.5));
  assert.throws(() => backgroundNoise({ noise: [] }), /no noise clips/);
});

test("DataLoader with time shift + MFCC transform yields [B, 49, 10, 1] batches", () => {
  const len = 16000;
  const raw = {
    name: "tones",
    x: new Float32Array(6 * len),
    sampleShape: [len],
    y: Int32Array.from([0, 1, 0, 1, 0, 1]),
    classes: ["a", "b"],
    license: "",
  };
  for (let n = 0; n < 6; n++) raw.x.set(tone(300 + 200 * n), n * len);
  const ex = new MfccExtractor();
  const loader = new DataLoader(raw, {
    batchSize: 4,
    seed: 5,
    augment: [timeShift(1600), mfccTransform("NHWC", ex)],
  });
  const b = loader.batchAt(0, 0);
  assert.deepEqual(b.shape, [4, 49, 10, 1]);
  assert.equal(b.x.length, 4 * 490);
  assert.deepEqual(b.x, loader.batchAt(0, 0).x, "augmentation is reproducible");
  assert.deepEqual(loader.batchAt(0, 1).shape, [2, 49, 10, 1]);
});

test("kwsTrainTransforms: shift + noise + MFCC change features reproducibly; no noise list → no mixing step", () => {
  const len = 16000;
  const raw = {
    name: "t",
    x: new Float32Array(2 * len),
    sampleShape: [len],
    y: Int32Array.from([0, 1]),
    classes: ["a", "b"],
    license: "",
  };
  raw.x.set(tone(500), 0);
  raw.x.set(tone(700), len);
  const noise = [tone(3000, 0.5, 20000)];
  const plain = new DataLoader(raw, { batchSize: 2, shuffle: false, augment: [mfccTransform()] }).batchAt(
    0,
    0,
  );
  const aug = new DataLoader(raw, {
    batchSize: 2,
    shuffle: false,
    seed: 9,
    augment: kwsTrainTransforms(noise, { noiseProbability: 1 }),
  });
  const a = aug.batchAt(0, 0);
  assert.deepEqual(a.shape, [2, 49, 10, 1]);
  assert.notDeepEqual(a.x, plain.x);
  assert.deepEqual(a.x, aug.batchAt(0, 0).x);
  assert.equal(kwsTrainTransforms([]).length, 2);
});

test("raw download layout: _unknown_ drawn from other word folders, _silence_ cut from background noise", () => {
  const dir = mkdtempSync(join(tmpdir(), "kh-sc-raw-"));
  for (const w of ["yes", "no", "cat", "dog", "_background_noise_"]) mkdirSync(join(dir, w));
  for (let s = 0; s < 10; s++) {
    const spk = (s * 104729).toString(16).padStart(8, "0");
    for (const [w, f] of [
      ["yes", 300],
      ["no", 400],
      ["cat", 500],
      ["dog", 600],
    ] as const) {
      writeFileSync(join(dir, w, `${spk}_nohash_0.wav`), encodeWav(tone(f)));
    }
  }
  const ramp = new Float32Array(40000).map((_, i) => (i % 1000) / 4000);
  writeFileSync(join(dir, "_background_noise_", "ramp.wav"), encodeWav(ramp));
  const classes = ["yes", "no", "_silence_", "_unknown_"];
  const d = loadSpeechCommands(dir, { classes, peakNormalize: false, valPercent: 0.001, testPercent: 0.001 });
  const all = d.train;
  assert.deepEqual(classCounts(all), [10, 10, 10, 10]);
  assert.deepEqual(
    d.noise.map((n) => n.length),
    [40000],
    "background recording used for mixing",
  );
  const sil = all.y.indexOf(2);
  const seg = all.x.subarray(sil * 16000, sil * 16000 + 16000);
  const start = Math.round(seg[0]! * 4000);
  assert.ok(
    seg.every((v, i) => Math.abs(v - ((start + i) % 1000) / 4000) < 1e-4),
    "a contiguous 1 s noise segment",
  );
  const unk = all.groups!.filter((_, i) => all.y[i] === 3);
  assert.ok(unk.length === 10 && new Set(unk).size >= 5, `unknown clips from several speakers: ${unk}`);
  const cut = loadSpeechCommands(dir, { classes, maxPerClass: 4 });
  const total = [cut.train, cut.val, cut.test].map(classCounts).reduce((a, b) => a.map((v, k) => v + b[k]!));
  assert.deepEqual(total, [4, 4, 4, 4], "maxPerClass also caps the synthesised classes");
  rmSync(join(dir, "_background_noise_"), { recursive: true });
  assert.throws(
    () => loadSpeechCommands(dir, { classes }),
    /no "_silence_" folder and no _background_noise_ recording/,
  );
});
