/**
 * Study storage. `JournalStorage` is an append-only JSONL file, one event per line, shared by any number
 * of worker processes: every append is a single write() of whole lines on an O_APPEND descriptor made
 * while holding a lock file, and readers consume only complete lines. A torn last line (a process killed
 * mid-write) is ignored by readers and truncated away by the next writer (which holds the lock, so no live
 * writer can be mid-line). `MemoryStorage` is the in-process equivalent for benchmarks and tests.
 */
import {
  closeSync,
  existsSync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";
import { KirchhoffError } from "../../core/index.js";
import type { Metrics } from "../objective/objectives.js";
import { FileLock } from "./lock.js";

export type JournalEvent =
  | { type: "study"; version: 1; config: unknown; time: string }
  | { type: "asked"; trial: number; worker: string; key: string; genome: unknown; time: string }
  | { type: "told"; trial: number; worker: string; key: string; metrics: Metrics; cost: number; time: string }
  | { type: "failed"; trial: number; worker: string; key: string; error: string; time: string }
  | { type: "invalid"; trial: number; worker: string; key: string; reason: string; time: string };

export interface Storage {
  /** Events appended (by anyone) since the previous call, in file order. */
  readNew(): JournalEvent[];
  append(events: readonly JournalEvent[]): void;
  /** Runs fn holding the storage's exclusive lock. */
  locked<T>(fn: () => T): T;
}

export class MemoryStorage implements Storage {
  readonly events: JournalEvent[] = [];
  private cursor = 0;
  readNew(): JournalEvent[] {
    const out = this.events.slice(this.cursor);
    this.cursor = this.events.length;
    return out;
  }
  append(events: readonly JournalEvent[]): void {
    this.events.push(...events.map((e) => JSON.parse(JSON.stringify(e)) as JournalEvent));
  }
  locked<T>(fn: () => T): T {
    return fn();
  }
}

export class JournalStorage implements Storage {
  private readonly lock: FileLock;
  /** Byte offset just after the last complete line consumed. */
  private offset = 0;
  private lineNo = 0;

  constructor(readonly path: string) {
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (err) {
      throw new KirchhoffError(
        "io",
        `${path}: cannot create the journal's folder (${(err as NodeJS.ErrnoException).code})`,
      );
    }
    this.lock = new FileLock(`${path}.lock`);
  }

  exists(): boolean {
    return existsSync(this.path);
  }

  readNew(): JournalEvent[] {
    const { events, end, lines } = this.readFrom(this.offset, this.lineNo);
    this.offset = end;
    this.lineNo = lines;
    return events;
  }

  /** Every complete event in the file, without moving the `readNew` cursor. */
  readAll(): JournalEvent[] {
    return this.readFrom(0, 0).events;
  }

  private readFrom(offset: number, lineNo: number): { events: JournalEvent[]; end: number; lines: number } {
    const events: JournalEvent[] = [];
    if (!existsSync(this.path)) return { events, end: offset, lines: lineNo };
    const fd = openSync(this.path, "r");
    try {
      const size = fstatSync(fd).size;
      if (size <= offset) return { events, end: offset, lines: lineNo };
      const buf = Buffer.alloc(size - offset);
      readSync(fd, buf, 0, buf.length, offset);
      const last = buf.lastIndexOf(0x0a);
      if (last < 0) return { events, end: offset, lines: lineNo }; // only a torn (or in-progress) line
      for (const line of buf
        .subarray(0, last + 1)
        .toString("utf8")
        .split("\n")) {
        if (line === "") continue;
        lineNo++;
        events.push(this.parse(line, lineNo));
      }
      return { events, end: offset + last + 1, lines: lineNo };
    } finally {
      closeSync(fd);
    }
  }

  private parse(line: string, lineNo: number): JournalEvent {
    let ev: unknown;
    try {
      ev = JSON.parse(line);
    } catch {
      throw new KirchhoffError(
        "data",
        `${this.path}: line ${lineNo}: not a JSON journal event: ${line.slice(0, 80)}`,
      );
    }
    const t = (ev as { type?: unknown })?.type;
    if (!["study", "asked", "told", "failed", "invalid"].includes(t as string)) {
      throw new KirchhoffError(
        "data",
        `${this.path}: line ${lineNo}: unknown event type ${JSON.stringify(t)}`,
      );
    }
    return ev as JournalEvent;
  }

  /** Appends whole lines with one write(); call inside `locked` (it repairs a torn tail first). */
  append(events: readonly JournalEvent[]): void {
    if (events.length === 0) return;
    const data = Buffer.from(events.map((e) => `${JSON.stringify(e)}\n`).join(""), "utf8");
    const fd = openSync(this.path, "a+");
    try {
      this.repairTail(fd);
      const n = writeSync(fd, data);
      if (n !== data.length)
        throw new KirchhoffError("io", `${this.path}: short write (${n} of ${data.length} bytes)`);
    } finally {
      closeSync(fd);
    }
  }

  /** Truncates an incomplete last line left by a killed writer. */
  private repairTail(fd: number): void {
    const size = fstatSync(fd).size;
    if (size === 0) return;
    const probe = Buffer.alloc(Math.min(size, 1 << 16));
    let pos = size;
    while (pos > 0) {
      const len = Math.min(probe.length, pos);
      readSync(fd, probe, 0, len, pos - len);
      const nl = probe.subarray(0, len).lastIndexOf(0x0a);
      if (nl >= 0) {
        const keep = pos - len + nl + 1;
        if (keep < size) ftruncateSync(fd, keep);
        return;
      }
      pos -= len;
    }
    ftruncateSync(fd, 0);
  }

  locked<T>(fn: () => T): T {
    return this.lock.with(fn);
  }
}
