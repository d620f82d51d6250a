import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { DRIFT_CSV_COLUMNS } from "../../src/train/index.js";
import { runCli } from "../helpers/run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "kirchhoff-cli-train-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const cli = runCli;

describe("kirchhoff train / evaluate", () => {
  const run = join(dir, "run");

  it("train on the embedded dataset writes checkpoint, model, results and history", async () => {
    const r = await cli([
      "train",
      "-m",
      "fashion-mlp",
      "--epochs",
      "2",
      "--max-train",
      "600",
      "--max-test",
      "200",
      "-o",
      run,
      "--seed",
      "3",
    ]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /fashion-mlp on fashion-mnist-subset: test accuracy \d+\.\d+ %/);
    assert.match(r.err, /epoch 2: loss/);
    for (const f of ["checkpoint.safetensors", "model.safetensors", "results.json", "history.csv"]) {
      assert.ok(existsSync(join(run, f)), f);
    }
    const res = JSON.parse(readFileSync(join(run, "results.json"), "utf8"));
    assert.equal(res.epochs, 2);
    assert.ok(res.testAccuracy > 50, `test accuracy ${res.testAccuracy}`);
    assert.equal(readFileSync(join(run, "history.csv"), "utf8").trim().split("\n").length, 3);
  });

  it("--resume continues from the checkpoint instead of starting over", async () => {
    const r = await cli([
      "train",
      "-m",
      "fashion-mlp",
      "--epochs",
      "3",
      "--max-train",
      "600",
      "--max-test",
      "200",
      "-o",
      run,
      "--seed",
      "3",
      "--resume",
    ]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /resuming after epoch 2/);
    assert.doesNotMatch(r.err, /epoch 1: loss/);
    assert.equal(JSON.parse(readFileSync(join(run, "results.json"), "utf8")).history.length, 3);
  });

  it("evaluate reports accuracy over drift as table, JSON and CSV", async () => {
    const out = join(dir, "eval");
    const r = await cli([
      "evaluate",
      "-m",
      "fashion-mlp",
      "-w",
      join(run, "model.safetensors"),
      "--reps",
      "2",
      "--times",
      "1,1mo",
      "--max-test",
      "200",
      "-o",
      out,
    ]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /2 programmings/);
    assert.match(r.out, /drop 1 s → 1 month/);
    const csv = readFileSync(join(out, "drift.csv"), "utf8").trim().split("\n");
    assert.equal(csv[0], DRIFT_CSV_COLUMNS.join(","));
    assert.equal(csv.length, 3);
    const j = JSON.parse(readFileSync(join(out, "drift.json"), "utf8"));
    assert.equal(j.reps, 2);
    assert.equal(j.points[1].tInferenceSec, 2_592_000);
    assert.equal(j.adaBsBatches, 0);
  });

  it("bad input gives one error line and exit code 1", async () => {
    for (const args of [
      ["train", "--model", "resnet9"],
      ["train", "--epochs", "0"],
      ["train", "--data", join(dir, "missing")],
      ["train", "--hwa", "nochip", "--max-train", "100"],
      ["evaluate", "-w", join(dir, "missing.safetensors")],
      ["evaluate", "-m", "fashion-mlp", "-w", join(run, "model.safetensors"), "--times", "soon"],
      ["evaluate", "-w", join(run, "model.safetensors"), "--model", "fashion-cnn"],
      ["evaluate", "-m", "fashion-mlp", "-w", join(run, "model.safetensors"), "--adabs", "0"],
    ]) {
      const r = await cli(args);
      assert.equal(r.code, 1, `${args.join(" ")}: ${r.err}`);
      assert.match(r.err, /^kirchhoff: error: /, args.join(" "));
      assert.doesNotMatch(r.err, /\n\s+at /, args.join(" "));
    }
  });
});
