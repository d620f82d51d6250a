/**
 * safetensors element types and their conversion to float32 (all data is little-endian on disk).
 * Kirchhoff writes F32 only; it reads every type below into a Float32Array (integers and F64 are rounded to
 * the nearest float32; I64/U64 beyond 2^53 lose precision).
 */
import { endianness } from "node:os";
import { KirchhoffError } from "../../core/index.js";

/** Typed arrays use the host byte order; on little-endian hosts F32 data can be copied without a DataView. */
const HOST_LE = endianness() === "LE";

export const DTYPE_BYTES = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  U64: 8,
  I32: 4,
  U32: 4,
  I16: 2,
  U16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
} as const;

export type SafetensorsDtype = keyof typeof DTYPE_BYTES;

export function isDtype(s: unknown): s is SafetensorsDtype {
  return typeof s === "string" && Object.hasOwn(DTYPE_BYTES, s);
}

/** IEEE 754 binary16 bits → number (subnormals, ±Inf and NaN included). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Decodes `count` elements of `dtype` starting at `bytes[offset]` into float32. */
export function decodeToFloat32(
  bytes: Uint8Array,
  offset: number,
  count: number,
  dtype: SafetensorsDtype,
): Float32Array {
  const out = new Float32Array(count);
  const dv = new DataView(bytes.buffer, bytes.byteOffset + offset, count * DTYPE_BYTES[dtype]);
  switch (dtype) {
    case "F32":
      if (HOST_LE) new Uint8Array(out.buffer).set(bytes.subarray(offset, offset + 4 * count));
      else for (let i = 0; i < count; i++) out[i] = dv.getFloat32(4 * i, true);
      break;
    case "F64":
      for (let i = 0; i < count; i++) out[i] = dv.getFloat64(8 * i, true);
      break;
    case "F16":
      for (let i = 0; i < count; i++) out[i] = halfToFloat(dv.getUint16(2 * i, true));
      break;
    case "BF16": {
      // bfloat16 is the top half of a float32.
      const u = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) u[i] = dv.getUint16(2 * i, true) << 16;
      break;
    }
    case "I64":
      for (let i = 0; i < count; i++) out[i] = Number(dv.getBigInt64(8 * i, true));
      break;
    case "U64":
      for (let i = 0; i < count; i++) out[i] = Number(dv.getBigUint64(8 * i, true));
      break;
    case "I32":
      for (let i = 0; i < count; i++) out[i] = dv.getInt32(4 * i, true);
      break;
    case "U32":
      for (let i = 0; i < count; i++) out[i] = dv.getUint32(4 * i, true);
      break;
    case "I16":
      for (let i = 0; i < count; i++) out[i] = dv.getInt16(2 * i, true);
      break;
    case "U16":
      for (let i = 0; i < count; i++) out[i] = dv.getUint16(2 * i, true);
      break;
    case "I8":
      for (let i = 0; i < count; i++) out[i] = dv.getInt8(i);
      break;
    case "U8":
    case "BOOL":
      for (let i = 0; i < count; i++) out[i] = dv.getUint8(i);
      break;
    default:
      throw new KirchhoffError("io", `safetensors: unsupported dtype ${JSON.stringify(dtype)}`);
  }
  return out;
}

/** float32 values → little-endian bytes. */
export function encodeFloat32(data: Float32Array): Uint8Array {
  const out = new Uint8Array(data.length * 4);
  if (HOST_LE) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return out;
  }
  const dv = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) dv.setFloat32(4 * i, data[i]!, true);
  return out;
}
