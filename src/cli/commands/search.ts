/**
 * `kirchhoff search`: runs an architecture-search study from flags or a JSON config file, resuming when the
 * journal exists; prints the best architectures and writes the results as JSON (atomically).
 *
 *   kirchhoff search --table nb201_cifar10_partial.csv --objective finetuned_drift_86400 \
 *     --strategy bananas --budget 100 --seed 0 --journal study.jsonl --output best.json
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { type Command, Option } from "commander";
import { KirchhoffError, writeJsonAtomic } from "../../core/index.js";
import {
  type CompletedTrial,
  createEvaluator,
  createSpace,
  JournalStorage,
  MemoryStorage,
  parseObjective,
  Study,
  type StudyResult,
  strategyFactory,
  validateConstraints,
} from "../../nas/index.js";
import {
  resolveSearchConfig,
  type SearchConfig,
  type SearchFlags,
  studyFingerprint,
} from "./search-config.js";
import { SearchProgress } from "./search-progress.js";

export function registerSearch(program: Command): void {
  program
    .command("search")
    .description("run an architecture search study (resumes when the journal exists)")
    .option("-c, --config <file>", "JSON config (flags override its fields)")
    .option("--space <name>", "search space: nb201, analognas, dscnn, mobilenet (default nb201)")
    .option("--evaluator <name>", "evaluator: tabular, surrogate, or a registered one (default tabular)")
    .option("--table <csv>", "tabular evaluator: AnalogNAS-Bench style CSV (required for tabular)")
    .option("--model <json>", "surrogate evaluator: saved GBT or XGBoost JSON model")
    .option("--evaluator-options <json>", 'evaluator options as JSON, e.g. {"features":"analognas-x22"}')
    .option("--objective <metric...>", "objective metric(s); drop:<early>:<late> for an accuracy drop")
    .option("--minimize", "minimise the objectives given with --objective")
    .option("--strategy <name>", "random, lhs, evolution, local, bananas, analognas, nsga2 (default bananas)")
    .option("--strategy-options <json>", "strategy options as JSON")
    .option("--budget <n>", "trials charged (evaluated), default 100")
    .option("--seed <n>", "random seed, default 0")
    .option("--journal <file>", "append-only JSONL journal (resume/share between workers)")
    .option("--output <file>", "results JSON (default search-results.json)")
    .option("--worker <id>", "worker id when several processes share a journal")
    .option("--max-params <n>", "constraint: trainable parameters")
    .option("--max-macs <n>", "constraint: multiply-accumulates per inference")
    .option("--max-tiles <n>", "constraint: crossbar tiles")
    .option("--chip-cores <n>", "constraint: fit a chip with this many cores (HERMES: 64)")
    .option("--tile-size <n>", "crossbar tile edge in devices (default 256)")
    .option("--top <n>", "rows of the printed table", "10")
    .addOption(new Option("--progress-every <n>", "non-TTY progress: a line every n trials").default("10"))
    .action(async (flags: SearchFlags & { top: string; progressEvery: string }) => {
      const config = resolveSearchConfig(flags);
      const result = await runSearch(config, Number(flags.progressEvery));
      printTable(config, result, Number(flags.top));
    });
}

/** Builds and runs the study a config describes; writes the results file. */
export async function runSearch(config: SearchConfig, progressEvery = 10): Promise<StudyResult> {
  const space = createSpace(config.space.name, config.space.options);
  const objectives = config.objectives.map((o) => parseObjective(o.metric, o.direction));
  const constraints = validateConstraints(config.constraints);
  const columns = [
    ...new Set([...objectives.flatMap((o) => o.columns), ...Object.keys(constraints.metrics ?? {})]),
  ];
  const { name, table, model, options } = config.evaluator;
  const evaluator = await createEvaluator(name, { space, columns, options: { ...options, table, model } });
  const storage = config.journal ? new JournalStorage(config.journal) : new MemoryStorage();
  if (config.journal) checkResume(storage as JournalStorage, config);
  const progress = new SearchProgress(config.budget, progressEvery, objectives[0]!.direction === "maximize");
  const study = new Study({
    space,
    evaluator,
    objectives,
    constraints,
    strategy: strategyFactory(config.strategy.name, config.strategy.options),
    seed: config.seed,
    storage,
    worker: config.worker,
    config: studyFingerprint(config),
    onTrial: (t, charged) => progress.update(charged, t.values?.[0]),
  });
  const sofar = study.load();
  progress.start(sofar.trials.length, sofar.curve.at(-1));
  let result: StudyResult;
  try {
    result = await study.optimize(config.budget);
  } finally {
    progress.stop();
  }
  try {
    mkdirSync(dirname(config.output), { recursive: true });
  } catch (err) {
    throw new KirchhoffError("io", `${config.output}: cannot create its folder (${(err as Error).message})`);
  }
  writeJsonAtomic(config.output, {
    config,
    trials: result.trials.length,
    freeProposals: result.freeProposals,
    best: result.best.map((t) => describe(space, t)),
    curve: result.curve,
  });
  return result;
}

function checkResume(journal: JournalStorage, config: SearchConfig): void {
  if (!journal.exists()) return;
  const first = journal.readAll().find((e) => e.type === "study");
  if (!first) return;
  const want = JSON.stringify(studyFingerprint(config));
  if (JSON.stringify(first.config) !== want) {
    throw new KirchhoffError(
      "config",
      `${journal.path}: journal belongs to a different study (${JSON.stringify(first.config)}); use another --journal or the same settings`,
    );
  }
  process.stderr.write(`resuming from ${journal.path}\n`);
}

function describe(space: ReturnType<typeof createSpace>, t: CompletedTrial): Record<string, unknown> {
  const g = space.validate(t.genome);
  const counts = space.counts(g);
  return {
    trial: t.trial,
    key: t.key,
    genome: t.genome,
    metrics: t.metrics,
    values: t.values,
    ...counts,
    tiles: space.tilesNeeded(g),
  };
}

function printTable(config: SearchConfig, result: StudyResult, top: number): void {
  const rows = result.best.slice(0, top);
  const names = config.objectives.map((o) => o.metric);
  const lines = [
    `best of ${result.trials.length} trials (${result.freeProposals} free proposals) → ${config.output}`,
  ];
  lines.push(["#", "trial", ...names, "architecture"].join("\t"));
  rows.forEach((t, i) => {
    lines.push([i + 1, t.trial, ...(t.values ?? []).map((v) => v.toFixed(3)), t.key].join("\t"));
  });
  process.stdout.write(`${lines.join("\n")}\n`);
}
