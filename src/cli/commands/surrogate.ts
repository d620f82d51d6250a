/**
 * `kirchhoff surrogate fit|eval|import-xgboost`: fit our gradient-boosted-tree surrogate on a feature/target
 * file, evaluate any saved model (ours or XGBoost JSON) with ranking metrics, and convert IBM AnalogNAS's
 * XGBoost JSON models into Kirchhoff's format (predictions stay bit-identical to xgboost 1.7.4).
 */
import type { Command } from "commander";
import { KirchhoffError, Rng, writeJsonAtomic } from "../../core/index.js";
import {
  type FeatureData,
  type GbtParams,
  GradientBoostedTrees,
  importXgboostJson,
  kendallTau,
  loadFeatureData,
  loadPredictor,
  ndcg,
  spearman,
  TreeEnsemble,
} from "../../nas/index.js";
import { intFlag, jsonFlag, numberFlag, readJsonFile } from "../flags.js";

interface DataFlags {
  target?: string;
  features?: string;
  featurize?: string;
  keyColumns?: string;
}

function readData(path: string, o: DataFlags): FeatureData {
  if (o.featurize !== undefined && o.featurize !== "nb201") {
    throw new KirchhoffError("config", `--featurize: expected "nb201", got ${JSON.stringify(o.featurize)}`);
  }
  return loadFeatureData(path, {
    ...(o.target ? { target: o.target } : {}),
    ...(o.features ? { features: o.features.split(",").map((s) => s.trim()) } : {}),
    ...(o.featurize === "nb201" ? { featurize: "nb201" as const } : {}),
    ...(o.keyColumns ? { keyColumns: o.keyColumns.split(",").map((s) => s.trim()) } : {}),
  });
}

/** τ, Spearman, NDCG@k (NaN when targets are negative) and RMSE of predictions against targets. */
function scores(y: number[], pred: Float64Array, k: number) {
  let se = 0;
  for (let i = 0; i < y.length; i++) se += (pred[i]! - y[i]!) ** 2;
  return {
    n: y.length,
    kendall_tau: kendallTau(y, pred),
    spearman: spearman(y, pred),
    [`ndcg@${k}`]: y.every((v) => v >= 0) ? ndcg(y, pred, k) : Number.NaN,
    rmse: Math.sqrt(se / y.length),
  };
}

function printScores(s: Record<string, number>, json: boolean | undefined): void {
  if (json) process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
  else
    process.stdout.write(
      `${Object.entries(s)
        .map(([k, v]) => `${k.padEnd(12)} ${Number.isInteger(v) ? v : v.toFixed(4)}`)
        .join("\n")}\n`,
    );
}

const dataOptions = (c: Command) =>
  c
    .option("--target <column>", "target column of a CSV (a metric such as finetuned_drift_86400)")
    .option("--features <columns>", "comma-separated feature columns of a CSV (default: all but the target)")
    .option(
      "--featurize <kind>",
      'build features from the architecture key: "nb201" (AnalogNAS-Bench tables)',
    )
    .option(
      "--key-columns <columns>",
      "architecture key columns for --featurize (default: architecture or e1..e6)",
    );

export function registerSurrogate(program: Command): void {
  const cmd = program
    .command("surrogate")
    .description("fit, evaluate and import surrogate models (gradient-boosted trees)");

  dataOptions(cmd.command("fit <data>"))
    .description("fit gradient-boosted trees on a .csv/.json feature file and save the model as JSON")
    .requiredOption("-o, --out <model.json>", "where to write the model")
    .option("--objective <name>", '"squared" (regression) or "pairwise" (ranking)')
    .option("--trees <n>", "boosting rounds")
    .option("--learning-rate <eta>", "shrinkage")
    .option("--max-depth <n>", "tree depth")
    .option("--seed <n>", "random seed", "0")
    .option("--params <json>", "further GBT parameters as JSON, e.g. '{\"subsample\":0.7}'")
    .action((data: string, o: DataFlags & Record<string, string | undefined>) => {
      const extra = (o.params ? jsonFlag("--params", o.params) : {}) as Partial<GbtParams>;
      const params: Partial<GbtParams> = { ...extra };
      if (o.objective) params.objective = o.objective as GbtParams["objective"];
      const set = (
        k: "nEstimators" | "learningRate" | "maxDepth" | "seed",
        flag: string,
        v: string | undefined,
        int: boolean,
      ) => {
        const x = numberFlag(v, flag, { integer: int });
        if (x !== undefined) params[k] = x;
      };
      set("nEstimators", "--trees", o.trees, true);
      set("learningRate", "--learning-rate", o.learningRate, false);
      set("maxDepth", "--max-depth", o.maxDepth, true);
      set("seed", "--seed", o.seed, true);
      const model = new GradientBoostedTrees(params);
      const d = readData(data, o);
      const t0 = performance.now();
      model.fit(d.X, d.y, { rng: new Rng(model.params.seed) });
      writeJsonAtomic(o.out!, { ...model.toJSON(), featureNames: d.featureNames }, 0);
      const ms = performance.now() - t0;
      process.stdout.write(
        `fitted ${model.ensemble.trees.length} trees on ${d.y.length} rows × ${d.featureNames.length} features` +
          `${d.skipped ? ` (${d.skipped} rows without target skipped)` : ""} in ${ms.toFixed(0)} ms → ${o.out}\n`,
      );
    });

  dataOptions(cmd.command("eval <model> <data>"))
    .description(
      "score a saved model (Kirchhoff or XGBoost JSON) on a feature file: Kendall τ, Spearman, NDCG@k, RMSE",
    )
    .option("-k, --k <n>", "NDCG cut-off", "10")
    .option(
      "--best-iteration",
      "XGBoost models: use only trees up to best_iteration (as XGBRegressor.predict)",
    )
    .option("--json", "print JSON")
    .action(
      (
        modelPath: string,
        data: string,
        o: DataFlags & { k: string; bestIteration?: boolean; json?: boolean },
      ) => {
        const model = loadPredictor(readJsonFile(modelPath, "model"), modelPath);
        const d = readData(data, o);
        const k = intFlag(o.k, "--k")!;
        const pred =
          model instanceof TreeEnsemble
            ? model.predict(d.X, { useBestIteration: !!o.bestIteration })
            : model.predict(d.X);
        printScores(scores(d.y, pred, k), o.json);
      },
    );

  dataOptions(cmd.command("import-xgboost <xgboost.json>"))
    .description(
      "convert an XGBoost JSON model (e.g. IBM AnalogNAS's surrogates) to Kirchhoff's format and/or evaluate it",
    )
    .option("-o, --out <model.json>", "where to write the converted model")
    .option("--eval <data>", "also score the model on this feature file")
    .option("--best-iteration", "evaluate with trees up to best_iteration (as XGBRegressor.predict)")
    .option("-k, --k <n>", "NDCG cut-off for --eval", "10")
    .option("--json", "print JSON")
    .action(
      (
        src: string,
        o: DataFlags & { out?: string; eval?: string; bestIteration?: boolean; k: string; json?: boolean },
      ) => {
        const model = importXgboostJson(readJsonFile(src, "XGBoost model"), src);
        if (o.out) writeJsonAtomic(o.out, model.toJSON(), 0);
        const summary = {
          trees: model.trees.length,
          features: model.nFeatures,
          objective: model.objective,
          ...(model.bestIteration !== undefined ? { best_iteration: model.bestIteration } : {}),
          ...(o.out ? { written: o.out } : {}),
        };
        let evaluation: Record<string, number> | undefined;
        if (o.eval) {
          const d = readData(o.eval, o);
          evaluation = scores(
            d.y,
            model.predict(d.X, { useBestIteration: !!o.bestIteration }),
            intFlag(o.k, "--k")!,
          );
        }
        if (o.json) {
          process.stdout.write(
            `${JSON.stringify({ ...summary, ...(evaluation ? { eval: evaluation } : {}) }, null, 2)}\n`,
          );
          return;
        }
        process.stdout.write(
          `${Object.entries(summary)
            .map(([k, v]) => `${k.padEnd(14)} ${v}`)
            .join("\n")}\n`,
        );
        if (evaluation) printScores(evaluation, false);
      },
    );
}
