/**
 * Bit-exact XGBoost import: every model and every configuration of the reference file (override the path with
 * KIRCHHOFF_SURROGATE_REFERENCE; model files are resolved relative to the reference file's folder).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { test } from "node:test";
import { KirchhoffError } from "../../src/core/index.js";
import {
  type AnalogNasConfig,
  analognasFeatureVector,
  importXgboostJson,
  loadPredictor,
  type TreeEnsemble,
} from "../../src/nas/surrogate/index.js";

const REF =
  process.env.KIRCHHOFF_SURROGATE_REFERENCE ??
  new URL("../../../shared/reference/analognas/surrogate_reference.json", import.meta.url).pathname;

interface RefModel {
  file: string;
  input: string;
  num_trees: number;
  trees_used_by_XGBRegressor_predict?: number;
  base_score_f32_hex?: string;
}
interface RefConfig {
  id: number;
  config: AnalogNasConfig;
  predictions_f32_hex: Record<string, string>;
  predictions_XGBRegressor?: Record<string, number>;
  [input: string]: unknown;
}
/** Python's json module writes NaN (a missing feature) as a bare NaN token; read it as null = missing. */
function parseLenient(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return JSON.parse(text.replace(/\bNaN\b/g, "null"));
  }
}

const ref = parseLenient(readFileSync(REF, "utf8")) as {
  models: Record<string, RefModel>;
  configs: RefConfig[];
  feature_order_x22: string[];
  feature_order_x17: string[];
};

const view = new DataView(new ArrayBuffer(4));
function f32hex(x: number): string {
  view.setFloat32(0, x);
  return `0x${view.getUint32(0).toString(16).padStart(8, "0")}`;
}

function loadModel(name: string): TreeEnsemble {
  const file = resolve(dirname(REF), ref.models[name]!.file);
  return importXgboostJson(JSON.parse(readFileSync(file, "utf8")), file);
}

test("reference file lists models and configurations", () => {
  assert.ok(Object.keys(ref.models).length > 0);
  assert.ok(ref.configs.length > 0);
});

for (const [name, meta] of Object.entries(ref.models)) {
  test(`XGBoost import ${name}: Booster.predict bit-exact on every configuration`, () => {
    const model = loadModel(name);
    assert.equal(model.trees.length, meta.num_trees);
    if (meta.base_score_f32_hex && model.transform === "identity")
      assert.equal(f32hex(model.baseScore), meta.base_score_f32_hex);
    const X = ref.configs.map((c) => c[meta.input] as number[]);
    const pred = model.predict(X);
    let mismatches = 0;
    const first: string[] = [];
    ref.configs.forEach((c, i) => {
      const want = c.predictions_f32_hex[name];
      assert.ok(want, `config ${c.id} has no prediction for ${name}`);
      if (f32hex(pred[i]!) !== want) {
        mismatches++;
        if (first.length < 3) first.push(`config ${c.id}: got ${f32hex(pred[i]!)} want ${want}`);
      }
    });
    assert.equal(mismatches, 0, first.join("; "));
  });

  test(`XGBoost import ${name}: XGBRegressor.predict (best_iteration trees)`, () => {
    const model = loadModel(name);
    if (meta.trees_used_by_XGBRegressor_predict !== undefined) {
      assert.equal(model.treeCount({ useBestIteration: true }), meta.trees_used_by_XGBRegressor_predict);
    }
    const X = ref.configs.map((c) => c[meta.input] as number[]);
    const pred = model.predict(X, { useBestIteration: true });
    ref.configs.forEach((c, i) => {
      const want = c.predictions_XGBRegressor?.[name];
      if (want !== undefined) assert.equal(f32hex(pred[i]!), f32hex(want), `config ${c.id}`);
    });
  });
}

test("imported models survive our JSON format unchanged (toJSON → loadPredictor)", () => {
  for (const [name, meta] of Object.entries(ref.models)) {
    const model = loadModel(name);
    const back = loadPredictor(JSON.parse(JSON.stringify(model.toJSON())));
    const X = ref.configs.map((c) => c[meta.input] as number[]);
    assert.deepEqual(Array.from(back.predict(X)), Array.from(model.predict(X)), name);
  }
});

test("analognasFeatureVector reproduces x22 and x17 (float32, as XGBoost sees them) for every configuration", () => {
  for (const c of ref.configs) {
    for (const layout of ["x22", "x17"] as const) {
      const want = c[layout] as number[] | undefined;
      if (!want) continue;
      const got = analognasFeatureVector(c.config, layout).map(Math.fround);
      assert.deepEqual(got, want, `config ${c.id} ${layout}`);
    }
  }
});

test("IBM models score AnalogNAS configs through analognasFeatureVector exactly", () => {
  for (const [name, meta] of Object.entries(ref.models)) {
    if (meta.input !== "x22" && meta.input !== "x17") continue;
    const model = loadModel(name);
    const X = ref.configs.map((c) => analognasFeatureVector(c.config, meta.input as "x22" | "x17"));
    const pred = model.predict(X);
    ref.configs.forEach((c, i) => {
      assert.equal(f32hex(pred[i]!), c.predictions_f32_hex[name], `${name} config ${c.id}`);
    });
  }
});

test("analognasFeatureVector names a missing field", () => {
  const bad = { ...ref.configs[0]!.config } as Partial<AnalogNasConfig>;
  delete bad.B3;
  assert.throws(
    () => analognasFeatureVector(bad as AnalogNasConfig),
    (e: unknown) => e instanceof KirchhoffError && /B3/.test(e.message),
  );
});

// biome-ignore lint/suspicious/noExplicitAny: hand-built XGBoost JSON fixtures are patched freely below
type Json = Record<string, any>;

function tinyModel(patch: (m: Json) => void): unknown {
  const m: Json = {
    learner: {
      attributes: {},
      feature_names: [],
      learner_model_param: { base_score: "5E-1", num_class: "0", num_feature: "2" },
      objective: { name: "reg:squarederror" },
      gradient_booster: {
        name: "gbtree",
        model: {
          tree_info: [0],
          trees: [
            {
              left_children: [1, -1, -1],
              right_children: [2, -1, -1],
              split_indices: [1, 0, 0],
              split_conditions: [0.5, -1.25, 2.5],
              default_left: [1, 0, 0],
              split_type: [0, 0, 0],
            },
          ],
        },
      },
    },
  };
  patch(m);
  return m;
}

test("hand-built model: threshold is strict (<), NaN follows default_left, logistic transform", () => {
  const m = importXgboostJson(tinyModel(() => {}));
  assert.deepEqual(
    Array.from(
      m.predict([
        [0, 0.4],
        [0, 0.5],
        [0, Number.NaN],
      ]),
    ),
    [-0.75, 3, -0.75],
  );
  assert.deepEqual(Array.from(m.predict([[0, null as unknown as number]])), [-0.75], "null is missing too");
  const v2 = importXgboostJson(tinyModel((j) => (j.learner.learner_model_param.base_score = "[2.5E-1]")));
  assert.equal(v2.baseScore, 0.25, "XGBoost 2.x base_score spelling");
  const logit = importXgboostJson(tinyModel((j) => (j.learner.objective.name = "binary:logistic")));
  // base_score 0.5 → margin 0; sigmoid(2.5) in float32.
  assert.equal(logit.predict([[0, 1]])[0], Math.fround(1 / (1 + Math.exp(-2.5))));
});

test("unsupported or broken XGBoost models give clear errors", () => {
  const cases: [string, (m: Json) => void, RegExp][] = [
    ["objective", (m) => (m.learner.objective.name = "multi:softprob"), /unsupported.*multi:softprob/],
    ["classes", (m) => (m.learner.learner_model_param.num_class = "3"), /multi-class/],
    ["categorical", (m) => (m.learner.gradient_booster.model.trees[0].split_type = [1, 0, 0]), /categorical/],
    ["booster", (m) => (m.learner.gradient_booster.name = "gblinear"), /booster "gblinear"/],
    ["child", (m) => (m.learner.gradient_booster.model.trees[0].left_children = [7, -1, -1]), /children 7/],
    ["feature", (m) => (m.learner.gradient_booster.model.trees[0].split_indices = [5, 0, 0]), /feature 5/],
    [
      "length",
      (m) => (m.learner.gradient_booster.model.trees[0].split_conditions = [0.5]),
      /split_conditions has 1/,
    ],
    ["learner", (m) => delete m.learner, /missing field "learner"/],
  ];
  for (const [label, patch, re] of cases) {
    assert.throws(
      () => importXgboostJson(tinyModel(patch), "m.json"),
      (e: unknown) => e instanceof KirchhoffError && re.test(e.message),
      label,
    );
  }
  assert.throws(() => importXgboostJson("{not json", "m.json"), /m.json: not valid JSON/);
  const m = importXgboostJson(tinyModel(() => {}));
  assert.throws(() => m.predict([[1, 2, 3]]), /row 0 has 3 features, the model expects 2/);
});
