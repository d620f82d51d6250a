/**
 * Built-in evaluators, registered on import of src/nas:
 * - "tabular": options.table = CSV path (required), looked up by `space.key`;
 * - "surrogate": options.model = saved GBT / tree ensemble / XGBoost JSON path (required),
 *   options.metric = name of the predicted metric (default "prediction"), options.features = "encode"
 *   (default, `space.encode`) or "analognas-x22" / "analognas-x17" (IBM's config vector, analognas space only).
 */
import { readFileSync } from "node:fs";
import { KirchhoffError } from "../../core/index.js";
import type { AnalogNasGenome } from "../space/analognas.js";
import { toAnalogNasConfig } from "../space/analognas.js";
import { analognasFeatureVector, loadPredictor } from "../surrogate/index.js";
import { loadTabularCsv } from "../tabular/index.js";
import { type EvaluatorContext, registerEvaluator } from "./registry.js";
import { SurrogateEvaluator } from "./surrogate.js";
import { TabularEvaluator } from "./tabular.js";

function requirePath(ctx: EvaluatorContext, field: string, evaluator: string): string {
  const v = ctx.options[field];
  if (typeof v !== "string" || v === "") {
    throw new KirchhoffError(
      "config",
      `evaluator ${evaluator}: ${field}: expected a file path (e.g. --${field} <path>), got ${JSON.stringify(v)}`,
    );
  }
  return v;
}

registerEvaluator("tabular", (ctx) => {
  const table = loadTabularCsv(requirePath(ctx, "table", "tabular"));
  return new TabularEvaluator(ctx.space, table, ctx.columns);
});

registerEvaluator("surrogate", (ctx) => {
  const path = requirePath(ctx, "model", "surrogate");
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new KirchhoffError("io", `${path}: cannot read model JSON (${(err as Error).message})`);
  }
  const model = loadPredictor(json, path);
  const metric = (ctx.options.metric as string | undefined) ?? ctx.columns[0] ?? "prediction";
  const features = (ctx.options.features as string | undefined) ?? "encode";
  if (features === "encode") return new SurrogateEvaluator(ctx.space, model, metric);
  if (features !== "analognas-x22" && features !== "analognas-x17") {
    throw new KirchhoffError(
      "config",
      `evaluator surrogate: features: expected "encode", "analognas-x22" or "analognas-x17", got ${JSON.stringify(features)}`,
    );
  }
  if (ctx.space.name !== "analognas") {
    throw new KirchhoffError(
      "config",
      `evaluator surrogate: features ${features} needs space "analognas", got "${ctx.space.name}"`,
    );
  }
  const layout = features === "analognas-x22" ? "x22" : "x17";
  return new SurrogateEvaluator(ctx.space, model, metric, (g) =>
    analognasFeatureVector(toAnalogNasConfig(g as AnalogNasGenome), layout),
  );
});
