/**
 * `kirchhoff train`: trains a zoo model on a dataset folder or the embedded Fashion-MNIST subset, digitally or
 * hardware-aware (`--hwa <preset>`), with a checkpoint after every epoch (`--resume` continues), progress on
 * stderr (a bar on a TTY, one line per epoch otherwise), and results as JSON + CSV + a table on stdout.
 * Optionally evaluates accuracy over drift on the analog preset at the end (`--drift`).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import cliProgress from "cli-progress";
import type { Command } from "commander";
import { type AnalogConfig, getPreset } from "../../analog/index.js";
import { configError, KirchhoffError, Rng, writeFileAtomic } from "../../core/index.js";
import { saveModel } from "../../nn/index.js";
import {
  DEFAULT_BN_CALIBRATION,
  type DigitalLayers,
  driftTable,
  evaluateClassifier,
  evaluateOverDrift,
  fromHwa,
  loadTaskData,
  mappingLine,
  parseTimes,
  type TrainEvent,
  trainModel,
  writeDriftResults,
} from "../../train/index.js";
import { intFlag, numberFlag } from "../flags.js";
import { addModelSourceOptions, modelSource } from "../model-source.js";
import { type HwaFlags, hwaConfigFromFlags } from "./hwa-options.js";
import { readModelTensors } from "./model-weights.js";
import { loadAnalogConfig } from "./presets.js";

/** Parses a positive integer / number option or throws a KirchhoffError naming the flag. */
/** Progress on stderr: a cli-progress bar per epoch on a TTY, else one line per epoch. */
export class TrainProgressView {
  private bar: cliProgress.SingleBar | null = null;

  constructor(private readonly tty = Boolean(process.stderr.isTTY)) {}

  handle(e: TrainEvent): void {
    if (e.type === "start" && e.startEpoch > 0)
      process.stderr.write(`resuming after epoch ${e.startEpoch}\n`);
    if (e.type === "batch") {
      if (!this.tty) return;
      if (e.batch === 0) {
        this.bar = new cliProgress.SingleBar(
          {
            format: `epoch ${e.epoch + 1} [{bar}] {value}/{total} | loss {loss} | acc {acc} %`,
            stream: process.stderr,
            hideCursor: true,
          },
          cliProgress.Presets.shades_classic,
        );
        this.bar.start(e.batches, 0, { loss: "-", acc: "-" });
      }
      this.bar?.update(e.batch + 1, { loss: e.loss.toFixed(4), acc: e.accuracy.toFixed(1) });
    }
    if (e.type === "epoch") {
      this.bar?.stop();
      this.bar = null;
      const r = e.record;
      const val =
        r.valAccuracy === null ? "" : `  val loss ${r.valLoss!.toFixed(4)} acc ${r.valAccuracy.toFixed(2)} %`;
      process.stderr.write(
        `epoch ${r.epoch}: loss ${r.trainLoss.toFixed(4)} acc ${r.trainAccuracy.toFixed(2)} %${val}  (${r.seconds.toFixed(1)} s)\n`,
      );
    }
    if (e.type === "calibrate")
      process.stderr.write(`BatchNorm statistics calibrated on ${e.samples} samples at the chip's noise\n`);
    if (e.type === "stop" && e.reason === "early-stopping")
      process.stderr.write(`early stopping after epoch ${e.epoch}\n`);
  }
}

interface TrainFlags extends HwaFlags {
  model: string;
  genome?: string;
  rank?: string;
  data?: string;
  hwa?: string;
  epochs: string;
  batch: string;
  lr: string;
  optimizer: string;
  seed: string;
  out: string;
  resume?: boolean;
  patience?: string;
  maxTrain?: string;
  maxTest?: string;
  drift?: boolean;
  preset?: string;
  times?: string;
  reps: string;
  adabs?: string;
  json?: boolean;
}

export function registerTrain(program: Command): void {
  const cmd = program
    .command("train")
    .description(
      "train a zoo model (digitally or hardware-aware) on a dataset folder or the embedded default",
    );
  addModelSourceOptions(
    cmd,
    "train an architecture from `kirchhoff search` (its output JSON or a genome file)",
  )
    .option(
      "-d, --data <folder>",
      "dataset folder (CIFAR-10 binary, IDX, Speech Commands); default: embedded Fashion-MNIST subset",
    )
    .option(
      "--hwa <preset>",
      "hardware-aware training for this analog preset (e.g. hermes) or chip configuration file (see `kirchhoff presets`)",
    )
    .option(
      "--hwa-noise <type>",
      "HWA weight noise: additive | pcmProg | chip (default: the preset's pcmProg)",
    )
    .option(
      "--hwa-noise-scale <x>",
      "HWA weight-noise scale (additive: σ/max|W|; pcmProg/chip: × programming noise)",
    )
    .option(
      "--hwa-time <spec>",
      "drift time the HWA noise simulates: a time (1mo) or, with --hwa-noise chip, a range drawn log-uniformly per step (1h..1y)",
    )
    .option(
      "--hwa-bn-calibration <batches>",
      `after HWA training, BatchNorm statistics from this many batches at the chip's own noise (0 = off; default ${DEFAULT_BN_CALIBRATION.batches})`,
    )
    .option(
      "--digital-layers <which>",
      "none | depthwise: layers kept on the chip's digital units (no HWA, digital in --drift)",
      "none",
    )
    .option(
      "--distill",
      "HWA fine-tuning with knowledge distillation (α 0.5, T 4) from --teacher, which also initialises the model",
    )
    .option("--teacher <file>", "with --distill: the digital model.safetensors of the same architecture")
    .option("-e, --epochs <n>", "epochs", "5")
    .option("-b, --batch <n>", "batch size", "64")
    .option("--lr <x>", "peak learning rate (cosine schedule)", "0.05")
    .option("--optimizer <name>", "sgd | adam | adamw", "sgd")
    .option("-s, --seed <n>", "random seed", "0")
    .option("-o, --out <folder>", "output folder (checkpoint, model, results)", "kirchhoff-runs/train")
    .option("--resume", "continue from the checkpoint in the output folder")
    .option("--patience <n>", "early stopping: epochs without a better validation accuracy")
    .option("--max-train <n>", "use at most n training samples")
    .option("--max-test <n>", "use at most n test samples")
    .option("--drift", "evaluate accuracy over drift on the analog preset after training")
    .option(
      "--preset <name|file>",
      "analog preset or chip configuration file for --drift (default: the --hwa one or hermes)",
    )
    .option("--times <list>", "drift times, e.g. 1,1h,1d,1mo,1y", "1,1h,1d,1mo,1y")
    .option("--reps <n>", "independent programmings for --drift", "10")
    .option(
      "--adabs <batches>",
      "--drift: re-estimate BatchNorm statistics on the chip from this many training batches (AdaBS)",
    )
    .option("--json", "print the results JSON on stdout instead of the table")
    .action((f: TrainFlags) => runTrain(f));
}

/**
 * The `--drift` evaluation's settings (null without `--drift`, where `--preset` is an error); its preset
 * defaults to `--hwa`'s configuration (hwaPreset, read once by the caller), else hermes.
 */
function driftPlan(f: TrainFlags, hwaPreset: AnalogConfig | null) {
  if (!f.drift) {
    if (f.preset !== undefined) throw configError("--preset", "--drift as well", f.preset);
    return null;
  }
  return {
    preset:
      f.preset !== undefined ? loadAnalogConfig(f.preset, "--preset") : (hwaPreset ?? getPreset("hermes")),
    times: parseTimes(f.times ?? "1,1h,1d,1mo,1y"),
    reps: intFlag(f.reps, "--reps")!,
    adaBsBatches: intFlag(f.adabs, "--adabs") ?? 0,
  };
}

function runTrain(f: TrainFlags): void {
  const source = modelSource({ model: f.model, genome: f.genome, rank: intFlag(f.rank, "--rank", 0) });
  const modelName = source.name;
  const seed = intFlag(f.seed, "--seed", 0)!;
  const epochs = intFlag(f.epochs, "--epochs")!;
  const batchSize = intFlag(f.batch, "--batch")!;
  const lr = numberFlag(f.lr, "--lr", { positive: true })!;
  if (!["sgd", "adam", "adamw"].includes(f.optimizer))
    throw configError("--optimizer", "sgd | adam | adamw", f.optimizer);
  const data = loadTaskData({
    path: f.data,
    batchSize,
    seed,
    maxTrain: intFlag(f.maxTrain, "--max-train"),
    maxTest: intFlag(f.maxTest, "--max-test"),
  });
  const shape = source.inputShape;
  const want = shape?.join("x") ?? "";
  if (
    shape !== null &&
    data.sampleShape.join("x") !== want &&
    data.sampleShape.reduce((a, b) => a * b, 1) !== shape.reduce((a, b) => a * b, 1)
  ) {
    throw new KirchhoffError(
      "config",
      `model ${modelName} expects samples of ${want}, dataset ${data.name} has ${data.sampleShape.join("x")}`,
    );
  }
  const hwaPreset = f.hwa ? loadAnalogConfig(f.hwa, "--hwa") : null;
  const hwa = hwaConfigFromFlags(f, hwaPreset);
  const drift = driftPlan(f, hwaPreset); // checked before training, not after it
  const rng = new Rng(seed);
  const model = source.build(data.classes.length, rng.fork("init"));
  let teacher = null;
  if (hwa?.distill && f.teacher) {
    teacher = source.build(data.classes.length, rng.fork("teacher"));
    const tensors = readModelTensors(f.teacher);
    teacher.loadStateDict(tensors, { source: f.teacher });
    model.loadStateDict(tensors, { source: f.teacher });
  }
  try {
    mkdirSync(f.out, { recursive: true });
  } catch (e) {
    throw new KirchhoffError("io", `cannot create output folder ${f.out}: ${(e as Error).message}`);
  }
  const view = new TrainProgressView();
  const result = trainModel(model, data.train, data.val, {
    epochs,
    lr,
    optimizer: f.optimizer as "sgd",
    weightDecay: 5e-4,
    earlyStopPatience: intFlag(f.patience, "--patience"),
    checkpointDir: f.out,
    resume: Boolean(f.resume),
    hwa,
    teacher,
    rng: rng.fork("train"),
    run: { model: modelName, dataset: data.name, hwa: f.hwa ?? null, seed, batch: batchSize },
    onEvent: (e) => view.handle(e),
  });
  fromHwa(model);
  const test = evaluateClassifier(model, data.test);
  saveModel(model, join(f.out, "model.safetensors"), {
    model: modelName,
    dataset: data.name,
    hwa: f.hwa ?? "none",
  });
  const record: Record<string, unknown> = {
    model: modelName,
    dataset: data.name,
    hwa: f.hwa ?? null,
    hwaWeightNoise: hwa?.weightNoise ?? null,
    digitalLayers: hwa?.digitalLayers ?? f.digitalLayers ?? "none",
    distill: hwa?.distill ? { ...hwa.distill, teacher: f.teacher } : null,
    hwaBnCalibration: hwa?.bnCalibration ?? null,
    seed,
    epochs: result.epochsRun,
    batchSize,
    lr,
    trainSeconds: result.seconds,
    bestValAccuracy: result.bestValAccuracy,
    testAccuracy: test.accuracy,
    testLoss: test.loss,
    history: result.history,
  };
  const lines = [
    `${modelName} on ${data.name}${f.hwa ? ` (HWA ${f.hwa})` : ""}: test accuracy ${test.accuracy.toFixed(2)} % after ${result.epochsRun} epochs (${result.seconds.toFixed(1)} s)`,
  ];
  if (drift) {
    const s = evaluateOverDrift(model, data.test, {
      preset: drift.preset,
      times: drift.times,
      reps: drift.reps,
      rng: rng.fork("drift"),
      digitalLayers: record.digitalLayers as DigitalLayers,
      adaBs: drift.adaBsBatches ? { loader: data.train, batches: drift.adaBsBatches } : null,
    });
    writeDriftResults(f.out, "drift", s, { model: modelName, dataset: data.name });
    record.drift = s;
    lines.push(driftTable(s, `accuracy over drift on ${drift.preset.name}`), mappingLine(s.mapping));
  }
  const csv = ["epoch,train_loss,train_accuracy_pct,val_loss,val_accuracy_pct,lr,seconds"];
  for (const h of result.history)
    csv.push(
      [h.epoch, h.trainLoss, h.trainAccuracy, h.valLoss ?? "", h.valAccuracy ?? "", h.lr, h.seconds].join(
        ",",
      ),
    );
  writeFileAtomic(join(f.out, "history.csv"), `${csv.join("\n")}\n`);
  writeFileAtomic(join(f.out, "results.json"), `${JSON.stringify(record, null, 2)}\n`);
  process.stdout.write(
    f.json ? `${JSON.stringify(record, null, 2)}\n` : `${lines.join("\n")}\nresults in ${f.out}\n`,
  );
}
