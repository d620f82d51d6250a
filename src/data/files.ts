/** File helpers for loaders: reading with clear errors, optional gzip, atomic writes. */
import { existsSync, readFileSync, statSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { KirchhoffError } from "../core/index.js";

/** Reads a whole file; a missing or unreadable file becomes a KirchhoffError("io") naming it. */
export function readFileOrThrow(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "file not found" : code === "EISDIR" ? "is a directory" : String(e);
    throw new KirchhoffError("io", `${what} ${path}: ${why}`, { cause: e });
  }
}

/** Reads a file and gunzips it when its name ends in .gz (or it starts with the gzip magic 1f 8b). */
export function readMaybeGzip(path: string, what: string): Buffer {
  const raw = readFileOrThrow(path, what);
  if (path.endsWith(".gz") || (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b)) {
    try {
      return gunzipSync(raw);
    } catch (e) {
      throw new KirchhoffError("data", `${what} ${path}: corrupt gzip stream (${(e as Error).message})`, {
        cause: e,
      });
    }
  }
  return raw;
}

/** The first of `candidates` that exists, or undefined. */
export function firstExisting(candidates: string[]): string | undefined {
  return candidates.find((p) => existsSync(p));
}

/** Throws KirchhoffError("io") unless `path` is an existing directory. */
export function requireDir(path: string, what: string): void {
  let ok = false;
  try {
    ok = statSync(path).isDirectory();
  } catch {
    ok = false;
  }
  if (!ok) throw new KirchhoffError("io", `${what} ${path}: directory not found`);
}
