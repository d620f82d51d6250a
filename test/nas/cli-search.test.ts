import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { main } from "../../src/cli/main.js";
import { Rng } from "../../src/core/index.js";
import { Nb201Space } from "../../src/nas/index.js";
import { SyntheticNb201Evaluator, syntheticScore } from "./fixtures/synthetic.js";

const dir = mkdtempSync(join(tmpdir(), "kirchhoff-search-"));

/** Runs `kirchhoff search ...` in this process, capturing stdout and stderr. */
async function cli(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const w1 = process.stdout.write.bind(process.stdout);
  const w2 = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string) => out.push(String(s)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => err.push(String(s)) > 0) as typeof process.stderr.write;
  try {
    const status = await main(["node", "kirchhoff", "search", ...args]);
    return { status, stdout: out.join(""), stderr: err.join("") };
  } finally {
    process.stdout.write = w1;
    process.stderr.write = w2;
  }
}

/** A small AnalogNAS-Bench-like CSV: 400 valid NB201 cells with "mean ± std" metrics. */
function writeTable(): string {
  const space = new Nb201Space();
  const ev = new SyntheticNb201Evaluator();
  const rng = new Rng(3);
  const rows = new Map<string, string>();
  while (rows.size < 400) {
    const g = space.sample(rng);
    if (ev.precheck(g) !== null) continue;
    const s = syntheticScore(g);
    rows.set(space.key(g), `"${space.key(g)}",${s.toFixed(2)} ± 0.50,${(s - 3).toFixed(2)} ± 1.00`);
  }
  const path = join(dir, "table.csv");
  writeFileSync(path, `architecture,acc_60,acc_86400\n${[...rows.values()].join("\n")}\n`);
  return path;
}
const table = writeTable();

test("kirchhoff search runs a study, prints the best and writes JSON; resumes from its journal", async () => {
  const journal = join(dir, "s.jsonl");
  const output = join(dir, "out.json");
  const args = [
    "--table",
    table,
    "--objective",
    "acc_86400",
    "--strategy",
    "evolution",
    "--seed",
    "4",
    "--journal",
    journal,
    "--output",
    output,
  ];
  const r = await cli([...args, "--budget", "25"]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /best of 25 trials/);
  assert.match(r.stderr, /trial 20\/25/); // not a TTY: one line every 10 trials
  const res = JSON.parse(readFileSync(output, "utf8")) as {
    trials: number;
    best: { key: string; params: number; tiles: number }[];
  };
  assert.equal(res.trials, 25);
  assert.ok(res.best.length > 0 && res.best[0]!.params > 0 && res.best[0]!.tiles > 0);
  assert.ok(!existsSync(`${output}.tmp-${process.pid}`));
  // Extend the same study: resumes, only 10 new evaluations.
  const r2 = await cli([...args, "--budget", "35"]);
  assert.equal(r2.status, 0, r2.stderr);
  assert.match(r2.stderr, /resuming from/);
  const told = readFileSync(journal, "utf8")
    .split("\n")
    .filter((l) => l.includes('"type":"told"'));
  assert.equal(told.length, 35);
  // A different study on the same journal is refused.
  const r3 = await cli([...args.map((a) => (a === "4" ? "5" : a)), "--budget", "35"]);
  assert.equal(r3.status, 1);
  assert.match(r3.stderr, /journal belongs to a different study/);
});

test("kirchhoff search from a config file, multi-objective with a drop objective and constraints", async () => {
  const config = join(dir, "cfg.json");
  const output = join(dir, "mo.json");
  writeFileSync(
    config,
    JSON.stringify({
      space: { name: "nb201" },
      evaluator: { name: "tabular", table },
      objectives: [{ metric: "acc_86400" }, { metric: "drop:acc_60:acc_86400" }],
      constraints: { maxParams: 800000 },
      strategy: { name: "nsga2", options: { populationSize: 8 } },
      budget: 20,
      seed: 1,
      output,
    }),
  );
  const r = await cli(["--config", config]);
  assert.equal(r.status, 0, r.stderr);
  const res = JSON.parse(readFileSync(output, "utf8")) as { best: { params: number }[] };
  assert.ok(res.best.every((b) => b.params <= 800000));
});

test("kirchhoff search: clear one-line errors for missing table, bad config, unknown metric", async () => {
  const noTable = await cli(["--budget", "5"]);
  assert.equal(noTable.status, 1);
  assert.match(
    noTable.stderr,
    /^kirchhoff: error: evaluator tabular: table: expected a file path \(e\.g\. --table <path>\)/,
  );
  const badMetric = await cli(["--table", table, "--objective", "acc_1y"]);
  assert.match(
    badMetric.stderr,
    /metric "acc_1y" is not a column of the table \(columns: acc_60, acc_86400\)/,
  );
  const cfg = join(dir, "bad.json");
  writeFileSync(cfg, JSON.stringify({ budget: -3 }));
  const bad = await cli(["--config", cfg]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /config .*bad\.json: budget: /);
  assert.doesNotMatch(bad.stderr + badMetric.stderr, /\n\s+at /, "no stack traces");
});
