import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { KirchhoffError } from "../../src/core/index.js";
import {
  loadTabularCsv,
  parseCsv,
  parseMetricCell,
  readTextFile,
  TabularTable,
} from "../../src/nas/tabular/index.js";

const BENCH = new URL("../../../shared/reference/analognas-bench/nb201_cifar10_partial.csv", import.meta.url)
  .pathname;

test("parseCsv: quotes, commas and newlines inside quotes, doubled quotes, CRLF, BOM, line numbers", () => {
  const text = '\uFEFFa,b,c\r\n"x, y",2,"say ""hi"""\r\n"multi\r\nline",,3\r\n\r\nlast,5,6';
  const recs = parseCsv(text);
  assert.deepEqual(
    recs.map((r) => r.fields),
    [
      ["a", "b", "c"],
      ["x, y", "2", 'say "hi"'],
      ["multi\r\nline", "", "3"],
      ["last", "5", "6"],
    ],
  );
  assert.deepEqual(
    recs.map((r) => r.line),
    [1, 2, 3, 6],
  );
  assert.deepEqual(parseCsv("a,b\n1,2\n").length, 2);
  assert.throws(() => parseCsv('a,b\n"open,2\n', "f.csv"), /f.csv: line 2: unterminated quoted field/);
  assert.throws(
    () => parseCsv('a,b\n"x"y,2\n', "f.csv"),
    /f.csv: line 2: unexpected character "y" after a closing quote/,
  );
  assert.throws(() => parseCsv('a,b\nx"y,2\n', "f.csv"), /line 2: stray quote/);
});

test("parseMetricCell: mean ± std, +-, +/-, plain numbers, missing, garbage", () => {
  assert.deepEqual(parseMetricCell("87.4944 ± 0.3806"), { mean: 87.4944, std: 0.3806 });
  assert.deepEqual(parseMetricCell(" 1.5+-0.25 "), { mean: 1.5, std: 0.25 });
  assert.deepEqual(parseMetricCell("-2e-1 +/- 1E-2"), { mean: -0.2, std: 0.01 });
  assert.deepEqual(parseMetricCell("60.7836"), { mean: 60.7836, std: undefined });
  assert.equal(parseMetricCell(""), null);
  assert.equal(parseMetricCell("NaN"), null);
  assert.equal(parseMetricCell("abc"), undefined);
  assert.equal(parseMetricCell("1 ± "), undefined);
});

test("AnalogNAS-Bench NB201 CSV: counts, duplicates, anomalies, lookups", () => {
  const t = loadTabularCsv(BENCH);
  assert.deepEqual(t.keyColumns, ["architecture"]);
  assert.equal(t.metrics.length, 11);
  assert.ok(t.metrics.includes("finetuned_drift_86400"));
  assert.equal(t.rawRows().length, 6135);
  assert.equal(t.size, 6115);
  assert.equal(t.duplicateKeys.length, 14);
  // The file's README: 6,111 complete rows; the 4 others miss cells or hold a truncated "8" (line 1641).
  assert.equal(t.completeKeys().length, 6111);
  assert.deepEqual(
    t.anomalies.map((a) => [a.line, a.column, a.text]),
    [[1641, "finetuned_drift_86400", "8"]],
  );
  assert.equal(t.get([0, 2, 3, 0, 3, 0], "finetuned_drift_86400"), null);
  assert.deepEqual(t.get([0, 0, 0, 0, 0, 1], "finetuned_drift_86400"), { mean: 73.43, std: 1.69 });
  assert.deepEqual(t.get("(0, 0, 0, 0, 0, 1)", "finetuned_drift_60"), { mean: 75.2, std: 1.98 });
  assert.deepEqual(t.get("0,0,0,0,0,0", "baseline_accuracy"), { mean: 60.7836, std: undefined });
  // Incomplete rows are kept, their missing metrics reported as null.
  assert.ok(t.has([0, 4, 0, 2, 2, 3]));
  assert.equal(t.get([0, 4, 0, 2, 2, 3], "baseline_accuracy"), null);
  assert.equal(t.get([0, 4, 0, 2, 2, 3], "finetuned_drift_86400")!.mean, 88.2852);
  // Repeated keys: the first row wins.
  assert.equal(t.get([4, 3, 4, 3, 0, 0], "finetuned_drift_86400")!.mean, 65.44);
  assert.equal(t.keysWith("finetuned_drift_86400").length, 6113);
  const best = Math.max(
    ...t.keysWith("finetuned_drift_86400").map((k) => t.get(k, "finetuned_drift_86400")!.mean),
  );
  assert.equal(best, 90.07);
  assert.deepEqual(t.keyNumbers(t.keys()[1]!), [0, 0, 0, 0, 0, 1]);
});

test("unknown architectures and metrics name close matches", () => {
  const t = loadTabularCsv(BENCH);
  assert.throws(
    () => t.get([0, 0, 0, 0, 0, 7], "baseline_accuracy"),
    (e: unknown) =>
      e instanceof KirchhoffError &&
      /nb201_cifar10_partial.csv: unknown architecture "0,0,0,0,0,7" \(closest: 0,0,0,0,0,0/.test(e.message),
  );
  assert.throws(
    () => t.get([0, 0, 0, 0, 0, 1], "finetuned_drift_1day"),
    /unknown metric "finetuned_drift_1day" \(closest: finetuned_drift_/,
  );
});

test("configurable key columns (e1..e6), ignored columns, and malformed rows with file/line/column", () => {
  const csv = "e1,e2,e3,e4,e5,e6,note,acc\r\n0,1,2,3,4,0,hello,91.5 ± 0.5\r\n1,1,1,1,1,1,x,\r\n";
  const t = TabularTable.fromCsv(csv, { ignoreColumns: ["note"], source: "mini.csv" });
  assert.deepEqual(t.keyColumns, ["e1", "e2", "e3", "e4", "e5", "e6"]);
  assert.deepEqual(t.metrics, ["acc"]);
  assert.deepEqual(t.get([0, 1, 2, 3, 4, 0], "acc"), { mean: 91.5, std: 0.5 });
  assert.equal(t.get("1,1,1,1,1,1", "acc"), null);
  const custom = TabularTable.fromCsv("id,acc\na,1\nb,2\n", { keyColumns: ["id"] });
  assert.equal(custom.get("b", "acc")!.mean, 2);
  assert.throws(
    () => TabularTable.fromCsv("e1,e2,e3,e4,e5,e6,acc\n0,0,0,0,0,0,fast\n", { source: "m.csv" }),
    /m.csv: line 2, column "acc": expected a number, "mean ± std" or empty, got "fast"/,
  );
  assert.throws(
    () => TabularTable.fromCsv('architecture,acc\n"(0, 1)",1,2\n', { source: "m.csv" }),
    /m.csv: line 2: 3 fields, the header has 2/,
  );
  assert.throws(
    () => TabularTable.fromCsv("name,acc\nx,1\n", { source: "m.csv" }),
    /m.csv: no "architecture" or e1..e6 columns/,
  );
  assert.throws(
    () => TabularTable.fromCsv("id,acc\nx,1\n", { keyColumns: ["idx"], source: "m.csv" }),
    /m.csv: no column "idx".*closest: id/,
  );
  assert.throws(
    () =>
      TabularTable.fromCsv("id,acc\nx,1\nx,2\n", {
        keyColumns: ["id"],
        onDuplicate: "error",
        source: "m.csv",
      }),
    /m.csv: line 3: architecture x already on line 2/,
  );
  assert.throws(() => TabularTable.fromCsv("", { source: "m.csv" }), /m.csv: empty file/);
});

test("loadTabularCsv names a missing file", () => {
  const dir = mkdtempSync(join(tmpdir(), "kirchhoff-tab-"));
  assert.throws(() => loadTabularCsv(join(dir, "nope.csv")), /nope.csv: cannot read \(ENOENT\)/);
  writeFileSync(join(dir, "ok.csv"), 'architecture,acc\n"(1, 2)",3 ± 1\n');
  assert.equal(loadTabularCsv(join(dir, "ok.csv")).get([1, 2], "acc")!.std, 1);
});

test("readTextFile names what and where, with the OS reason", () => {
  const dir = mkdtempSync(join(tmpdir(), "kirchhoff-tab-"));
  assert.throws(
    () => readTextFile(join(dir, "cfg.json"), "search config"),
    (e: unknown) =>
      e instanceof KirchhoffError && /^search config .*cfg\.json: cannot read \(ENOENT\)$/.test(e.message),
  );
  writeFileSync(join(dir, "t.txt"), "héllo\n");
  assert.equal(readTextFile(join(dir, "t.txt")), "héllo\n");
});
