/**
 * `kirchhoff evaluate`: loads a trained model (a `model.safetensors` written by `kirchhoff train`, or the
 * `checkpoint.safetensors` of a run) into a zoo architecture, programs it onto an analog preset N times, drifts
 * it to each requested time and reports test accuracy mean ± std per time beside the digital accuracy, as
 * JSON + CSV + a table.
 */
import { mkdirSync } from "node:fs";
import type { Command } from "commander";
import { KirchhoffError, Rng } from "../../core/index.js";
import {
  driftTable,
  evaluateOverDrift,
  loadTaskData,
  mappingLine,
  parseTimes,
  writeDriftResults,
} from "../../train/index.js";
import { intFlag } from "../flags.js";
import { addModelSourceOptions, modelSource } from "../model-source.js";
import { parseDigitalLayers } from "./hwa-options.js";
import { readModelTensors } from "./model-weights.js";
import { loadAnalogConfig } from "./presets.js";

interface EvaluateFlags {
  model: string;
  genome?: string;
  rank?: string;
  weights: string;
  data?: string;
  preset: string;
  times: string;
  reps: string;
  seed: string;
  batch: string;
  maxTest?: string;
  digitalLayers?: string;
  adabs?: string;
  out: string;
  json?: boolean;
}

export { readModelTensors } from "./model-weights.js";

export function registerEvaluate(program: Command): void {
  const cmd = program
    .command("evaluate")
    .description("accuracy over drift of a trained model on an analog preset (N programmings × drift times)")
    .requiredOption(
      "-w, --weights <file>",
      "model.safetensors (or checkpoint.safetensors) from `kirchhoff train`",
    );
  addModelSourceOptions(cmd, "the architecture is from `kirchhoff search` (its output JSON or a genome file)")
    .option("-d, --data <folder>", "dataset folder; default: embedded Fashion-MNIST subset")
    .option(
      "-p, --preset <name|file>",
      "analog preset, or a JSON file with a chip configuration of your own (see `kirchhoff presets`)",
      "hermes",
    )
    .option(
      "--times <list>",
      "drift times after programming, e.g. 1,1h,1d,1mo,1y (plain numbers are seconds)",
      "1,1h,1d,1mo,1y",
    )
    .option("--reps <n>", "independent programmings", "10")
    .option("-s, --seed <n>", "random seed", "0")
    .option("-b, --batch <n>", "evaluation batch size", "250")
    .option("--max-test <n>", "use at most n test samples")
    .option(
      "--digital-layers <which>",
      "none | depthwise: layers kept on the chip's digital units instead of the crossbars",
      "none",
    )
    .option(
      "--adabs <batches>",
      "after each drift, re-estimate BatchNorm statistics on the chip from this many training batches (AdaBS)",
    )
    .option("-o, --out <folder>", "output folder for drift.json / drift.csv", "kirchhoff-runs/evaluate")
    .option("--json", "print the results JSON on stdout instead of the table")
    .action((f: EvaluateFlags) => {
      const seed = intFlag(f.seed, "--seed", 0)!;
      const digitalLayers = parseDigitalLayers(f.digitalLayers);
      const adaBsBatches = intFlag(f.adabs, "--adabs");
      const data = loadTaskData({
        path: f.data,
        batchSize: intFlag(f.batch, "--batch")!,
        seed,
        maxTest: intFlag(f.maxTest, "--max-test"),
        augment: false,
      });
      const source = modelSource({ model: f.model, genome: f.genome, rank: intFlag(f.rank, "--rank", 0) });
      const preset = loadAnalogConfig(f.preset, "--preset");
      const model = source.build(data.classes.length, new Rng(seed));
      model.loadStateDict(readModelTensors(f.weights), { source: f.weights });
      const s = evaluateOverDrift(model, data.test, {
        preset,
        times: parseTimes(f.times),
        reps: intFlag(f.reps, "--reps")!,
        rng: new Rng(seed).fork("drift"),
        digitalLayers,
        adaBs: adaBsBatches ? { loader: data.train, batches: adaBsBatches } : null,
      });
      try {
        mkdirSync(f.out, { recursive: true });
      } catch (e) {
        throw new KirchhoffError("io", `cannot create output folder ${f.out}: ${(e as Error).message}`);
      }
      const extra = { model: source.name, weights: f.weights, dataset: data.name, digitalLayers };
      const paths = writeDriftResults(f.out, "drift", s, extra);
      if (f.json) process.stdout.write(`${JSON.stringify({ ...extra, ...s }, null, 2)}\n`);
      else
        process.stdout.write(
          `${driftTable(s, `${source.name} on ${preset.name}, ${data.name}`)}\n${mappingLine(s.mapping)}\nresults in ${paths.json}, ${paths.csv}\n`,
        );
    });
}
