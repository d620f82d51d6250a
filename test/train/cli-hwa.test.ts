/** `kirchhoff train` HWA flags (noise type/scale, drift time or range, digital layers, distillation) and
 * `kirchhoff evaluate --digital-layers`. */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { hwaConfigFromFlags, parseHwaTime } from "../../src/cli/commands/hwa-options.js";
import { runCli } from "../helpers/run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "kirchhoff-cli-hwa-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const small = ["-m", "fashion-mlp", "-e", "1", "--max-train", "500", "--max-test", "100", "--seed", "2"];

describe("HWA flags", () => {
  it("--hwa-time parses a time or a log-uniform range", () => {
    assert.deepEqual(parseHwaTime("1mo"), { tInferenceSec: 2_592_000 });
    assert.deepEqual(parseHwaTime("3600"), { tInferenceSec: 3600 });
    assert.deepEqual(parseHwaTime("1h..1y"), { tRangeSec: [3600, 31_536_000] });
    for (const bad of ["soon", "1y..1h", "1h..", "0", "1h..1d..1y"]) {
      assert.throws(() => parseHwaTime(bad), /--hwa-time/, bad);
    }
  });

  it("flags map onto the HWA configuration of the preset", () => {
    assert.equal(hwaConfigFromFlags({}), null);
    const def = hwaConfigFromFlags({ hwa: "hermes" })!;
    assert.equal(def.weightNoise.type, "pcmProg");
    assert.equal(def.digitalLayers, "none");
    const add = hwaConfigFromFlags({ hwa: "hermes", hwaNoise: "additive", hwaNoiseScale: "0.02" })!;
    assert.deepEqual(add.weightNoise, { type: "addNormal", stdDev: 0.02 });
    const chip = hwaConfigFromFlags({
      hwa: "hermes",
      hwaNoise: "chip",
      hwaNoiseScale: "1.5",
      hwaTime: "1h..1y",
      digitalLayers: "depthwise",
    })!;
    assert.deepEqual(chip.weightNoise, { type: "chip", stdDev: 1.5, tRangeSec: [3600, 31_536_000] });
    assert.equal(chip.digitalLayers, "depthwise");
    const fixed = hwaConfigFromFlags({ hwa: "hermes", hwaNoise: "chip", hwaTime: "1d" })!;
    assert.equal(fixed.weightNoise.tInferenceSec, 86_400);
    assert.equal(fixed.weightNoise.tRangeSec, undefined);
    assert.deepEqual(def.bnCalibration, { batches: 16 }, "BatchNorm calibration on by default");
    assert.equal(hwaConfigFromFlags({ hwa: "hermes", hwaBnCalibration: "0" })!.bnCalibration, null);
    assert.deepEqual(hwaConfigFromFlags({ hwa: "hermes", hwaBnCalibration: "4" })!.bnCalibration, {
      batches: 4,
    });
    for (const [f, re] of [
      [{ hwa: "hermes", hwaNoise: "gauss" }, /--hwa-noise/],
      [{ hwa: "hermes", hwaNoise: "additive" }, /--hwa-noise-scale/],
      [{ hwa: "hermes", hwaNoiseScale: "-1" }, /--hwa-noise-scale/],
      [{ hwa: "hermes", hwaTime: "1h..1y" }, /--hwa-time.*chip/],
      [{ hwa: "hermes", hwaNoise: "additive", hwaNoiseScale: "0.05", hwaTime: "1d" }, /--hwa-time/],
      [{ hwa: "hermes", digitalLayers: "all" }, /--digital-layers/],
      [{ hwaNoise: "chip" }, /--hwa-noise.*--hwa/],
      [{ hwa: "hermes", distill: true }, /--teacher/],
      [{ hwa: "hermes", teacher: "t.safetensors" }, /--distill/],
      [{ hwa: "hermes", hwaBnCalibration: "1.5" }, /--hwa-bn-calibration.*integer >= 0/],
      [{ hwaBnCalibration: "8" }, /--hwa-bn-calibration.*--hwa/],
    ] as const) {
      assert.throws(() => hwaConfigFromFlags(f), re, JSON.stringify(f));
    }
  });

  it("train: chip noise over 1h..1y with distillation, --drift with digital layers recorded; evaluate too", async () => {
    const teacherRun = join(dir, "teacher");
    const t = await runCli(["train", ...small, "-o", teacherRun]);
    assert.equal(t.code, 0, t.err);
    const teacherAcc = JSON.parse(readFileSync(join(teacherRun, "results.json"), "utf8")).testAccuracy;
    const run = join(dir, "hwa");
    const r = await runCli([
      "train",
      ...small,
      "--lr",
      "0.01",
      "--hwa",
      "hermes",
      "--hwa-noise",
      "chip",
      "--hwa-noise-scale",
      "1.5",
      "--hwa-time",
      "1h..1y",
      "--digital-layers",
      "depthwise",
      "--distill",
      "--teacher",
      join(teacherRun, "model.safetensors"),
      "--drift",
      "--adabs",
      "2",
      "--reps",
      "1",
      "--times",
      "1,1mo",
      "-o",
      run,
    ]);
    assert.equal(r.code, 0, r.err);
    const res = JSON.parse(readFileSync(join(run, "results.json"), "utf8"));
    assert.deepEqual(res.hwaWeightNoise, { type: "chip", stdDev: 1.5, tRangeSec: [3600, 31_536_000] });
    assert.equal(res.digitalLayers, "depthwise");
    assert.deepEqual(res.hwaBnCalibration, { batches: 16 });
    assert.deepEqual(res.distill, {
      temperature: 4,
      alpha: 0.5,
      teacher: join(teacherRun, "model.safetensors"),
    });
    assert.equal(res.drift.points.length, 2);
    assert.equal(res.drift.adaBsBatches, 2);
    // Fine-tuned from the teacher: one low-lr epoch keeps it near (not far below) the teacher's accuracy.
    assert.ok(res.testAccuracy > teacherAcc - 15, `HWA ${res.testAccuracy} vs teacher ${teacherAcc}`);
    const e = await runCli([
      "evaluate",
      "-m",
      "fashion-mlp",
      "-w",
      join(run, "model.safetensors"),
      "--reps",
      "1",
      "--times",
      "1",
      "--max-test",
      "100",
      "--digital-layers",
      "depthwise",
      "--json",
      "-o",
      join(dir, "eval"),
    ]);
    assert.equal(e.code, 0, e.err);
    assert.equal(JSON.parse(e.out).digitalLayers, "depthwise");
    const bad = await runCli(["evaluate", "-w", join(run, "model.safetensors"), "--digital-layers", "x"]);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /^kirchhoff: error: .*--digital-layers/);
  });
});
