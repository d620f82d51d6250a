/**
 * The safetensors container format (https://github.com/huggingface/safetensors), implemented from its spec:
 *
 *   [8 bytes: N, unsigned little-endian u64] [N bytes: UTF-8 JSON header] [raw tensor bytes]
 *
 * The header maps each tensor name to `{ "dtype": "F32", "shape": [..], "data_offsets": [begin, end] }`
 * (byte offsets relative to the start of the data section) and may hold `"__metadata__"`: a map of
 * strings to strings. Kirchhoff writes F32 tensors contiguously in the given order and pads the header with
 * spaces to a multiple of 8 bytes (as the reference implementation does) so the data is aligned.
 */
import { KirchhoffError } from "../../core/index.js";
import type { StateTensor } from "../module.js";
import { DTYPE_BYTES, decodeToFloat32, encodeFloat32, isDtype, type SafetensorsDtype } from "./dtypes.js";

/** A tensor read from a safetensors file (always converted to float32), with its on-disk dtype. */
export interface LoadedTensor {
  data: Float32Array;
  shape: number[];
  dtype: SafetensorsDtype;
}

export interface SafetensorsContents {
  tensors: Map<string, LoadedTensor>;
  metadata: Record<string, string>;
}

/** Upper bound on the header size (the reference implementation's limit). */
const MAX_HEADER_BYTES = 100_000_000;

function ioError(source: string, msg: string): KirchhoffError {
  return new KirchhoffError("io", `${source}: ${msg}`);
}

/** Serialises float32 tensors (and optional string metadata) into safetensors bytes. */
export function encodeSafetensors(
  tensors: Iterable<[string, StateTensor]>,
  metadata?: Record<string, string>,
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== "string")
        throw ioError("safetensors metadata", `value of "${k}" must be a string, got ${typeof v}`);
    }
    header.__metadata__ = metadata;
  }
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    if (name.length === 0 || name === "__metadata__")
      throw ioError("safetensors", `invalid tensor name ${JSON.stringify(name)}`);
    if (Object.hasOwn(header, name)) throw ioError("safetensors", `duplicate tensor name "${name}"`);
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (size !== t.data.length)
      throw ioError(
        "safetensors",
        `tensor "${name}": shape ${JSON.stringify(t.shape)} needs ${size} values, got ${t.data.length}`,
      );
    const bytes = encodeFloat32(t.data);
    header[name] = { dtype: "F32", shape: [...t.shape], data_offsets: [offset, offset + bytes.length] };
    parts.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  const jsonBytesLen = Buffer.byteLength(json, "utf8");
  json += " ".repeat((8 - (jsonBytesLen % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

function isNonNegInt(x: unknown): x is number {
  return typeof x === "number" && Number.isSafeInteger(x) && x >= 0;
}

/** Parses safetensors bytes; every tensor is converted to float32. `source` names the file in errors. */
export function decodeSafetensors(bytes: Uint8Array, source = "safetensors"): SafetensorsContents {
  if (bytes.length < 8)
    throw ioError(source, `truncated: ${bytes.length} bytes, the 8-byte header length is missing`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES))
    throw ioError(
      source,
      `header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit (not a safetensors file?)`,
    );
  const headerLen = Number(n);
  if (8 + headerLen > bytes.length) {
    throw ioError(
      source,
      `truncated: header says ${headerLen} header bytes but the file has only ${bytes.length - 8} after the length`,
    );
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + headerLen)));
  } catch (e) {
    throw ioError(source, `bad header JSON: ${(e as Error).message}`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) {
    throw ioError(source, "bad header: expected a JSON object");
  }
  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;
  const tensors = new Map<string, LoadedTensor>();
  const metadata: Record<string, string> = {};
  const spans: [number, number, string][] = [];
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (typeof info !== "object" || info === null || Array.isArray(info))
        throw ioError(source, "__metadata__ must be an object");
      for (const [k, v] of Object.entries(info)) {
        if (typeof v !== "string")
          throw ioError(source, `__metadata__.${k}: expected a string, got ${JSON.stringify(v)}`);
        metadata[k] = v;
      }
      continue;
    }
    const where = `tensor "${name}"`;
    if (typeof info !== "object" || info === null)
      throw ioError(source, `${where}: expected an object, got ${JSON.stringify(info)}`);
    const { dtype, shape, data_offsets: offs } = info as Record<string, unknown>;
    if (!isDtype(dtype)) {
      throw ioError(
        source,
        `${where}: unknown dtype ${JSON.stringify(dtype)} (expected one of ${Object.keys(DTYPE_BYTES).join(", ")})`,
      );
    }
    if (!Array.isArray(shape) || !shape.every(isNonNegInt)) {
      throw ioError(
        source,
        `${where}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`,
      );
    }
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every(isNonNegInt)) {
      throw ioError(
        source,
        `${where}: data_offsets must be [begin, end] integers, got ${JSON.stringify(offs)}`,
      );
    }
    const [begin, end] = offs as [number, number];
    if (begin > end || end > dataLen) {
      throw ioError(
        source,
        `${where}: data_offsets [${begin}, ${end}] out of range (data section has ${dataLen} bytes)`,
      );
    }
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    if (end - begin !== count * DTYPE_BYTES[dtype]) {
      throw ioError(
        source,
        `${where}: ${end - begin} data bytes do not match shape ${JSON.stringify(shape)} of ${dtype} (${count * DTYPE_BYTES[dtype]} bytes)`,
      );
    }
    spans.push([begin, end, name]);
    tensors.set(name, {
      data: decodeToFloat32(bytes, dataStart + begin, count, dtype),
      shape: shape as number[],
      dtype,
    });
  }
  // Like the reference implementation: tensors must tile the data section exactly (no gaps, overlaps or
  // trailing bytes), which also catches files with garbage appended or offsets pointing into other tensors.
  spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let pos = 0;
  for (const [begin, end, name] of spans) {
    if (begin !== pos) {
      const kind = begin > pos ? "gap" : "overlap";
      throw ioError(
        source,
        `tensor "${name}": data_offsets start at ${begin} but the previous tensor ends at ${pos} (${kind})`,
      );
    }
    pos = end;
  }
  if (pos !== dataLen)
    throw ioError(source, `data section has ${dataLen} bytes but the tensors cover ${pos} (trailing bytes)`);
  return { tensors, metadata };
}
