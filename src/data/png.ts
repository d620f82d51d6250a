/**
 * PNG decoder (ISO/IEC 15948) for non-interlaced images with 8-bit samples (16-bit samples keep their high
 * byte): gray, gray+alpha, RGB, RGBA and palette. Output is always RGB (alpha dropped, gray replicated).
 * Chunk CRCs are verified; IDAT data is inflated with node:zlib and unfiltered (None/Sub/Up/Average/Paeth).
 */
import { inflateSync } from "node:zlib";
import { KirchhoffError } from "../core/index.js";

/** Decoded 8-bit RGB image, row-major, 3 bytes per pixel. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (the PNG/zlib polynomial) of a byte range. */
export function crc32(buf: Uint8Array, start = 0, end = buf.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** Decodes a PNG file held in memory; `file` names it in errors. */
export function decodePng(buf: Uint8Array, file: string): RgbImage {
  const fail = (m: string) => new KirchhoffError("data", `PNG ${file}: ${m}`);
  if (buf.length < 8 || SIGNATURE.some((b, i) => buf[i] !== b)) throw fail("not a PNG file (bad signature)");
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let pos = 8;
  let width = 0;
  let height = 0;
  let depth = 0;
  let colorType = -1;
  let palette: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  let ended = false;
  while (pos + 12 <= buf.length) {
    const len = view.getUint32(pos, false);
    const type = String.fromCharCode(buf[pos + 4]!, buf[pos + 5]!, buf[pos + 6]!, buf[pos + 7]!);
    const body = pos + 8;
    if (body + len + 4 > buf.length) throw fail(`truncated in chunk ${type}`);
    if (crc32(buf, pos + 4, body + len) !== view.getUint32(body + len, false))
      throw fail(`CRC mismatch in chunk ${type}`);
    if (type === "IHDR") {
      width = view.getUint32(body, false);
      height = view.getUint32(body + 4, false);
      depth = buf[body + 8]!;
      colorType = buf[body + 9]!;
      if (buf[body + 12] !== 0) throw fail("interlaced PNGs are not supported (save without interlacing)");
      if (!(colorType in CHANNELS)) throw fail(`unknown color type ${colorType}`);
      if (!(depth === 8 || (depth === 16 && colorType !== 3)))
        throw fail(`bit depth ${depth} not supported (8 or 16)`);
    } else if (type === "PLTE") palette = buf.slice(body, body + len);
    else if (type === "IDAT") idat.push(buf.subarray(body, body + len));
    else if (type === "IEND") {
      ended = true;
      break;
    }
    pos = body + len + 4;
  }
  if (width === 0 || height === 0) throw fail("missing or empty IHDR");
  if (!ended) throw fail("truncated (no IEND chunk)");
  if (colorType === 3 && !palette) throw fail("palette image without PLTE chunk");
  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(idat));
  } catch (e) {
    throw fail(`corrupt image data (${(e as Error).message})`);
  }
  const ch = CHANNELS[colorType]!;
  const bpp = (ch * depth) / 8;
  const stride = width * bpp;
  if (raw.length < height * (stride + 1))
    throw fail(`image data too short: ${raw.length} < ${height * (stride + 1)} bytes`);
  const px = unfilter(raw, height, stride, bpp, fail);
  return toRgb(px, width, height, ch, depth, palette, fail);
}

function unfilter(
  raw: Uint8Array,
  height: number,
  stride: number,
  bpp: number,
  fail: (m: string) => KirchhoffError,
): Uint8Array {
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)]!;
    const src = y * (stride + 1) + 1;
    const o = y * stride;
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? out[o + i - bpp]! : 0;
      const b = y > 0 ? out[o - stride + i]! : 0;
      const c = y > 0 && i >= bpp ? out[o - stride + i - bpp]! : 0;
      let p: number;
      switch (f) {
        case 0:
          p = 0;
          break;
        case 1:
          p = a;
          break;
        case 2:
          p = b;
          break;
        case 3:
          p = (a + b) >> 1;
          break;
        case 4: {
          const e = a + b - c;
          const pa = Math.abs(e - a);
          const pb = Math.abs(e - b);
          const pc = Math.abs(e - c);
          p = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default:
          throw fail(`row ${y}: unknown filter type ${f}`);
      }
      out[o + i] = (raw[src + i]! + p) & 0xff;
    }
  }
  return out;
}

function toRgb(
  px: Uint8Array,
  width: number,
  height: number,
  ch: number,
  depth: number,
  palette: Uint8Array | undefined,
  fail: (m: string) => KirchhoffError,
): RgbImage {
  const n = width * height;
  const data = new Uint8Array(n * 3);
  const step = depth / 8; // 16-bit samples: keep the high (first, big-endian) byte
  for (let i = 0; i < n; i++) {
    const s = i * ch * step;
    if (palette) {
      const k = px[i]! * 3;
      if (k + 2 >= palette.length) throw fail(`palette index ${px[i]} out of range`);
      data[3 * i] = palette[k]!;
      data[3 * i + 1] = palette[k + 1]!;
      data[3 * i + 2] = palette[k + 2]!;
    } else if (ch <= 2) {
      const g = px[s]!;
      data[3 * i] = g;
      data[3 * i + 1] = g;
      data[3 * i + 2] = g;
    } else {
      data[3 * i] = px[s]!;
      data[3 * i + 1] = px[s + step]!;
      data[3 * i + 2] = px[s + 2 * step]!;
    }
  }
  return { width, height, data };
}
