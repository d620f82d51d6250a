/** Strategies by name, with their options, for configs, the CLI and the benchmark. */
import { KirchhoffError } from "../../core/index.js";
import { GradientBoostedTrees } from "../surrogate/index.js";
import { AnalogNasEvolution, type AnalogNasEvolutionOptions } from "./analognas-evolution.js";
import { Bananas, type BananasOptions } from "./bananas.js";
import { type EvolutionOptions, RegularizedEvolution } from "./evolution.js";
import { LocalSearch, type LocalSearchOptions } from "./local-search.js";
import { Nsga2, type Nsga2Options } from "./nsga2.js";
import { LatinHypercubeSearch, RandomSearch } from "./random.js";
import type { Strategy, StrategyContext, SurrogateFactory } from "./types.js";

export const STRATEGY_NAMES = [
  "random",
  "lhs",
  "evolution",
  "local",
  "bananas",
  "analognas",
  "nsga2",
] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

/**
 * Default surrogate of the guided strategies: our gradient-boosted trees, small enough to refit every batch
 * (100 trees of depth 4, η = 0.1, 80 % row/column subsampling).
 */
export const defaultSurrogateFactory: SurrogateFactory = (seed) =>
  new GradientBoostedTrees({
    nEstimators: 100,
    maxDepth: 4,
    learningRate: 0.1,
    subsample: 0.8,
    colsampleByTree: 0.8,
    seed,
  });

/** Options each strategy accepts; string-valued ones list their allowed values. */
const OPTION_SPECS: Record<string, Record<string, "number" | readonly string[]>> = {
  random: {},
  lhs: { batchSize: "number" },
  evolution: {
    populationSize: "number",
    sampleSize: "number",
    init: ["random", "lhs"],
    mutationRate: "number",
  },
  local: { initSamples: "number" },
  bananas: {
    initSize: "number",
    ensembleSize: "number",
    poolSize: "number",
    parents: "number",
    batchSize: "number",
    acquisition: ["ucb", "its"],
    kappa: "number",
    randomFraction: "number",
  },
  analognas: {
    initSize: "number",
    populationSize: "number",
    poolSize: "number",
    topK: "number",
    randomFraction: "number",
  },
  nsga2: { populationSize: "number", crossoverProb: "number" },
};

function checkOptions(name: string, options: Record<string, unknown>): void {
  const spec = OPTION_SPECS[name]!;
  for (const [k, v] of Object.entries(options)) {
    const want = spec[k];
    if (want === undefined) {
      const known = Object.keys(spec).join(", ") || "none";
      throw new KirchhoffError(
        "config",
        `strategy ${name}: unknown option ${JSON.stringify(k)} (options: ${known})`,
      );
    }
    const ok =
      want === "number" ? typeof v === "number" && Number.isFinite(v) && v >= 0 : want.includes(v as string);
    if (!ok) {
      const expected = want === "number" ? "a number ≥ 0" : `one of ${want.join(", ")}`;
      throw new KirchhoffError(
        "config",
        `strategy ${name}: ${k}: expected ${expected}, got ${JSON.stringify(v)}`,
      );
    }
  }
}

/** Builds a strategy factory for a study from a name and options (unknown names/options are config errors). */
export function strategyFactory<G>(
  name: string,
  options: Record<string, unknown> = {},
  surrogate: SurrogateFactory = defaultSurrogateFactory,
): (ctx: StrategyContext<G>) => Strategy<G> {
  if (OPTION_SPECS[name]) checkOptions(name, options);
  switch (name) {
    case "random":
      return (ctx) => new RandomSearch(ctx);
    case "lhs":
      return (ctx) => new LatinHypercubeSearch(ctx, (options.batchSize as number | undefined) ?? 50);
    case "evolution":
      return (ctx) => new RegularizedEvolution(ctx, options as EvolutionOptions);
    case "local":
      return (ctx) => new LocalSearch(ctx, options as LocalSearchOptions);
    case "bananas":
      return (ctx) => new Bananas(ctx, surrogate, options as BananasOptions);
    case "analognas":
      return (ctx) => new AnalogNasEvolution(ctx, surrogate, options as AnalogNasEvolutionOptions);
    case "nsga2":
      return (ctx) => new Nsga2(ctx, options as Nsga2Options);
    default:
      throw new KirchhoffError(
        "config",
        `strategy: expected one of ${STRATEGY_NAMES.join(", ")}, got ${JSON.stringify(name)}`,
      );
  }
}
