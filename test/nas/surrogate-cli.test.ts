/** `kirchhoff surrogate fit|eval|import-xgboost` end to end (spawned CLI, temporary files). */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { importXgboostJson, loadPredictor } from "../../src/nas/index.js";

const root = new URL("../..", import.meta.url).pathname;
const XGB = new URL("../../../shared/reference/analognas/models/xgboost_avm.from_bst.json", import.meta.url)
  .pathname;
const REF = new URL("../../../shared/reference/analognas/surrogate_reference.json", import.meta.url).pathname;

function cli(args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", "src/cli/bin.ts", "surrogate", ...args], {
    cwd: root,
    encoding: "utf8",
  });
}

test("fit on a CSV (mean ± std cells, missing target skipped), then eval the saved model", () => {
  const dir = mkdtempSync(join(tmpdir(), "kirchhoff-sur-"));
  const lines = ["a,b,noise,score"];
  for (let i = 0; i < 120; i++) {
    const a = (i * 37) % 101;
    const b = (i * 11) % 7;
    lines.push(`${a},${b},${(i * 13) % 5},${i === 5 ? "" : `${a + 10 * b} ± 0.5`}`);
  }
  const csv = join(dir, "d.csv");
  writeFileSync(csv, `${lines.join("\r\n")}\r\n`);
  const out = join(dir, "m.json");
  const fit = cli([
    "fit",
    csv,
    "--target",
    "score",
    "--features",
    "a,b",
    "--trees",
    "80",
    "--learning-rate",
    "0.2",
    "-o",
    out,
  ]);
  assert.equal(fit.status, 0, fit.stderr);
  assert.match(fit.stdout, /fitted 80 trees on 119 rows × 2 features \(1 rows without target skipped\)/);
  const model = loadPredictor(JSON.parse(readFileSync(out, "utf8")));
  assert.equal(model.predict([[50, 3]]).length, 1);
  const ev = cli(["eval", out, csv, "--target", "score", "--features", "a,b", "--json"]);
  assert.equal(ev.status, 0, ev.stderr);
  const s = JSON.parse(ev.stdout) as Record<string, number>;
  assert.equal(s.n, 119);
  assert.ok(s.kendall_tau! > 0.9, `tau ${s.kendall_tau}`);
  assert.ok(s["ndcg@10"]! > 0.9);
});

test("import-xgboost converts IBM's model; the converted file predicts bit-identically", () => {
  const dir = mkdtempSync(join(tmpdir(), "kirchhoff-sur-"));
  const ref = JSON.parse(readFileSync(REF, "utf8")) as {
    configs: { x22: number[]; predictions: Record<string, number> }[];
  };
  const data = join(dir, "x22.json");
  writeFileSync(
    data,
    JSON.stringify({
      X: ref.configs.map((c) => c.x22),
      y: ref.configs.map((c) => c.predictions.xgboost_avm),
    }),
  );
  const out = join(dir, "avm.json");
  const r = cli(["import-xgboost", XGB, "-o", out, "--eval", data, "--json"]);
  assert.equal(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout) as {
    trees: number;
    features: number;
    eval: { kendall_tau: number; rmse: number };
  };
  assert.equal(s.trees, 100);
  assert.equal(s.features, 22);
  assert.equal(s.eval.kendall_tau, 1);
  assert.equal(s.eval.rmse, 0);
  const ours = loadPredictor(JSON.parse(readFileSync(out, "utf8")));
  const theirs = importXgboostJson(JSON.parse(readFileSync(XGB, "utf8")));
  const X = ref.configs.map((c) => c.x22);
  assert.deepEqual(Array.from(ours.predict(X)), Array.from(theirs.predict(X)));
});

test("bad files and flags are one-line errors naming the problem", () => {
  const dir = mkdtempSync(join(tmpdir(), "kirchhoff-sur-"));
  const notModel = join(dir, "x.json");
  writeFileSync(notModel, '{"hello": 1}');
  const cases: [string[], RegExp][] = [
    [["eval", notModel, notModel], /x.json: not a model/],
    [["import-xgboost", notModel], /x.json: missing field "learner"/],
    [["fit", notModel, "-o", join(dir, "m.json")], /x.json: expected \{"X"/],
    [
      ["fit", notModel, "-o", join(dir, "m.json"), "--trees", "many"],
      /--trees: expected an integer, got "many"/,
    ],
  ];
  for (const [args, re] of cases) {
    const r = cli(args);
    assert.equal(r.status, 1, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/);
  }
});
