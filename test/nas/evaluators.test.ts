import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { Rng } from "../../src/core/index.js";
import {
  AnalogNasSpace,
  analognasFeatureVector,
  createEvaluator,
  evaluatorNames,
  importXgboostJson,
  Nb201Space,
  registerEvaluator,
  TabularEvaluator,
  TabularTable,
  toAnalogNasConfig,
} from "../../src/nas/index.js";

const space = new Nb201Space();
const table = TabularTable.fromCsv(
  'architecture,acc,acc_d\n"(0, 2, 0, 3, 2, 2)",90.5,89.1 ± 0.4\n"(1, 1, 1, 1, 1, 1)",10.0,\n',
  { source: "mini.csv" },
);

test("tabular evaluator: mean ± std metrics, invalid for absent rows or empty cells, errors for unknown metrics", async () => {
  const ev = new TabularEvaluator(space, table, ["acc", "acc_d"]);
  assert.deepEqual(await ev.evaluate([0, 2, 0, 3, 2, 2]), {
    status: "ok",
    metrics: { acc: 90.5, acc_std: 0, acc_d: 89.1, acc_d_std: 0.4 },
    cost: 1,
  });
  assert.equal(ev.precheck([0, 0, 0, 0, 0, 0]), "architecture (0, 0, 0, 0, 0, 0) not in the table");
  assert.equal((await ev.evaluate([0, 0, 0, 0, 0, 0])).status, "invalid");
  const empty = await ev.evaluate([1, 1, 1, 1, 1, 1]);
  assert.equal(empty.status, "invalid");
  assert.throws(
    () => new TabularEvaluator(space, table, ["acc_1y"]),
    /metric "acc_1y" is not a column of the table \(columns: acc, acc_d\)/,
  );
});

test("evaluator registry: built-ins and a registered training evaluator", async () => {
  assert.ok(evaluatorNames().includes("tabular") && evaluatorNames().includes("surrogate"));
  registerEvaluator("fake-train", (ctx) => ({
    name: "fake-train",
    evaluate: async (g) => ({
      status: "ok",
      metrics: { [ctx.columns[0]!]: ctx.space.counts(g).params },
      cost: 60,
    }),
  }));
  const ev = await createEvaluator("fake-train", { space: space as never, columns: ["params"], options: {} });
  assert.deepEqual(await ev.evaluate([3, 3, 3, 3, 3, 3]), {
    status: "ok",
    metrics: { params: 241_306 },
    cost: 60,
  });
  await assert.rejects(
    createEvaluator("nope", { space: space as never, columns: [], options: {} }),
    /evaluator: expected one of/,
  );
  await assert.rejects(
    createEvaluator("tabular", { space: space as never, columns: ["acc"], options: {} }),
    /table: expected a file path/,
  );
});

const ibmModel = new URL(
  "../../../shared/reference/analognas/models/xgboost_avm.from_bst.json",
  import.meta.url,
).pathname;
test("surrogate evaluator scores analognas genomes with IBM's XGBoost model on their 22 features", {
  skip: !existsSync(ibmModel),
}, async () => {
  const an = new AnalogNasSpace();
  const ev = await createEvaluator("surrogate", {
    space: an as never,
    columns: ["avm"],
    options: { model: ibmModel, features: "analognas-x22" },
  });
  const model = importXgboostJson(JSON.parse(readFileSync(ibmModel, "utf8")));
  const rng = new Rng(2);
  for (let i = 0; i < 5; i++) {
    const g = an.sample(rng);
    const r = await ev.evaluate(g);
    assert.equal(r.status, "ok");
    const want = model.predict([analognasFeatureVector(toAnalogNasConfig(g))])[0]!;
    assert.equal(r.status === "ok" && r.metrics.avm, want);
  }
  await assert.rejects(
    createEvaluator("surrogate", {
      space: space as never,
      columns: ["avm"],
      options: { model: ibmModel, features: "analognas-x22" },
    }),
    /needs space "analognas"/,
  );
});
