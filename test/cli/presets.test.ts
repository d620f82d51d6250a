/** `kirchhoff presets`, and chip configuration files wherever a preset goes (--preset, --hwa). */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { getPreset, PRESET_NAMES } from "../../src/analog/index.js";
import { runCli } from "../helpers/run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "kirchhoff-cli-presets-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("kirchhoff presets lists every preset and prints one as complete JSON without its name", async () => {
  const list = await runCli(["presets"]);
  assert.equal(list.code, 0, list.err);
  for (const n of PRESET_NAMES) assert.match(list.out, new RegExp(`^${n} +\\S`, "m"));
  const one = await runCli(["presets", "standard-hwa"]);
  assert.equal(one.code, 0, one.err);
  const { name: _, ...fields } = getPreset("standard-hwa");
  assert.deepEqual(JSON.parse(one.out), fields);
  const bad = await runCli(["presets", "hermez"]);
  assert.equal(bad.code, 1);
  assert.match(
    bad.err,
    /preset: expected a preset \(aihwkit-default, .*\) or an analog configuration \.json file/,
  );
});

test("a chip file evaluates a trained model and is recorded whole in drift.json", async () => {
  const run = join(dir, "run");
  const t = await runCli(["train", "-e", "1", "--max-train", "300", "--max-test", "50", "-o", run]);
  assert.equal(t.code, 0, t.err);
  const chip = join(dir, "quiet-chip.json");
  writeFileSync(
    chip,
    JSON.stringify({ extends: "hermes", forward: { outNoise: 0 }, mapping: { maxInputSize: 64 } }),
  );
  const out = join(dir, "eval");
  const e = await runCli(
    ["evaluate", "-w", join(run, "model.safetensors"), "-p", chip, "--max-test", "50"].concat([
      "--reps",
      "1",
      "--times",
      "1",
      "-o",
      out,
    ]),
  );
  assert.equal(e.code, 0, e.err);
  assert.match(e.out, /fashion-cnn on quiet-chip,/);
  const d = JSON.parse(readFileSync(join(out, "drift.json"), "utf8"));
  assert.equal(d.preset, "quiet-chip");
  assert.deepEqual(d.analogConfig, {
    ...getPreset("hermes"),
    name: "quiet-chip",
    forward: { ...getPreset("hermes").forward, outNoise: 0 },
    mapping: { ...getPreset("hermes").mapping, maxInputSize: 64 },
  });
});

test("bad preset flags fail before any training, naming the flag or file", async () => {
  const bad = join(dir, "bad-chip.json");
  writeFileSync(bad, JSON.stringify({ extends: "hermes", forward: { outNoise: -1 } }));
  for (const [args, re] of [
    [["--drift", "--preset", bad], /bad-chip\.json: invalid configuration: forward\.outNoise.*got -1/],
    [["--hwa", bad], /bad-chip\.json: invalid configuration: forward\.outNoise/],
    [["--drift", "--preset", "hermez"], /--preset: expected a preset/],
    [["--preset", "hermes"], /--preset: expected --drift as well, got "hermes"/],
    [["--hwa", join(dir, "missing.json")], /analog configuration .*missing\.json: cannot read \(ENOENT\)/],
  ] as const) {
    const out = join(dir, `never-${args.join("").replace(/\W/g, "")}`);
    const r = await runCli(["train", "-e", "1", "--max-train", "100", "-o", out, ...args]);
    assert.equal(r.code, 1, args.join(" "));
    assert.match(r.err, re);
    assert.doesNotMatch(r.err, /epoch/);
    assert.throws(() => readFileSync(join(out, "checkpoint.safetensors")), /ENOENT/, "no training ran");
  }
});
