/**
 * Evaluator registry: built-ins ("tabular", "surrogate") are registered by the CLI wiring; a later issue's
 * real training evaluator registers itself with `registerEvaluator("train", factory)`.
 */
import { KirchhoffError } from "../../core/index.js";
import type { SearchSpace } from "../space/types.js";
import type { Evaluator } from "./types.js";

/** What a factory gets: the space, the metric columns the objectives and constraints need, and options. */
export interface EvaluatorContext {
  space: SearchSpace<unknown>;
  columns: readonly string[];
  options: Record<string, unknown>;
}
export type EvaluatorFactory = (ctx: EvaluatorContext) => Evaluator<unknown> | Promise<Evaluator<unknown>>;

const factories = new Map<string, EvaluatorFactory>();

export function registerEvaluator(name: string, factory: EvaluatorFactory): void {
  if (!/^[a-z][a-z0-9-]*$/.test(name))
    throw new KirchhoffError("config", `registerEvaluator: bad name ${JSON.stringify(name)}`);
  factories.set(name, factory);
}

export function evaluatorNames(): string[] {
  return [...factories.keys()].sort();
}

export async function createEvaluator(name: string, ctx: EvaluatorContext): Promise<Evaluator<unknown>> {
  const f = factories.get(name);
  if (!f) {
    throw new KirchhoffError(
      "config",
      `evaluator: expected one of ${evaluatorNames().join(", ") || "(none registered)"}, got ${JSON.stringify(name)}`,
    );
  }
  return f(ctx);
}
