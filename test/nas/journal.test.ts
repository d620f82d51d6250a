import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { FileLock, type JournalEvent, JournalStorage } from "../../src/nas/index.js";

const root = new URL("../..", import.meta.url).pathname;
const worker = join(root, "test/nas/fixtures/study-worker.ts");
const tmp = () => mkdtempSync(join(tmpdir(), "kirchhoff-journal-"));

function startWorker(args: (string | number)[]): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", worker, ...args.map(String)], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
}
function exit(p: ChildProcess): Promise<number | null> {
  return new Promise((res) => p.on("exit", (code) => res(code)));
}
function events(path: string): JournalEvent[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as JournalEvent);
}
function told(path: string): Extract<JournalEvent, { type: "told" }>[] {
  return events(path).filter((e): e is Extract<JournalEvent, { type: "told" }> => e.type === "told");
}

test("a torn last line is ignored by readers and repaired by the next append", () => {
  const path = join(tmp(), "j.jsonl");
  const j = new JournalStorage(path);
  const ev = (trial: number): JournalEvent => ({
    type: "asked",
    trial,
    worker: "0",
    key: `k${trial}`,
    genome: [trial],
    time: "t",
  });
  j.locked(() => j.append([ev(0), ev(1)]));
  appendFileSync(path, '{"type":"asked","trial":2,"wor'); // killed mid-write
  const r = new JournalStorage(path);
  assert.deepEqual(
    r.readNew().map((e) => (e as { trial: number }).trial),
    [0, 1],
  );
  j.locked(() => j.append([ev(3)]));
  assert.deepEqual(
    r.readNew().map((e) => (e as { trial: number }).trial),
    [3],
  );
  assert.equal(readFileSync(path, "utf8").split("\n").filter(Boolean).length, 3);
  writeFileSync(path, "not json\n");
  assert.throws(() => new JournalStorage(path).readNew(), /j\.jsonl: line 1: not a JSON journal event/);
});

test("a lock left by a dead process is broken; a live one is waited for", () => {
  const dir = tmp();
  const path = join(dir, "x.lock");
  writeFileSync(path, "999999999\n"); // no such pid
  const lock = new FileLock(path, 60_000, 2_000);
  assert.equal(
    lock.with(() => 42),
    42,
  );
  writeFileSync(path, `${process.pid}\n`); // held by a live process (us, through another handle)
  assert.throws(() => new FileLock(path, 60_000, 200).acquire(), /still held after 200 ms/);
});

test("a study killed (SIGKILL) mid-run repeatedly resumes without losing or repeating trials", async () => {
  const dir = tmp();
  const path = join(dir, "study.jsonl");
  const budget = 40;
  // Reference: the same study uninterrupted.
  const refPath = join(dir, "ref.jsonl");
  assert.equal(await exit(startWorker([refPath, budget, "0", 5, "evolution", 0])), 0);
  // Kill each run (SIGKILL) once it has told a few new trials, i.e. mid-run, usually mid-evaluation.
  let before = 0;
  for (let k = 0; k < 4; k++) {
    const p = startWorker([path, budget, "0", 5, "evolution", 25]);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && (!existsSync(path) || told(path).length < before + 3)) {
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, 7 * k));
    p.kill("SIGKILL");
    await exit(p);
    const now = told(path).length;
    assert.ok(now >= before + 3, "told trials never disappear");
    before = now;
  }
  assert.ok(before > 0 && before < budget, `the kills interrupted the study (${before} told)`);
  assert.equal(await exit(startWorker([path, budget, "0", 5, "evolution", 0])), 0);
  const t = told(path);
  assert.equal(t.length, budget, "exactly budget told trials");
  assert.equal(new Set(t.map((e) => e.key)).size, budget, "no architecture told twice");
  assert.equal(new Set(t.map((e) => e.trial)).size, budget, "no trial told twice");
  const asked = events(path).filter((e) => e.type === "asked");
  assert.ok(
    asked.length >= budget && asked.length <= budget + 4,
    `asked ${asked.length}: at most one re-run per kill`,
  );
  // Deterministic replay: the resumed study evaluated exactly the uninterrupted study's architectures.
  assert.deepEqual(
    t.map((e) => e.key).sort(),
    told(refPath)
      .map((e) => e.key)
      .sort(),
  );
});

test("two worker processes share one journal: budget exact, no duplicates", async () => {
  const path = join(tmp(), "shared.jsonl");
  const budget = 30;
  const codes = await Promise.all([
    exit(startWorker([path, budget, "a", 1, "random", 60])),
    exit(startWorker([path, budget, "b", 1, "random", 60])),
  ]);
  assert.deepEqual(codes, [0, 0]);
  const t = told(path);
  assert.equal(t.length, budget);
  assert.equal(new Set(t.map((e) => e.key)).size, budget);
  assert.equal(new Set(t.map((e) => e.trial)).size, budget);
  assert.ok(new Set(t.map((e) => e.worker)).size === 2, "both workers contributed");
});
