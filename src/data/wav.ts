/**
 * RIFF/WAVE parser for keyword-spotting audio: accepts only PCM 16-bit mono at the expected rate
 * (16 kHz by default, the Speech Commands / MLPerf Tiny KWS format) and says exactly what else it got.
 * Unknown chunks (LIST, fact, cue, …) are skipped; chunks are word-aligned (odd sizes carry a pad byte).
 */
import { KirchhoffError } from "../core/index.js";
import { readFileOrThrow } from "./files.js";

const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

export interface WavAudio {
  sampleRateHz: number;
  /** Samples scaled to [-1, 1): int16 / 32768 (as tf.audio.decode_wav does). */
  samples: Float32Array;
}

export interface WavExpectation {
  /** Required sample rate in Hz (default 16000). */
  sampleRateHz?: number;
}

function ascii(buf: Uint8Array, at: number): string {
  return String.fromCharCode(buf[at]!, buf[at + 1]!, buf[at + 2]!, buf[at + 3]!);
}

/** Parses an in-memory WAV file; `file` names it in every error. */
export function parseWav(buf: Uint8Array, file: string, expect: WavExpectation = {}): WavAudio {
  const fail = (msg: string) => new KirchhoffError("data", `WAV ${file}: ${msg}`);
  if (buf.length < 12) throw fail(`${buf.length} bytes, too short for a RIFF header (12 bytes)`);
  if (ascii(buf, 0) !== "RIFF")
    throw fail(`not a RIFF file: expected "RIFF", got ${JSON.stringify(ascii(buf, 0))}`);
  if (ascii(buf, 8) !== "WAVE")
    throw fail(`RIFF form type: expected "WAVE", got ${JSON.stringify(ascii(buf, 8))}`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let fmt: { format: number; channels: number; rate: number; bits: number; blockAlign: number } | undefined;
  let pos = 12;
  while (pos + 8 <= buf.length) {
    const id = ascii(buf, pos);
    const size = view.getUint32(pos + 4, true);
    const body = pos + 8;
    if (id === "fmt ") {
      if (size < 16) throw fail(`fmt chunk: expected at least 16 bytes, got ${size}`);
      if (body + 16 > buf.length) throw fail("truncated inside the fmt chunk");
      let format = view.getUint16(body, true);
      if (format === WAVE_FORMAT_EXTENSIBLE && size >= 40 && body + 26 <= buf.length) {
        format = view.getUint16(body + 24, true); // SubFormat GUID starts with the format code
      }
      fmt = {
        format,
        channels: view.getUint16(body + 2, true),
        rate: view.getUint32(body + 4, true),
        blockAlign: view.getUint16(body + 12, true),
        bits: view.getUint16(body + 14, true),
      };
    } else if (id === "data") {
      if (!fmt) throw fail("data chunk before the fmt chunk");
      checkFormat(fmt, expect, fail);
      if (body + size > buf.length) {
        throw fail(`truncated: data chunk declares ${size} bytes, only ${buf.length - body} present`);
      }
      if (size % 2 !== 0) throw fail(`data chunk: ${size} bytes is not a whole number of 16-bit samples`);
      const n = size / 2;
      const samples = new Float32Array(n);
      for (let i = 0; i < n; i++) samples[i] = view.getInt16(body + 2 * i, true) / 32768;
      return { sampleRateHz: fmt.rate, samples };
    }
    pos = body + size + (size & 1);
  }
  throw fail(fmt ? "no data chunk (file truncated?)" : "no fmt chunk (file truncated?)");
}

function checkFormat(
  fmt: { format: number; channels: number; rate: number; bits: number; blockAlign: number },
  expect: WavExpectation,
  fail: (m: string) => KirchhoffError,
): void {
  if (fmt.format !== WAVE_FORMAT_PCM) {
    const what =
      fmt.format === WAVE_FORMAT_IEEE_FLOAT ? "IEEE float" : `format code 0x${fmt.format.toString(16)}`;
    throw fail(`audio format: expected PCM (1), got ${what}`);
  }
  if (fmt.channels !== 1) throw fail(`channels: expected 1 (mono), got ${fmt.channels}`);
  if (fmt.bits !== 16) throw fail(`bits per sample: expected 16, got ${fmt.bits}`);
  const rate = expect.sampleRateHz ?? 16000;
  if (fmt.rate !== rate) throw fail(`sample rate: expected ${rate} Hz, got ${fmt.rate} Hz`);
  if (fmt.blockAlign !== 2) throw fail(`block align: expected 2 bytes, got ${fmt.blockAlign}`);
}

/** Reads and parses a WAV file. */
export function readWav(path: string, expect: WavExpectation = {}): WavAudio {
  return parseWav(readFileOrThrow(path, "WAV"), path, expect);
}

/** Encodes mono PCM 16-bit WAV (used by tests and tools); samples in [-1, 1) are scaled by 32768 and clipped. */
export function encodeWav(samples: Float32Array, sampleRateHz = 16000): Uint8Array {
  const buf = new Uint8Array(44 + samples.length * 2);
  const v = new DataView(buf.buffer);
  const w = (at: number, s: string) => {
    for (let i = 0; i < 4; i++) buf[at + i] = s.charCodeAt(i);
  };
  w(0, "RIFF");
  v.setUint32(4, 36 + samples.length * 2, true);
  w(8, "WAVE");
  w(12, "fmt ");
  v.setUint32(16, 16, true);
  v.setUint16(20, WAVE_FORMAT_PCM, true);
  v.setUint16(22, 1, true);
  v.setUint32(24, sampleRateHz, true);
  v.setUint32(28, sampleRateHz * 2, true);
  v.setUint16(32, 2, true);
  v.setUint16(34, 16, true);
  w(36, "data");
  v.setUint32(40, samples.length * 2, true);
  for (let i = 0; i < samples.length; i++) {
    v.setInt16(44 + 2 * i, Math.max(-32768, Math.min(32767, Math.round(samples[i]! * 32768))), true);
  }
  return buf;
}
