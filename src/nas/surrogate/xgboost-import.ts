/**
 * Imports XGBoost JSON models (as written by Booster.save_model("*.json"), XGBoost 1.x) into a float32
 * TreeEnsemble whose predictions equal xgboost 1.7.4's Booster.predict bit for bit (checked against every model
 * and configuration of shared/reference/analognas/surrogate_reference.json). Supported: gbtree and dart
 * boosters, numerical splits, NaN as missing, single-output objectives. Categorical splits, gblinear and
 * multi-class models are refused with a clear error.
 */
import { KirchhoffError } from "../../core/index.js";
import { type OutputTransform, type TreeArrays, TreeEnsemble } from "./tree-ensemble.js";

const f32 = Math.fround;

/** Objectives whose prediction is the raw margin. */
const IDENTITY = new Set([
  "reg:squarederror",
  "reg:linear",
  "reg:squaredlogerror",
  "reg:pseudohubererror",
  "reg:absoluteerror",
  "reg:quantileerror",
  "binary:logitraw",
  "rank:pairwise",
  "rank:ndcg",
  "rank:map",
]);
const SIGMOID = new Set(["reg:logistic", "binary:logistic"]);
const EXP = new Set(["count:poisson", "reg:gamma", "reg:tweedie", "survival:cox"]);

/**
 * Builds a TreeEnsemble from an XGBoost JSON model (parsed object or JSON text). `where` names the source
 * (e.g. the file path) in error messages. The XGBoost `best_iteration` attribute is kept: pass
 * `{ useBestIteration: true }` to predict() to reproduce XGBRegressor.predict, which uses only those trees.
 */
export function importXgboostJson(json: unknown, where = "XGBoost JSON model"): TreeEnsemble {
  let root = json;
  if (typeof json === "string") {
    try {
      root = JSON.parse(json);
    } catch (err) {
      throw new KirchhoffError("data", `${where}: not valid JSON (${(err as Error).message})`);
    }
  }
  const learner = field(root, "learner", where);
  const param = field(learner, "learner_model_param", `${where}: learner`);
  const nFeatures = intOf(
    field(param, "num_feature", `${where}: learner_model_param`),
    `${where}: num_feature`,
  );
  const numClass = intOf(param.num_class ?? "0", `${where}: num_class`);
  if (numClass > 1) throw unsupported(where, `multi-class models (num_class = ${numClass})`);
  if (param.num_target !== undefined && intOf(param.num_target, `${where}: num_target`) > 1) {
    throw unsupported(where, `multi-target models (num_target = ${param.num_target})`);
  }
  const objective = String(field(field(learner, "objective", where), "name", `${where}: objective`));
  // XGBoost 2.x writes base_score as "[5E-1]"; 1.x as "5E-1".
  const rawBase = field(param, "base_score", `${where}: learner_model_param`) as unknown;
  const baseText = typeof rawBase === "string" ? rawBase.replace(/^\[(.*)\]$/, "$1") : rawBase;
  const base = f32(numOf(baseText, `${where}: base_score`));
  let transform: OutputTransform;
  let baseMargin: number;
  if (IDENTITY.has(objective)) {
    transform = "identity";
    baseMargin = base;
  } else if (SIGMOID.has(objective)) {
    transform = "sigmoid";
    baseMargin = f32(-f32(Math.log(f32(f32(1 / base) - 1)))); // XGBoost ProbToMargin in float32
  } else if (EXP.has(objective)) {
    transform = "exp";
    baseMargin = f32(Math.log(base));
  } else {
    throw unsupported(where, `objective "${objective}"`);
  }

  const booster = field(learner, "gradient_booster", where);
  const name = String(booster.name);
  let model: Record<string, unknown>;
  let treeWeights: Float64Array | undefined;
  if (name === "gbtree") model = field(booster, "model", `${where}: gradient_booster`);
  else if (name === "dart") {
    model = field(
      field(booster, "gbtree", `${where}: gradient_booster`),
      "model",
      `${where}: gradient_booster.gbtree`,
    );
    const w = booster.weight_drop;
    if (!Array.isArray(w))
      throw new KirchhoffError("data", `${where}: dart booster without weight_drop array`);
    treeWeights = Float64Array.from(w.map((v, i) => f32(numOf(v, `${where}: weight_drop[${i}]`))));
  } else throw unsupported(where, `booster "${name}"`);

  const rawTrees = model.trees;
  if (!Array.isArray(rawTrees))
    throw new KirchhoffError("data", `${where}: gradient_booster.model.trees: expected an array`);
  const info = model.tree_info;
  if (Array.isArray(info) && info.some((g) => g !== 0))
    throw unsupported(where, "trees for several output groups");
  const trees = rawTrees.map((t, i) => convertTree(t, `${where}: trees[${i}]`));
  if (treeWeights && treeWeights.length !== trees.length) {
    throw new KirchhoffError(
      "data",
      `${where}: weight_drop has ${treeWeights.length} entries for ${trees.length} trees`,
    );
  }

  const attrs = (learner.attributes ?? {}) as Record<string, unknown>;
  const best =
    attrs.best_iteration !== undefined ? intOf(attrs.best_iteration, `${where}: best_iteration`) : undefined;
  const names =
    Array.isArray(learner.feature_names) && learner.feature_names.length > 0
      ? learner.feature_names
      : undefined;
  return new TreeEnsemble({
    nFeatures,
    baseScore: baseMargin,
    trees,
    precision: "float32",
    transform,
    objective,
    ...(treeWeights ? { treeWeights } : {}),
    ...(best !== undefined ? { bestIteration: best } : {}),
    ...(names ? { featureNames: names.map(String) } : {}),
  });
}

function convertTree(raw: unknown, where: string): TreeArrays {
  const t = asObj(raw, where);
  const arr = (k: string) => {
    const v = t[k];
    if (!Array.isArray(v)) throw new KirchhoffError("data", `${where}: ${k}: expected an array`);
    return v.map((x, i) => numOf(x, `${where}: ${k}[${i}]`));
  };
  const left = arr("left_children");
  const right = arr("right_children");
  const idx = arr("split_indices");
  const cond = arr("split_conditions");
  const defLeft = arr("default_left");
  const splitType = Array.isArray(t.split_type) ? arr("split_type") : [];
  if (splitType.some((s) => s !== 0)) throw unsupported(where, "categorical splits");
  const n = left.length;
  for (const [k, v] of [
    ["right_children", right],
    ["split_indices", idx],
    ["split_conditions", cond],
    ["default_left", defLeft],
  ] as const) {
    if (v.length !== n)
      throw new KirchhoffError("data", `${where}: ${k} has ${v.length} entries, left_children has ${n}`);
  }
  const out: TreeArrays = {
    feature: new Int32Array(n),
    threshold: new Float64Array(n),
    left: new Int32Array(n),
    right: new Int32Array(n),
    defaultLeft: new Uint8Array(n),
    value: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const leaf = left[i] === -1;
    out.left[i] = leaf ? -1 : left[i]!;
    out.right[i] = leaf ? -1 : right[i]!;
    out.feature[i] = leaf ? 0 : idx[i]!;
    // XGBoost stores a leaf's output in split_conditions; everything is float32 inside XGBoost.
    out.threshold[i] = leaf ? 0 : f32(cond[i]!);
    out.value[i] = leaf ? f32(cond[i]!) : 0;
    out.defaultLeft[i] = defLeft[i] ? 1 : 0;
  }
  return out;
}

function unsupported(where: string, what: string): KirchhoffError {
  return new KirchhoffError("data", `${where}: unsupported XGBoost model: ${what}`);
}

function asObj(v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new KirchhoffError("data", `${where}: expected a JSON object`);
  }
  return v as Record<string, unknown>;
}

function field(v: unknown, key: string, where: string): Record<string, unknown> {
  const o = asObj(v, where);
  if (!(key in o))
    throw new KirchhoffError("data", `${where}: missing field "${key}" (is this an XGBoost JSON model?)`);
  return o[key] as Record<string, unknown>;
}

/** XGBoost writes many numbers as strings ("5E-1"); both forms are accepted. */
function numOf(v: unknown, where: string): number {
  const x = typeof v === "string" && v.trim() !== "" ? Number(v) : typeof v === "boolean" ? Number(v) : v;
  if (typeof x !== "number" || Number.isNaN(x)) {
    throw new KirchhoffError("data", `${where}: expected a number, got ${JSON.stringify(v)}`);
  }
  return x;
}

function intOf(v: unknown, where: string): number {
  const x = numOf(v, where);
  if (!Number.isInteger(x) || x < 0)
    throw new KirchhoffError("data", `${where}: expected a non-negative integer, got ${JSON.stringify(v)}`);
  return x;
}
