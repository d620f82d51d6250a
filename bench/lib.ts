/** Shared helpers for benchmark scripts: provenance (commit, machine) and atomic JSON result files. */
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { dirname } from "node:path";
import { writeJsonAtomic as writeJsonAtomicCore } from "../src/core/index.js";

/**
 * Current git commit (short hash, "+dirty" when the tree has changes other than bench/results, which the
 * benchmarks themselves rewrite), or "unknown".
 */
export function gitCommit(): string {
  try {
    const hash = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
    const status = execFileSync("git", ["status", "--porcelain", "--", ".", ":!bench/results"], {
      encoding: "utf8",
    });
    const dirty = status.trim() !== "";
    return dirty ? `${hash}+dirty` : hash;
  } catch {
    return "unknown";
  }
}

/** CPU model, logical CPU count, memory and Node version of this machine. */
export function machineInfo(): { cpu: string; logicalCpus: number; memGiB: number; node: string } {
  return {
    cpu: cpus()[0]?.model ?? "unknown",
    logicalCpus: cpus().length,
    memGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
  };
}

/** Writes JSON (indented by `indent` spaces, 0 = compact) atomically, creating the folder if needed. */
export function writeJsonAtomic(path: string, value: unknown, indent = 2): void {
  mkdirSync(dirname(path), { recursive: true });
  writeJsonAtomicCore(path, value, indent);
}

/**
 * The record every benchmark writes to bench/results/<bench>.json:
 * {"bench", "commit", "date", "machine", "figures": {NAME: number}, ...extra}.
 */
export function benchRecord(
  bench: string,
  figures: Record<string, number>,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    bench,
    commit: gitCommit(),
    date: new Date().toISOString(),
    machine: machineInfo(),
    ...extra,
    figures,
  };
}
