/** Analog configurations of one's own as JSON: whole ones, and ones that extend a preset (analogConfigFromJson). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { analogConfigFromJson, getPreset, mergeConfig, PRESET_NAMES } from "../../src/analog/index.js";
import { KirchhoffError } from "../../src/core/index.js";

const isConfigError = (pattern: RegExp) => (e: unknown) =>
  e instanceof KirchhoffError && e.code === "config" && pattern.test(e.message);

test("every preset written as JSON reads back as the same configuration", () => {
  for (const name of PRESET_NAMES) {
    const { name: _, ...fields } = getPreset(name);
    const back = analogConfigFromJson(JSON.parse(JSON.stringify(fields)), "chip.json", "chip");
    assert.deepEqual(back, { ...getPreset(name), name: "chip" }, name);
  }
});

test("extends takes the preset and changes only the fields given", () => {
  const c = analogConfigFromJson(
    { extends: "hermes", forward: { outNoise: 0.02 }, mapping: { maxInputSize: 512 } },
    "low-noise.json",
    "low-noise",
  );
  const h = getPreset("hermes");
  assert.equal(c.name, "low-noise");
  assert.equal(c.forward.outNoise, 0.02);
  assert.equal(c.mapping.maxInputSize, 512);
  assert.deepEqual({ ...c.forward, outNoise: h.forward.outNoise }, h.forward);
  assert.deepEqual({ ...c.mapping, maxInputSize: h.mapping.maxInputSize }, h.mapping);
  assert.deepEqual(c.noiseModel, h.noiseModel);
  assert.equal(c.driftCompensation, h.driftCompensation);
  // a name in the file wins over the file's; null replaces (unlimited tiles)
  const n = analogConfigFromJson(
    { extends: "hermes", name: "mine", mapping: { maxOutputSize: null } },
    "x.json",
  );
  assert.equal(n.name, "mine");
  assert.equal(n.mapping.maxOutputSize, null);
  assert.equal(n.mapping.maxInputSize, 256);
});

test("a noise model of the same type merges, one of another type replaces the preset's", () => {
  const one = analogConfigFromJson({ extends: "hermes", noiseModel: { numDevices: 1 } }, "a.json");
  assert.deepEqual(one.noiseModel, { ...getPreset("hermes").noiseModel, numDevices: 1 });
  // hermes' numDevices would be an unknown key for the pcm model: the object is replaced, not merged
  const pcm = analogConfigFromJson(
    { extends: "hermes", noiseModel: { type: "pcm", gMaxMicroSiemens: 20 } },
    "b.json",
  );
  assert.equal(pcm.noiseModel.type, "pcm");
  assert.equal((pcm.noiseModel as { gMaxMicroSiemens: number }).gMaxMicroSiemens, 20);
  assert.deepEqual(mergeConfig({ a: { type: "x", k: 1 } }, { a: { type: "y" } }), { a: { type: "y" } });
  assert.deepEqual(mergeConfig({ a: [1, 2], b: 1 }, { a: [3] }), { a: [3], b: 1 });
});

test("bad configuration files name the file, the field and the value", () => {
  assert.throws(
    () => analogConfigFromJson([1, 2], "chip.json"),
    isConfigError(/^chip\.json: expected a JSON object/),
  );
  assert.throws(
    () => analogConfigFromJson({ extends: "hermez" }, "chip.json"),
    isConfigError(/chip\.json: extends: expected one of aihwkit-default, .*hermes.*, got "hermez"/),
  );
  assert.throws(
    () => analogConfigFromJson({ extends: "hermes", forward: { outNoise: -1 } }, "chip.json"),
    isConfigError(/chip\.json: invalid configuration: forward\.outNoise: .*\(got -1\)/),
  );
  assert.throws(
    () => analogConfigFromJson({ extends: "hermes", forward: { outNoize: 0.1 } }, "chip.json"),
    isConfigError(/chip\.json: .*forward: Unrecognized key: "outNoize"/),
  );
  assert.throws(
    () => analogConfigFromJson({ mapping: { maxInputSize: 0 } }, "chip.json"),
    isConfigError(/chip\.json: .*mapping\.maxInputSize.*got 0/),
  );
});
