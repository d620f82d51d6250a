/**
 * A cross-process exclusive lock on one machine: a lock file created with O_CREAT|O_EXCL (`openSync(path,
 * "wx")`) holding the owner's pid. A lock whose owner process is gone, or older than `staleMs`, is broken.
 * Critical sections are short (a journal read and one append), so the default stale timeout is generous.
 */
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from "node:fs";
import { KirchhoffError } from "../../core/index.js";

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
function sleepMs(ms: number): void {
  Atomics.wait(sleepCell, 0, 0, ms);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export class FileLock {
  private held = false;

  constructor(
    readonly path: string,
    private readonly staleMs = 10_000,
    private readonly timeoutMs = 60_000,
  ) {}

  acquire(): void {
    if (this.held) throw new KirchhoffError("state", `lock ${this.path}: already held by this process`);
    const start = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        const fd = openSync(this.path, "wx");
        writeSync(fd, `${process.pid}\n`);
        closeSync(fd);
        this.held = true;
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") {
          throw new KirchhoffError(
            "io",
            `lock ${this.path}: cannot create (${(err as NodeJS.ErrnoException).code})`,
          );
        }
      }
      this.breakIfStale();
      if (Date.now() - start > this.timeoutMs) {
        throw new KirchhoffError(
          "io",
          `lock ${this.path}: still held after ${this.timeoutMs} ms (remove it if no study is running)`,
        );
      }
      sleepMs(Math.min(20, 1 + attempt));
    }
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    try {
      unlinkSync(this.path);
    } catch {
      // Already broken by another process as stale: nothing to release.
    }
  }

  /** Runs fn while holding the lock. */
  with<T>(fn: () => T): T {
    this.acquire();
    try {
      return fn();
    } finally {
      this.release();
    }
  }

  private breakIfStale(): void {
    let text: string;
    let mtimeMs: number;
    try {
      text = readFileSync(this.path, "utf8");
      mtimeMs = statSync(this.path).mtimeMs;
    } catch {
      return; // released meanwhile
    }
    const pid = Number.parseInt(text, 10);
    const dead = Number.isInteger(pid) && pid > 0 && !processAlive(pid);
    const old = Date.now() - mtimeMs > this.staleMs;
    // A lock file without a pid yet is being written by its owner: only the age test applies.
    if (!dead && !old) return;
    try {
      if (readFileSync(this.path, "utf8") === text) unlinkSync(this.path);
    } catch {
      // Someone else broke or released it first.
    }
  }
}
