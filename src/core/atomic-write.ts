/**
 * Atomic file writes: the data goes to a temporary file in the same folder, is flushed to disk, then renamed
 * over the target, so readers (and a run killed mid-write) see either the old file or the complete new one.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { KirchhoffError } from "./errors.js";

let tmpCounter = 0;

/** Writes `data` (text as UTF-8, or bytes) to `path` atomically; failures are KirchhoffError("io"). */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  const tmp = `${path}.tmp-${process.pid}-${tmpCounter++}`;
  try {
    const fd = openSync(tmp, "w");
    try {
      for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd); // the data is on disk before the rename makes it visible
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new KirchhoffError("io", `cannot write ${path}: ${(e as Error).message}`, { cause: e });
  }
}

/** Writes `value` as JSON (indented by `indent` spaces, 0 = compact) plus a newline, atomically. */
export function writeJsonAtomic(path: string, value: unknown, indent = 2): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, indent || undefined)}\n`);
}
