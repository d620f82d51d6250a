/**
 * `kirchhoff search` configuration: a JSON file and/or flags (flags win), validated with zod into one
 * SearchConfig. Everything a study needs to be rebuilt identically on resume is in here.
 */
import { z } from "zod";
import { KirchhoffError } from "../../core/index.js";
import { jsonFlag, numberFlag, readJsonFile } from "../flags.js";

const positive = z.number().positive();
export const searchConfigSchema = z
  .object({
    space: z.object({ name: z.string(), options: z.record(z.string(), z.unknown()).default({}) }).strict(),
    evaluator: z
      .object({
        name: z.string(),
        table: z.string().optional(),
        model: z.string().optional(),
        options: z.record(z.string(), z.unknown()).default({}),
      })
      .strict(),
    objectives: z
      .array(
        z.object({ metric: z.string(), direction: z.enum(["maximize", "minimize"]).optional() }).strict(),
      )
      .min(1),
    constraints: z
      .object({
        maxParams: positive.optional(),
        maxMacs: positive.optional(),
        maxTiles: positive.optional(),
        tileSize: z.number().int().positive().optional(),
        chipCores: z.number().int().positive().optional(),
        metrics: z
          .record(z.string(), z.object({ min: z.number().optional(), max: z.number().optional() }).strict())
          .optional(),
      })
      .strict()
      .default({}),
    strategy: z.object({ name: z.string(), options: z.record(z.string(), z.unknown()).default({}) }).strict(),
    budget: z.number().int().positive(),
    seed: z.number().int().nonnegative(),
    journal: z.string().optional(),
    output: z.string().default("search-results.json"),
    worker: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+$/)
      .default("0"),
  })
  .strict();
export type SearchConfig = z.infer<typeof searchConfigSchema>;

/** Flags of `kirchhoff search` as commander parses them. */
export interface SearchFlags {
  config?: string;
  space?: string;
  evaluator?: string;
  table?: string;
  model?: string;
  evaluatorOptions?: string;
  objective?: string[];
  minimize?: boolean;
  strategy?: string;
  strategyOptions?: string;
  budget?: string;
  seed?: string;
  journal?: string;
  output?: string;
  worker?: string;
  maxParams?: string;
  maxMacs?: string;
  maxTiles?: string;
  chipCores?: string;
  tileSize?: string;
}

/** Merges defaults, the config file and flags, and validates the result. */
export function resolveSearchConfig(flags: SearchFlags): SearchConfig {
  const file = (flags.config ? readJsonFile(flags.config, "config") : {}) as Record<string, unknown>;
  if (typeof file !== "object" || file === null || Array.isArray(file)) {
    throw new KirchhoffError("config", `config ${flags.config}: expected a JSON object`);
  }
  const c: Record<string, unknown> = {
    space: { name: "nb201" },
    evaluator: { name: "tabular" },
    objectives: [{ metric: "finetuned_drift_86400" }],
    strategy: { name: "bananas" },
    budget: 100,
    seed: 0,
    ...file,
  };
  if (flags.space) c.space = { ...(c.space as object), name: flags.space };
  if (flags.evaluator) c.evaluator = { name: flags.evaluator };
  if (flags.table) c.evaluator = { ...(c.evaluator as object), table: flags.table };
  if (flags.model) c.evaluator = { ...(c.evaluator as object), model: flags.model };
  if (flags.objective?.length) {
    c.objectives = flags.objective.map((m) => ({
      metric: m,
      ...(flags.minimize ? { direction: "minimize" } : {}),
    }));
  }
  if (flags.evaluatorOptions) {
    c.evaluator = {
      ...(c.evaluator as object),
      options: jsonFlag("--evaluator-options", flags.evaluatorOptions),
    };
  }
  if (flags.strategy) c.strategy = { name: flags.strategy };
  if (flags.strategyOptions) {
    c.strategy = {
      ...(c.strategy as object),
      options: jsonFlag("--strategy-options", flags.strategyOptions),
    };
  }
  const cons = { ...((c.constraints as object | undefined) ?? {}) } as Record<string, unknown>;
  const pairs: [keyof SearchFlags, string][] = [
    ["maxParams", "max-params"],
    ["maxMacs", "max-macs"],
    ["maxTiles", "max-tiles"],
    ["chipCores", "chip-cores"],
    ["tileSize", "tile-size"],
  ];
  for (const [k, flag] of pairs) {
    const v = numberFlag(flags[k] as string | undefined, `--${flag}`);
    if (v !== undefined) cons[k] = v;
  }
  c.constraints = cons;
  for (const [k, v] of [
    ["budget", numberFlag(flags.budget, "--budget")],
    ["seed", numberFlag(flags.seed, "--seed")],
  ] as const) {
    if (v !== undefined) c[k] = v;
  }
  if (flags.journal) c.journal = flags.journal;
  if (flags.output) c.output = flags.output;
  if (flags.worker) c.worker = flags.worker;
  const parsed = searchConfigSchema.safeParse(c);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = flags.config ? `config ${flags.config}: ` : "";
    throw new KirchhoffError("config", `${where}${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  return parsed.data;
}

/** The part of a config that must match when resuming a journal (budget, output and worker may change). */
export function studyFingerprint(c: SearchConfig): unknown {
  return {
    space: c.space,
    evaluator: c.evaluator,
    objectives: c.objectives,
    constraints: c.constraints,
    strategy: c.strategy,
    seed: c.seed,
  };
}
