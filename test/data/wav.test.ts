import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { KirchhoffError } from "../../src/core/index.js";
import { encodeWav, parseWav, readWav } from "../../src/data/index.js";

/** Builds a WAV with arbitrary header fields and extra chunks. */
function wav(opts: {
  format?: number;
  channels?: number;
  rate?: number;
  bits?: number;
  extra?: Uint8Array;
  samples?: number[];
}) {
  const s = opts.samples ?? [0, 1000, -1000, 32767, -32768];
  const bits = opts.bits ?? 16;
  const ch = opts.channels ?? 1;
  const data = Buffer.alloc(s.length * 2);
  s.forEach((v, i) => {
    data.writeInt16LE(v, 2 * i);
  });
  const fmt = Buffer.alloc(24);
  fmt.write("fmt ", 0, "ascii");
  fmt.writeUInt32LE(16, 4);
  fmt.writeUInt16LE(opts.format ?? 1, 8);
  fmt.writeUInt16LE(ch, 10);
  fmt.writeUInt32LE(opts.rate ?? 16000, 12);
  fmt.writeUInt32LE(((opts.rate ?? 16000) * ch * bits) / 8, 16);
  fmt.writeUInt16LE((ch * bits) / 8, 20);
  fmt.writeUInt16LE(bits, 22);
  const dh = Buffer.alloc(8);
  dh.write("data", 0, "ascii");
  dh.writeUInt32LE(data.length, 4);
  const body = Buffer.concat([Buffer.from("WAVE"), opts.extra ?? Buffer.alloc(0), fmt, dh, data]);
  const head = Buffer.alloc(8);
  head.write("RIFF", 0, "ascii");
  head.writeUInt32LE(body.length, 4);
  return new Uint8Array(Buffer.concat([head, body]));
}

function listChunk(): Uint8Array {
  const b = Buffer.alloc(8 + 5 + 1);
  b.write("LIST", 0, "ascii");
  b.writeUInt32LE(5, 4); // odd size: followed by a pad byte
  b.write("INFOx", 8, "ascii");
  return b;
}

test("WAV: PCM16 mono 16 kHz decodes to int16/32768, skipping LIST chunks with pad bytes", () => {
  const a = parseWav(wav({ extra: listChunk() }), "x.wav");
  assert.equal(a.sampleRateHz, 16000);
  assert.deepEqual(Array.from(a.samples), [0, 1000 / 32768, -1000 / 32768, 32767 / 32768, -1]);
});

test("WAV: encodeWav round-trips through readWav", () => {
  const dir = mkdtempSync(join(tmpdir(), "kh-wav-"));
  const s = new Float32Array([0, 0.5, -0.25, 0.999]);
  writeFileSync(join(dir, "a.wav"), encodeWav(s));
  const back = readWav(join(dir, "a.wav")).samples;
  for (let i = 0; i < s.length; i++) assert.ok(Math.abs(back[i]! - s[i]!) < 1 / 32768);
});

test("WAV: every unsupported variant is a KirchhoffError naming the file and the field", () => {
  const cases: [Uint8Array, RegExp][] = [
    [wav({ channels: 2, samples: [1, 2, 3, 4] }), /bad\.wav: channels: expected 1 \(mono\), got 2/],
    [wav({ bits: 8 }), /bad\.wav: bits per sample: expected 16, got 8/],
    [wav({ bits: 24 }), /bits per sample: expected 16, got 24/],
    [wav({ bits: 32 }), /bits per sample: expected 16, got 32/],
    [wav({ format: 3, bits: 32 }), /audio format: expected PCM \(1\), got IEEE float/],
    [wav({ rate: 44100 }), /sample rate: expected 16000 Hz, got 44100 Hz/],
    [wav({}).subarray(0, 50), /truncated: data chunk declares 10 bytes, only 6 present/],
    [wav({}).subarray(0, 30), /no fmt chunk|truncated inside the fmt chunk/],
    [wav({}).subarray(0, 8), /too short for a RIFF header/],
    [new Uint8Array(Buffer.from("OggS0000WAVEfmt ")), /not a RIFF file: expected "RIFF", got "OggS"/],
    [new Uint8Array(Buffer.from("RIFF0000AVI fmt ")), /form type: expected "WAVE", got "AVI "/],
  ];
  for (const [buf, re] of cases) {
    assert.throws(
      () => parseWav(buf, "bad.wav"),
      (e: unknown) => e instanceof KirchhoffError && re.test(e.message) && e.message.includes("bad.wav"),
      String(re),
    );
  }
});

test("WAV: missing file is an io error naming the path", () => {
  assert.throws(() => readWav("/nonexistent/x.wav"), /WAV \/nonexistent\/x\.wav: file not found/);
});

test("WAV: WAVE_FORMAT_EXTENSIBLE with a PCM sub-format is accepted, with a float sub-format rejected", () => {
  const make = (subFormat: number) => {
    const base = Buffer.from(wav({ samples: [100, -100] }));
    // Rebuild with a 40-byte fmt chunk: format 0xFFFE, cbSize 22, valid bits, channel mask, SubFormat GUID.
    const fmt = Buffer.alloc(48);
    fmt.write("fmt ", 0, "ascii");
    fmt.writeUInt32LE(40, 4);
    base.copy(fmt, 8, 20, 36); // the 16 standard bytes
    fmt.writeUInt16LE(0xfffe, 8);
    fmt.writeUInt16LE(22, 24);
    fmt.writeUInt16LE(16, 26);
    fmt.writeUInt16LE(subFormat, 32);
    const data = base.subarray(36);
    const head = Buffer.alloc(12);
    head.write("RIFF", 0, "ascii");
    head.writeUInt32LE(4 + fmt.length + data.length, 4);
    head.write("WAVE", 8, "ascii");
    return new Uint8Array(Buffer.concat([head, fmt, data]));
  };
  assert.deepEqual(Array.from(parseWav(make(1), "ext.wav").samples), [100 / 32768, -100 / 32768]);
  assert.throws(
    () => parseWav(make(3), "extf.wav"),
    /extf\.wav: audio format: expected PCM \(1\), got IEEE float/,
  );
});
