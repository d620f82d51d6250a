import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import jpeg from "jpeg-js";
import { KirchhoffError } from "../../src/core/index.js";
import { decodePng, decodePnm, loadImageFolder, resizeBilinearRgb } from "../../src/data/index.js";
import { encodePng } from "./helpers/png-encode.js";

function pattern(w: number, h: number, ch: number): Uint8Array {
  const p = new Uint8Array(w * h * ch);
  for (let i = 0; i < p.length; i++) p[i] = (i * 37 + ((i / ch) | 0) * 11) & 0xff;
  return p;
}

test("PNG: RGB, RGBA, gray, gray+alpha and palette decode exactly under all five row filters", () => {
  const w = 7;
  const h = 10; // 10 rows: each filter type used twice
  const rgb = pattern(w, h, 3);
  assert.deepEqual(decodePng(encodePng(w, h, 3, 2, rgb), "a.png").data, rgb);
  const rgba = pattern(w, h, 4);
  const fromRgba = decodePng(encodePng(w, h, 4, 6, rgba), "b.png").data;
  for (let i = 0; i < w * h; i++)
    for (let k = 0; k < 3; k++) assert.equal(fromRgba[3 * i + k], rgba[4 * i + k]);
  const gray = pattern(w, h, 1);
  const g = decodePng(encodePng(w, h, 1, 0, gray), "c.png");
  for (let i = 0; i < w * h; i++)
    assert.deepEqual([...g.data.subarray(3 * i, 3 * i + 3)], [gray[i], gray[i], gray[i]]);
  const ga = pattern(w, h, 2);
  const gad = decodePng(encodePng(w, h, 2, 4, ga), "d.png").data;
  for (let i = 0; i < w * h; i++) assert.equal(gad[3 * i], ga[2 * i]);
  const pal = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255]);
  const idx = Uint8Array.from({ length: w * h }, (_, i) => i % 3);
  const pd = decodePng(encodePng(w, h, 1, 3, idx, pal), "e.png");
  assert.deepEqual([...pd.data.subarray(3, 6)], [0, 255, 0]);
});

test("PNG: corrupt files give KirchhoffErrors naming the file", () => {
  const good = encodePng(4, 4, 3, 2, pattern(4, 4, 3));
  const bad = good.slice();
  bad[20] = bad[20]! ^ 0xff; // inside IHDR: CRC mismatch
  const cases: [Uint8Array, RegExp][] = [
    [new Uint8Array([1, 2, 3]), /x\.png: not a PNG file/],
    [bad, /x\.png: CRC mismatch in chunk IHDR/],
    [good.subarray(0, good.length - 20), /x\.png: truncated/],
  ];
  for (const [buf, re] of cases) {
    assert.throws(
      () => decodePng(buf, "x.png"),
      (e: unknown) => e instanceof KirchhoffError && re.test(e.message),
      String(re),
    );
  }
});

test("PPM: P6, P5 with comments and P3 decode; truncation is an error", () => {
  const p6 = Buffer.concat([Buffer.from("P6\n# comment\n2 1\n255\n"), Buffer.from([1, 2, 3, 4, 5, 6])]);
  assert.deepEqual([...decodePnm(p6, "a.ppm").data], [1, 2, 3, 4, 5, 6]);
  const p5 = Buffer.concat([Buffer.from("P5 2 1 255 "), Buffer.from([9, 200])]);
  assert.deepEqual([...decodePnm(p5, "b.pgm").data], [9, 9, 9, 200, 200, 200]);
  assert.deepEqual([...decodePnm(Buffer.from("P3 1 1 15\n15 0 5\n"), "c.ppm").data], [255, 0, 85]);
  assert.throws(
    () => decodePnm(p6.subarray(0, p6.length - 1), "t.ppm"),
    /t\.ppm: truncated: expected 6 pixel bytes, got 5/,
  );
  assert.throws(() => decodePnm(Buffer.from("P7 1 1 255"), "u.ppm"), /unsupported magic "P7"/);
});

test("bilinear resize: identity at the same size, half-pixel centres when upscaling 2→4", () => {
  const img = { width: 2, height: 1, data: Uint8Array.from([0, 0, 0, 255, 255, 255]) };
  const same = new Float32Array(6);
  resizeBilinearRgb(img, 1, 2, same, 0, 1);
  assert.deepEqual([...same], [0, 0, 0, 255, 255, 255]);
  const up = new Float32Array(12);
  resizeBilinearRgb(img, 1, 4, up, 0, 1);
  // source x = (dst + 0.5)/2 − 0.5 → −0.25 (clamped 0), 0.25, 0.75, 1.25 (clamped 1)
  assert.deepEqual(
    [0, 3, 6, 9].map((i) => up[i]),
    [0, 63.75, 191.25, 255],
  );
});

test("image folder: PNG + PPM + JPEG in person/non_person, resized to 96×96×3 in 0..1", () => {
  const dir = mkdtempSync(join(tmpdir(), "kh-img-"));
  mkdirSync(join(dir, "person"));
  mkdirSync(join(dir, "non_person"));
  writeFileSync(join(dir, "person", "a.png"), encodePng(40, 30, 3, 2, new Uint8Array(40 * 30 * 3).fill(255)));
  writeFileSync(
    join(dir, "person", "b.ppm"),
    Buffer.concat([Buffer.from("P6 8 8 255\n"), Buffer.alloc(192, 128)]),
  );
  const rgba = Buffer.alloc(64 * 48 * 4, 0);
  for (let i = 3; i < rgba.length; i += 4) rgba[i] = 255;
  writeFileSync(
    join(dir, "non_person", "c.jpg"),
    jpeg.encode({ width: 64, height: 48, data: rgba }, 90).data,
  );
  writeFileSync(join(dir, "non_person", "notes.txt"), "ignored");
  const ds = loadImageFolder(dir);
  assert.deepEqual(ds.classes, ["non_person", "person"]);
  assert.deepEqual(ds.sampleShape, [96, 96, 3]);
  assert.deepEqual([...ds.y], [0, 1, 1]);
  const per = 96 * 96 * 3;
  assert.ok(Math.max(...ds.x.subarray(0, per)) < 0.05, "black JPEG");
  assert.ok(
    ds.x.subarray(per, 2 * per).every((v) => v === 1),
    "white PNG",
  );
  assert.ok(Math.abs(ds.x[2 * per]! - 128 / 255) < 1e-6, "gray PPM");
  writeFileSync(join(dir, "person", "broken.jpg"), Buffer.from([0xff, 0xd8, 0xff, 0x00, 1, 2]));
  assert.throws(() => loadImageFolder(dir), /JPEG .*broken\.jpg: cannot decode/);
});
