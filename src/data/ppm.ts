/** Netpbm decoder: binary P6 (RGB) and P5 (gray) with maxval ≤ 255, plus ASCII P3/P2; output 8-bit RGB. */
import { KirchhoffError } from "../core/index.js";
import type { RgbImage } from "./png.js";

/** Decodes a PPM/PGM file held in memory; `file` names it in errors. */
export function decodePnm(buf: Uint8Array, file: string): RgbImage {
  const fail = (m: string) => new KirchhoffError("data", `PPM ${file}: ${m}`);
  let pos = 0;
  const token = (): string => {
    for (;;) {
      while (pos < buf.length && /\s/.test(String.fromCharCode(buf[pos]!))) pos++;
      if (buf[pos] === 0x23) {
        while (pos < buf.length && buf[pos] !== 0x0a) pos++;
      } else break;
    }
    const start = pos;
    while (pos < buf.length && !/\s/.test(String.fromCharCode(buf[pos]!))) pos++;
    if (start === pos) throw fail("truncated header");
    return String.fromCharCode(...buf.subarray(start, pos));
  };
  const magic = token();
  if (!["P2", "P3", "P5", "P6"].includes(magic))
    throw fail(`unsupported magic ${JSON.stringify(magic)} (P2, P3, P5 or P6)`);
  const num = (what: string) => {
    const t = token();
    const v = Number(t);
    if (!(Number.isInteger(v) && v > 0))
      throw fail(`${what}: expected a positive integer, got ${JSON.stringify(t)}`);
    return v;
  };
  const width = num("width");
  const height = num("height");
  const maxval = num("maxval");
  if (maxval > 255) throw fail(`maxval ${maxval} not supported (≤ 255)`);
  const ch = magic === "P3" || magic === "P6" ? 3 : 1;
  const n = width * height;
  const samples = new Uint8Array(n * ch);
  if (magic === "P5" || magic === "P6") {
    pos++; // exactly one whitespace byte after maxval
    if (buf.length - pos < n * ch)
      throw fail(`truncated: expected ${n * ch} pixel bytes, got ${buf.length - pos}`);
    samples.set(buf.subarray(pos, pos + n * ch));
  } else {
    for (let i = 0; i < n * ch; i++) samples[i] = Number(token());
  }
  const data = new Uint8Array(n * 3);
  const scale = 255 / maxval;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 3; k++) data[3 * i + k] = Math.round(samples[ch === 3 ? 3 * i + k : i]! * scale);
  }
  return { width, height, data };
}
