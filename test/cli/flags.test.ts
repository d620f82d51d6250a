import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { intFlag, jsonFlag, numberFlag, readJsonFile } from "../../src/cli/flags.js";

test("numberFlag parses numbers and passes absent flags through", () => {
  assert.equal(numberFlag(undefined, "--lr"), undefined);
  assert.equal(numberFlag("0.05", "--lr", { positive: true }), 0.05);
  assert.equal(numberFlag("-3", "--x"), -3);
  assert.equal(intFlag("0", "--seed", 0), 0);
  assert.equal(intFlag("12", "--epochs"), 12);
});

test("numberFlag rejects bad values naming the flag, the rule and the text", () => {
  assert.throws(() => numberFlag("", "--budget"), /--budget: expected a number, got ""/);
  assert.throws(() => numberFlag("abc", "--budget"), /--budget: expected a number, got "abc"/);
  assert.throws(() => numberFlag("Infinity", "--budget"), /expected a number/);
  assert.throws(
    () => numberFlag("0", "--lr", { positive: true }),
    /--lr: expected a positive number, got "0"/,
  );
  assert.throws(() => intFlag("0", "--epochs"), /--epochs: expected an integer >= 1, got "0"/);
  assert.throws(() => intFlag("2.5", "--reps"), /--reps: expected an integer >= 1, got "2.5"/);
  assert.throws(
    () => numberFlag("1.5", "--trees", { integer: true }),
    /--trees: expected an integer, got "1.5"/,
  );
});

test("jsonFlag and readJsonFile name the flag or the file", () => {
  assert.deepEqual(jsonFlag("--params", '{"a":1}'), { a: 1 });
  assert.throws(() => jsonFlag("--params", "{a"), /--params: not valid JSON .*: \{a/);
  const dir = mkdtempSync(join(tmpdir(), "kirchhoff-flags-"));
  const good = join(dir, "good.json");
  writeFileSync(good, "[1,2]");
  assert.deepEqual(readJsonFile(good, "config"), [1, 2]);
  const bad = join(dir, "bad.json");
  writeFileSync(bad, "{oops");
  assert.throws(() => readJsonFile(bad, "config"), /config .*bad\.json: not valid JSON/);
  assert.throws(
    () => readJsonFile(join(dir, "missing.json"), "genome file"),
    /genome file .*missing\.json: cannot read \(ENOENT\)/,
  );
});
