/** Restores any saved predictor (our GBT, a bare tree ensemble, or a raw XGBoost JSON model) from parsed JSON. */
import { KirchhoffError } from "../../core/index.js";
import { GradientBoostedTrees } from "./gbt.js";
import { TreeEnsemble } from "./tree-ensemble.js";
import type { Predictor } from "./types.js";
import { importXgboostJson } from "./xgboost-import.js";

/** Dispatches on the JSON's `format` field ("kirchhoff.gbt", "kirchhoff.tree-ensemble") or XGBoost's `learner`. */
export function loadPredictor(json: unknown, where = "model JSON"): GradientBoostedTrees | TreeEnsemble {
  if (typeof json !== "object" || json === null)
    throw new KirchhoffError("data", `${where}: expected a JSON object`);
  const o = json as Record<string, unknown>;
  if (o.format === "kirchhoff.gbt") return GradientBoostedTrees.fromJSON(json, where);
  if (o.format === "kirchhoff.tree-ensemble") return TreeEnsemble.fromJSON(json, where);
  if ("learner" in o) return importXgboostJson(json, where);
  throw new KirchhoffError(
    "data",
    `${where}: not a model: expected format "kirchhoff.gbt" or "kirchhoff.tree-ensemble", or an XGBoost JSON model`,
  );
}

export type { Predictor };
