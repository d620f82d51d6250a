import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { runCli } from "../helpers/run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "kirchhoff-cli-genome-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const cli = runCli;

const genome = {
  space: "dscnn",
  spaceOptions: { input: [28, 28, 1], classes: 10 },
  genome: { stemWidth: 32, stemKernel: [3, 3], stemStride: [2, 2], blocks: [{ width: 32, kernel: 3 }] },
};

test("kirchhoff train --genome trains a searched architecture and evaluate reads it back", async () => {
  const gPath = join(dir, "genome.json");
  writeFileSync(gPath, JSON.stringify(genome));
  const out = join(dir, "run");
  const r = await cli([
    "train",
    "--genome",
    gPath,
    "-e",
    "1",
    "--max-train",
    "300",
    "--max-test",
    "100",
    "-o",
    out,
    "--json",
  ]);
  assert.equal(r.code, 0, r.err);
  const res = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as { model: string };
  assert.equal(res.model, "genome:dscnn");
  const e = await cli([
    "evaluate",
    "--genome",
    gPath,
    "-w",
    join(out, "model.safetensors"),
    "--max-test",
    "50",
    "--reps",
    "1",
    "--times",
    "1,1d",
    "-o",
    join(dir, "eval"),
    "--json",
  ]);
  assert.equal(e.code, 0, e.err);
  const d = JSON.parse(e.out) as { model: string; points: { tInferenceSec: number }[] };
  assert.equal(d.model, "genome:dscnn");
  assert.deepEqual(
    d.points.map((p) => p.tInferenceSec),
    [1, 86400],
  );
});

test("a genome whose class count differs from the dataset is a clear error", async () => {
  const gPath = join(dir, "genome12.json");
  writeFileSync(gPath, JSON.stringify({ ...genome, spaceOptions: { input: [28, 28, 1], classes: 12 } }));
  const r = await cli(["train", "--genome", gPath, "-e", "1", "--max-train", "100", "-o", join(dir, "x")]);
  assert.equal(r.code, 1);
  assert.match(r.err, /12 outputs but the dataset has 10 classes/);
});

test("a malformed genome file names the file", async () => {
  const gPath = join(dir, "bad.json");
  writeFileSync(gPath, "{not json");
  const r = await cli(["train", "--genome", gPath, "-o", join(dir, "y")]);
  assert.equal(r.code, 1);
  assert.match(r.err, /genome file .*bad\.json: not valid JSON/);
});
