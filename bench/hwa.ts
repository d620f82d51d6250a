/**
 * bench/hwa: does hardware-aware training keep accuracy on the analog chip? For ResNet-8 and ResNet-20 on the
 * CIFAR-10 (JPEG rebuild) subset and the DS-CNN on the Speech Commands subset (speaker-disjoint split), train
 * once digitally and once hardware-aware (HWA, `hwaConfigFromPreset("hermes")`) with the same budget, then
 * evaluate both on the HERMES-like preset at 1 s, 1 h, 1 d, 1 month and 1 year after programming (N
 * programmings each). Not a test; the lead runs it:
 *
 *   flock /tmp/kirchhoff-bench.lock node --import tsx bench/hwa.ts [--models resnet8,resnet20,dscnn]
 *     [--epochs-cifar 10] [--epochs-resnet20 5] [--epochs-kws 20] [--train-size 5000] [--test-size 300]
 *     [--reps 2] [--batch 64] [--lr 0.05] [--hwa-mode finetune|scratch] [--finetune-epochs N]
 *     [--weight-noise chip|preset] [--noise-scale 1.5] [--distill 0.5] [--digital-layers depthwise|none] [--quick]
 *
 * `--hwa-mode finetune` (default; the recipe of Rasch et al., Nat. Commun. 2023): the HWA model starts from the
 * digitally trained weights and is fine-tuned hardware-aware for `--finetune-epochs` (default half the digital
 * epochs) at lr/5 with knowledge distillation from the digital model (`--distill` α, temperature 4), so its
 * total budget is 1.5× the digital one (`<model>.epochs`, `<model>.train_seconds` count both phases).
 * `scratch`: HWA training from the same initialisation with exactly the digital budget.
 * `--weight-noise chip` (default) injects the preset's own device model at 1 month (programming noise ×
 * `--noise-scale`, conductance-dependent drift, read noise, global compensation: `chipNoisyWeights`);
 * `preset` uses `hwaConfigFromPreset`'s default (pcmProg ×1.5 + drift-exponent spread only).
 * `--digital-layers depthwise` runs depthwise convolutions on HERMES' digital units in BOTH the direct and the
 * HWA evaluation (default: an explicit mapping choice recorded in the config, see the budget note below; `none`
 * maps every layer to the crossbars: DS-CNN then loses ~12 points at 1 month even with HWA, because a 9-row
 * depthwise column cannot average out the ±30 % month-scale drift-exponent spread of small conductances).
 *
 * Budget (2 cores, quiet machine, defaults = 5,000 CIFAR / all 2,242 KWS training samples, 300 test, 2
 * programmings): DS-CNN 20 + 10 epochs ≈ 2.5 min, ResNet-8 10 + 5 epochs ≈ 4.5 min, ResNet-20 5 + 3 epochs
 * ≈ 8 min, whole run ≈ 15 min; HWA epochs cost ~3× digital ones. ResNet-8/20 stay undertrained at this budget
 * (digital 40–55 %): the figures compare HWA with its own digital model, not with the published accuracies.
 *
 * Writes bench/results/hwa.json atomically with, per model, `<model>.acc_digital` (digital model, digital
 * accuracy), `<model>.acc_digital_hwa` (HWA model evaluated digitally), `<model>.acc_1mo_hwa`,
 * `<model>.acc_1mo_direct` (HWA / digitally trained model on the chip after 1 month, percent, mean over
 * programmings), `<model>.acc_1y_hwa`, `<model>.acc_1y_direct`, `<model>.epochs`, `<model>.train_seconds` (HWA
 * run) and `<model>.train_seconds_digital`; full drift curves go into `curves`.
 */
import { existsSync } from "node:fs";
import { Rng } from "../src/core/index.js";
import { type AnyModule, createModel } from "../src/nn/index.js";
import {
  type DigitalLayers,
  type DriftSummary,
  evaluateOverDrift,
  fromHwa,
  hwaConfigFromPreset,
  loadTaskData,
  trainModel,
} from "../src/train/index.js";
import { benchRecord, writeJsonAtomic } from "./lib.js";

function flag(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
}
const quick = process.argv.includes("--quick");
const models = flag("models", "resnet8,resnet20,dscnn").split(",");
const epochsCifar = Number(flag("epochs-cifar", quick ? "1" : "10"));
const epochsResnet20 = Number(flag("epochs-resnet20", quick ? "1" : "5"));
const epochsKws = Number(flag("epochs-kws", quick ? "1" : "20"));
const trainSize = Number(flag("train-size", quick ? "256" : "5000"));
const testSize = Number(flag("test-size", quick ? "128" : "300"));
const reps = Number(flag("reps", quick ? "1" : "2"));
const batch = Number(flag("batch", "64"));
const lr = Number(flag("lr", "0.05"));
const hwaMode = flag("hwa-mode", "finetune");
/** Knowledge-distillation weight α of the HWA fine-tuning (teacher = the digital model; 0 = off). */
const distillAlpha = Number(flag("distill", "0.5"));
/** "depthwise": depthwise convolutions run on HERMES' digital units in BOTH evaluations (explicit, reported). */
const digitalLayersFlag = flag("digital-layers", "depthwise");
if (digitalLayersFlag !== "none" && digitalLayersFlag !== "depthwise")
  throw new Error(`--digital-layers: expected none or depthwise, got ${digitalLayersFlag}`);
const digitalLayers: DigitalLayers = digitalLayersFlag;
/** HWA weight noise: "chip" (the preset's device model at 1 month) or the preset default ("preset"). */
const weightNoise = flag("weight-noise", "chip");
/** Programming-noise scale of the `chip` weight noise (AnalogNAS / Rasch et al.: a bit above 1 helps). */
const noiseScale = Number(flag("noise-scale", "1.5"));
if (digitalLayers !== "none" && digitalLayers !== "depthwise")
  throw new Error(`--digital-layers: expected none or depthwise, got ${digitalLayers}`);
if (hwaMode !== "finetune" && hwaMode !== "scratch")
  throw new Error(`--hwa-mode: expected finetune or scratch, got ${hwaMode}`);
const preset = "hermes";
const TIMES = [1, 3600, 86_400, 2_592_000, 31_536_000];
const shared = new URL("../../shared/datasets/", import.meta.url).pathname;
const PATHS: Record<string, string> = {
  cifar: `${shared}cifar10-jpeg-q75-subset`,
  kws: `${shared}speech-commands-v0.02-subset`,
};

function hwaConfig(distill: { temperature: number; alpha: number } | null) {
  const base = hwaConfigFromPreset(preset, { distill, digitalLayers });
  if (weightNoise === "preset") return base;
  return hwaConfigFromPreset(preset, {
    distill,
    digitalLayers,
    weightNoise: { type: "chip", stdDev: noiseScale, tInferenceSec: 2_592_000 },
  });
}

const figures: Record<string, number> = {};
const curves: Record<string, { direct: DriftSummary; hwa: DriftSummary }> = {};
const at = (s: DriftSummary, t: number) => s.points.find((p) => p.tInferenceSec === t)!.accuracyMean;

for (const name of models) {
  const kws = name === "dscnn";
  const path = kws ? PATHS.kws! : PATHS.cifar!;
  if (!existsSync(path)) {
    console.log(`${name}: skipped, dataset ${path} not found`);
    continue;
  }
  const epochs = kws ? epochsKws : name === "resnet20" ? epochsResnet20 : epochsCifar;
  const data = loadTaskData({
    path,
    batchSize: batch,
    seed: 1,
    maxTrain: trainSize,
    maxTest: testSize,
    valFraction: 0,
  });
  console.log(
    `${name}: ${data.train.size} train / ${data.test.size} test samples of ${data.name}, ${epochs} epochs`,
  );
  const run = (hwa: boolean, from?: AnyModule) => {
    const model = createModel(name, { classes: data.classes.length }, new Rng(1).fork("init"));
    if (from) model.loadStateDict(from.stateDict({ copy: true }));
    const ftEpochs = Number(flag("finetune-epochs", String(Math.max(1, Math.round(epochs / 2)))));
    const distill = hwa && from && distillAlpha > 0 ? { temperature: 4, alpha: distillAlpha } : null;
    const r = trainModel(model, data.train, null, {
      epochs: from ? ftEpochs : epochs,
      lr: from ? lr / 5 : lr,
      weightDecay: 5e-4,
      rng: new Rng(2),
      hwa: hwa ? hwaConfig(distill) : null,
      teacher: distill ? from : null,
      onEvent: (e) => {
        if (e.type === "epoch") {
          console.log(
            `  ${hwa ? "hwa    " : "digital"} epoch ${e.record.epoch}: loss ${e.record.trainLoss.toFixed(3)} acc ${e.record.trainAccuracy.toFixed(1)} % (${e.record.seconds.toFixed(0)} s)`,
          );
        }
      },
    });
    fromHwa(model);
    const t0 = performance.now();
    const drift = evaluateOverDrift(model, data.test, {
      preset,
      times: TIMES,
      reps,
      rng: new Rng(3),
      digitalLayers,
    });
    console.log(
      `  ${hwa ? "hwa    " : "digital"}: digital ${drift.digitalAccuracy.toFixed(2)} %, 1 s ${at(drift, 1).toFixed(2)} %, 1 mo ${at(drift, 2_592_000).toFixed(2)} %, 1 y ${at(drift, 31_536_000).toFixed(2)} % (drift eval ${((performance.now() - t0) / 1000).toFixed(0)} s)`,
    );
    return { model, drift, seconds: r.seconds, epochs: r.epochsRun };
  };
  const direct = run(false);
  const hwa = run(true, hwaMode === "finetune" ? direct.model : undefined);
  if (hwaMode === "finetune") {
    hwa.seconds += direct.seconds;
    hwa.epochs += direct.epochs;
  }
  const acc1moHwa = at(hwa.drift, 2_592_000);
  const acc1moDirect = at(direct.drift, 2_592_000);
  Object.assign(figures, {
    [`${name}.acc_digital`]: direct.drift.digitalAccuracy,
    [`${name}.acc_digital_hwa`]: hwa.drift.digitalAccuracy,
    [`${name}.acc_1mo_hwa`]: acc1moHwa,
    [`${name}.acc_1mo_direct`]: acc1moDirect,
    [`${name}.gap_1mo_hwa`]: direct.drift.digitalAccuracy - acc1moHwa,
    [`${name}.gain_1mo_hwa_vs_direct`]: acc1moHwa - acc1moDirect,
    [`${name}.acc_1y_hwa`]: at(hwa.drift, 31_536_000),
    [`${name}.acc_1y_direct`]: at(direct.drift, 31_536_000),
    [`${name}.epochs`]: hwa.epochs,
    [`${name}.train_seconds`]: hwa.seconds,
    [`${name}.train_seconds_digital`]: direct.seconds,
  });
  curves[name] = { direct: direct.drift, hwa: hwa.drift };
}

if (!quick) {
  writeJsonAtomic(
    new URL("results/hwa.json", import.meta.url).pathname,
    benchRecord("hwa", figures, {
      config: {
        preset,
        hwaMode,
        distillAlpha,
        digitalLayers,
        weightNoise,
        noiseScale,
        epochsCifar,
        epochsResnet20,
        epochsKws,
        trainSize,
        testSize,
        reps,
        batch,
        lr,
        times: TIMES,
      },
      curves,
    }),
  );
}
console.log(JSON.stringify(figures, null, 2));
