/**
 * bench/nas-tabular: search strategies on AnalogNAS-Bench (NB201 cells, partial table) with the tabular
 * evaluator. For every strategy, `--seeds` independent studies of up to 300 queries (500 for random), the
 * mean best-so-far at 100 and 300 queries, and anytime curves; plus surrogate ranking quality (Kendall τ on
 * all unseen architectures after 100/300/1000 training points).
 *
 *   node --import tsx bench/nas-tabular.ts [table.csv] [--metric finetuned_drift_86400] [--seeds 20]
 *        [--strategies random,evolution,...] [--out bench/results]
 *
 * Rows missing from the table (or with an empty metric cell) are invalid: resampled, not charged.
 */
import { resolve } from "node:path";
import { Command } from "commander";
import { Rng } from "../src/core/index.js";
import {
  loadTabularCsv,
  MemoryStorage,
  Nb201Space,
  nb201Features,
  parseObjective,
  STRATEGY_NAMES,
  Study,
  strategyFactory,
  surrogateKendallTau,
  TabularEvaluator,
} from "../src/nas/index.js";
import { benchRecord, writeJsonAtomic } from "./lib.js";

const repo = resolve(new URL("..", import.meta.url).pathname);
const program = new Command()
  .argument(
    "[table]",
    "AnalogNAS-Bench CSV",
    resolve(repo, "../shared/reference/analognas-bench/nb201_cifar10_partial.csv"),
  )
  .option("--metric <name>", "objective column (maximised)", "finetuned_drift_86400")
  .option("--seeds <n>", "seeds per strategy", "20")
  .option("--strategies <list>", "comma-separated strategies", STRATEGY_NAMES.join(","))
  .option("--budgets <list>", "query budgets reported", "100,300")
  .option("--out <dir>", "results folder", resolve(repo, "bench/results"))
  .option("--options <json>", 'per-strategy options, e.g. {"bananas":{"batchSize":3}}', "{}")
  .option("--no-tau", "skip the surrogate quality figures")
  .parse();
const opts = program.opts<{
  metric: string;
  seeds: string;
  strategies: string;
  budgets: string;
  out: string;
  options: string;
  tau: boolean;
}>();
const strategyOptions = JSON.parse(opts.options) as Record<string, Record<string, unknown>>;
const tablePath = program.args[0] ?? program.processedArgs[0];
const seeds = Number(opts.seeds);
const budgets = opts.budgets.split(",").map(Number);
const table = loadTabularCsv(tablePath as string);
const space = new Nb201Space();
const evaluator = new TabularEvaluator(space, table, [opts.metric]);
const objective = parseObjective(opts.metric, "maximize");
const tableBest = Math.max(...table.keysWith(opts.metric).map((k) => table.get(k, opts.metric)!.mean));

const figures: Record<string, number> = {};
const curves: Record<string, { seeds: number; meanCurve: number[]; perSeed: number[][] }> = {};
for (const name of opts.strategies.split(",")) {
  const maxBudget = Math.max(...budgets, name === "random" ? 500 : 0);
  const perSeed: number[][] = [];
  const t0 = performance.now();
  for (let seed = 0; seed < seeds; seed++) {
    const study = new Study({
      space,
      evaluator,
      objectives: [objective],
      strategy: strategyFactory(name, strategyOptions[name] ?? {}),
      seed,
      storage: new MemoryStorage(),
    });
    perSeed.push((await study.optimize(maxBudget)).curve);
  }
  const meanAt = (q: number) =>
    perSeed.reduce((s, c) => s + c[Math.min(q, c.length) - 1]!, 0) / perSeed.length;
  const meanCurve = Array.from({ length: maxBudget }, (_, i) => meanAt(i + 1));
  const r3 = (v: number) => Math.round(v * 1000) / 1000;
  curves[name] = { seeds, meanCurve: meanCurve.map(r3), perSeed: perSeed.map((c) => c.map(r3)) };
  const marks = name === "random" ? [...budgets, 500] : budgets;
  for (const q of marks) figures[`${name}.best_mean@${q}`] = Math.round(meanAt(q) * 1000) / 1000;
  const sec = (performance.now() - t0) / 1000;
  figures[`${name}.seconds`] = Math.round(sec * 10) / 10;
  process.stderr.write(
    `${name.padEnd(10)} ${marks.map((q) => `@${q} ${meanAt(q).toFixed(3)}`).join("  ")}  (${sec.toFixed(1)} s)\n`,
  );
}
if (opts.tau) {
  for (const n of [100, 300, 1000]) {
    const tau = surrogateKendallTau(table, opts.metric, n, new Rng(n), (nums) => nb201Features(nums));
    figures[`surrogate.kendall_tau@${n}`] = Math.round(tau * 10000) / 10000;
    process.stderr.write(`surrogate  kendall_tau@${n} ${tau.toFixed(4)}\n`);
  }
}
const meta = { table: tablePath, metric: opts.metric, seeds, tableBest };
writeJsonAtomic(resolve(opts.out, "nas-tabular.json"), benchRecord("nas-tabular", figures, meta));
const { figures: _unused, ...curveMeta } = benchRecord("nas-tabular-curves", {}, meta);
writeJsonAtomic(resolve(opts.out, "nas-tabular-curves.json"), { ...curveMeta, curves }, 0);
