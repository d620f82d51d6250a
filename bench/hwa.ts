/**
 * bench/hwa: does hardware-aware training keep accuracy on the analog chip? For ResNet-8 and ResNet-20 on the
 * CIFAR-10 (JPEG rebuild) subset and the DS-CNN on the Speech Commands subset (speaker-disjoint split), train
 * once digitally and once hardware-aware (HWA, `hwaConfigFromPreset("hermes")`) with the same budget, then
 * evaluate both on the HERMES-like preset at 1 s, 1 h, 1 d, 1 month and 1 year after programming (N
 * programmings each). Not a test; the lead runs it:
 *
 *   flock /tmp/kirchhoff-bench.lock node --import tsx bench/hwa.ts [--models resnet8,resnet20,dscnn]
 *     [--epochs-cifar 40] [--epochs-resnet20 40] [--epochs-kws 60] [--finetune-epochs 10]
 *     [--finetune-epochs-kws 30] [--finetune-lr-factor 0.2] [--train-size 5000] [--test-size 1000] [--reps 3]
 *     [--batch 64] [--lr 0.05] [--hwa-mode finetune|scratch] [--weight-noise chip|preset] [--noise-scale 1.5]
 *     [--hwa-time-range MIN,MAX] [--distill 0.5] [--digital-layers depthwise|none] [--adabs BATCHES]
 *     [--bn-calibration BATCHES] [--cache DIR] [--out bench/results/hwa.json] [--quick]
 *
 * `--hwa-mode finetune` (default; the recipe of Rasch et al., Nat. Commun. 2023: HWA fine-tuning of a converged
 * digital model): a digital pre-training of `epochs` (cosine schedule) is shared by both arms; then the direct
 * arm is fine-tuned DIGITALLY and the HWA arm HARDWARE-AWARE, each for `--finetune-epochs` (DS-CNN:
 * `--finetune-epochs-kws`) at lr × `--finetune-lr-factor` from the same weights, the HWA arm with knowledge
 * distillation from the pre-trained model (`--distill` α, temperature 4) and, at the end, BatchNorm calibration
 * at the device's own noise (`--bn-calibration`, `HwaConfig.bnCalibration`). Both arms thus get exactly the same
 * budget (`<model>.epochs` = `<model>.epochs_digital` = pre-training + fine-tuning epochs; train seconds count
 * both phases). `scratch`: both arms train from the same initialisation for `epochs`.
 * `--weight-noise chip` (default) injects the preset's own device model at 1 month (programming noise ×
 * `--noise-scale`, conductance-dependent drift, read noise, global compensation: `chipNoisyWeights`);
 * `--hwa-time-range 1,31536000` draws that drift time log-uniformly per training forward instead (`tRangeSec`).
 * `--adabs N` (default 8) additionally evaluates both arms with BatchNorm statistics re-estimated on the drifted
 * chip from N training batches before every measurement (AdaBS, Joshi et al., Nat. Commun. 2020): figures
 * `<model>.acc_1mo_hwa_adabs`, `<model>.acc_1mo_direct_adabs`, ...; 0 skips it. The target figures
 * (`acc_1mo_hwa`, `acc_1mo_direct`) are always the plain aihwkit-style evaluation without it.
 * `--cache DIR` reuses digitally trained models across runs (their train_seconds are then NaN).
 * `preset` uses `hwaConfigFromPreset`'s default (pcmProg ×1.5 + drift-exponent spread only).
 * `--digital-layers depthwise` runs depthwise convolutions on HERMES' digital units in BOTH the direct and the
 * HWA evaluation (default: an explicit mapping choice recorded in the config, see the budget note below; `none`
 * maps every layer to the crossbars: DS-CNN then loses ~12 points at 1 month even with HWA, because a 9-row
 * depthwise column cannot average out the ±30 % month-scale drift-exponent spread of small conductances).
 *
 * Budget (2 cores, defaults = 5,000 CIFAR / all 2,242 KWS training samples, 1,000 CIFAR / 484 KWS test samples,
 * 3 programmings per time): an HWA epoch cost 4–7× a digital one and the whole run ~30 min on a quiet machine
 * (2026-11-28); since the HWA periphery runs as native kernels an HWA step costs 1.7× (ResNet-8) and 2.7×
 * (DS-CNN) a digital one (bench/train-step, 2026-11-29). With 5,000 training images ResNet-8/20 reach ~70 % digitally: the figures compare HWA
 * with its own digital model, not with the published accuracies. Shorter pre-training (10 epochs, digital
 * ~55 %) leaves both arms under-trained and the HWA arm 5–6 points behind: the noisy arm learns more slowly.
 *
 * Writes bench/results/hwa.json atomically with, per model, `<model>.acc_digital` (digital model, digital
 * accuracy), `<model>.acc_digital_hwa` (HWA model evaluated digitally), `<model>.acc_1mo_hwa`,
 * `<model>.acc_1mo_direct` (HWA / digitally trained model on the chip after 1 month, percent, mean over
 * programmings), `<model>.acc_1y_hwa`, `<model>.acc_1y_direct`, `<model>.epochs` (HWA arm; `<model>.epochs_digital`
 * for the direct arm), `<model>.train_seconds` (HWA arm) and `<model>.train_seconds_digital`; full drift curves go into `curves`.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { Rng } from "../src/core/index.js";
import { type AnyModule, createModel, loadModel, saveModel } from "../src/nn/index.js";
import {
  DEFAULT_BN_CALIBRATION,
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
const epochsCifar = Number(flag("epochs-cifar", quick ? "1" : "40"));
const epochsResnet20 = Number(flag("epochs-resnet20", quick ? "1" : "40"));
const epochsKws = Number(flag("epochs-kws", quick ? "1" : "60"));
/** Fine-tuning epochs of both arms after the shared pre-training (finetune mode): CIFAR models / DS-CNN. */
const ftEpochsCifar = Number(flag("finetune-epochs", quick ? "1" : "10"));
const ftEpochsKws = Number(flag("finetune-epochs-kws", quick ? "1" : "30"));
const trainSize = Number(flag("train-size", quick ? "256" : "5000"));
const testSize = Number(flag("test-size", quick ? "128" : "1000"));
const reps = Number(flag("reps", quick ? "1" : "3"));
const batch = Number(flag("batch", "64"));
const lr = Number(flag("lr", "0.05"));
const hwaMode = flag("hwa-mode", "finetune");
/** Learning rate of the fine-tuning phase (both arms) relative to `--lr`. */
const ftLrFactor = Number(flag("finetune-lr-factor", "0.2"));
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
/**
 * Drift-time window of the `chip` weight noise, "min,max" seconds: every training forward draws its drift time
 * log-uniformly from it (`tRangeSec`), so the HWA model fits the whole deployment window; "" = fixed 1 month.
 */
const timeRangeFlag = flag("hwa-time-range", "");
const tRangeSec = timeRangeFlag ? (timeRangeFlag.split(",").map(Number) as [number, number]) : null;
if (tRangeSec && !(tRangeSec.length === 2 && tRangeSec[0]! > 0 && tRangeSec[1]! >= tRangeSec[0]!))
  throw new Error(`--hwa-time-range: expected "min,max" seconds with 0 < min <= max, got ${timeRangeFlag}`);
/**
 * AdaBS calibration batches (Joshi et al., Nat. Commun. 2020): both arms are also evaluated with BatchNorm
 * statistics re-estimated on the drifted chip from this many training batches (0 = skip that evaluation).
 */
const adaBsBatches = Number(flag("adabs", "8"));
/**
 * BatchNorm calibration batches at the end of HWA training (`HwaConfig.bnCalibration`: statistics through the
 * HWA forward at the device's own noise instead of the ×noiseScale training noise; 0 = off).
 */
const bnCalBatches = Number(flag("bn-calibration", String(DEFAULT_BN_CALIBRATION.batches)));
/** Directory caching the digitally trained models between runs (keyed by every setting that affects them). */
const cacheDir = flag("cache", "");
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
  const bnCalibration = bnCalBatches > 0 ? { batches: bnCalBatches } : null;
  const common = { distill, digitalLayers, bnCalibration };
  if (weightNoise === "preset") return hwaConfigFromPreset(preset, common);
  return hwaConfigFromPreset(preset, {
    ...common,
    weightNoise: tRangeSec
      ? { type: "chip", stdDev: noiseScale, tRangeSec }
      : { type: "chip", stdDev: noiseScale, tInferenceSec: 2_592_000 },
  });
}

const figures: Record<string, number> = {};
const curves: Record<
  string,
  { direct: DriftSummary; hwa: DriftSummary; directAdaBs: DriftSummary | null; hwaAdaBs: DriftSummary | null }
> = {};
const at = (s: DriftSummary, t: number) => s.points.find((p) => p.tInferenceSec === t)!.accuracyMean;

for (const name of models) {
  const kws = name === "dscnn";
  const path = kws ? PATHS.kws! : PATHS.cifar!;
  if (!existsSync(path)) {
    console.log(`${name}: skipped, dataset ${path} not found`);
    continue;
  }
  const epochs = kws ? epochsKws : name === "resnet20" ? epochsResnet20 : epochsCifar;
  const ftEpochs = kws ? ftEpochsKws : ftEpochsCifar;
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
  const cacheFile = cacheDir
    ? join(cacheDir, `${name}-e${epochs}-n${trainSize}-b${batch}-lr${lr}.safetensors`)
    : null;
  const ftLr = lr * ftLrFactor;
  /** Trains a fresh model (from = null) or a copy of `from` for `nEpochs`, digitally or hardware-aware. */
  const train = (hwa: boolean, from: AnyModule | null, nEpochs: number, lrRun: number) => {
    const model = createModel(name, { classes: data.classes.length }, new Rng(1).fork("init"));
    if (from) model.loadStateDict(from.stateDict({ copy: true }));
    const distill = hwa && from && distillAlpha > 0 ? { temperature: 4, alpha: distillAlpha } : null;
    const label = `${hwa ? "hwa    " : "digital"}${from ? " fine-tune" : ""}`;
    const r = trainModel(model, data.train, null, {
      epochs: nEpochs,
      lr: lrRun,
      weightDecay: 5e-4,
      rng: new Rng(2),
      hwa: hwa ? hwaConfig(distill) : null,
      teacher: distill ? from : null,
      onEvent: (e) => {
        if (e.type === "epoch") {
          console.log(
            `  ${label} epoch ${e.record.epoch}: loss ${e.record.trainLoss.toFixed(3)} acc ${e.record.trainAccuracy.toFixed(1)} % (${e.record.seconds.toFixed(0)} s)`,
          );
        }
      },
    });
    fromHwa(model);
    return { model, seconds: r.seconds, epochs: r.epochsRun };
  };
  /** The digital pre-training shared by both arms in finetune mode (cached with --cache). */
  const pretrain = () => {
    if (cacheFile && existsSync(cacheFile)) {
      const model = createModel(name, { classes: data.classes.length }, new Rng(1).fork("init"));
      loadModel(model, cacheFile);
      return { model, seconds: Number.NaN, epochs };
    }
    const r = train(false, null, epochs, lr);
    if (cacheFile) {
      mkdirSync(cacheDir, { recursive: true });
      saveModel(r.model, cacheFile);
    }
    return r;
  };
  const evaluate = (arm: string, model: AnyModule, adaBs: boolean) => {
    const t0 = performance.now();
    const drift = evaluateOverDrift(model, data.test, {
      preset,
      times: TIMES,
      reps,
      rng: new Rng(3),
      digitalLayers,
      adaBs: adaBs ? { loader: data.train, batches: adaBsBatches } : null,
    });
    console.log(
      `  ${arm}: digital ${drift.digitalAccuracy.toFixed(2)} %, 1 s ${at(drift, 1).toFixed(2)} %, 1 mo ${at(drift, 2_592_000).toFixed(2)} %, 1 y ${at(drift, 31_536_000).toFixed(2)} % (drift eval ${((performance.now() - t0) / 1000).toFixed(0)} s)`,
    );
    return drift;
  };
  // finetune: both arms continue the same digital pre-training for ftEpochs at ftLr, one digitally, one HWA,
  // so the directly mapped model gets exactly the HWA model's training budget (epochs and schedule).
  const pre = hwaMode === "finetune" ? pretrain() : null;
  const directRun = pre ? train(false, pre.model, ftEpochs, ftLr) : train(false, null, epochs, lr);
  const hwaRun = pre ? train(true, pre.model, ftEpochs, ftLr) : train(true, null, epochs, lr);
  const preSeconds = pre ? pre.seconds : 0;
  const preEpochs = pre ? pre.epochs : 0;
  const direct = {
    drift: evaluate("direct", directRun.model, false),
    adaBs: adaBsBatches > 0 ? evaluate("direct + AdaBS", directRun.model, true) : null,
    seconds: preSeconds + directRun.seconds,
    epochs: preEpochs + directRun.epochs,
  };
  const hwa = {
    drift: evaluate("hwa", hwaRun.model, false),
    adaBs: adaBsBatches > 0 ? evaluate("hwa + AdaBS", hwaRun.model, true) : null,
    seconds: preSeconds + hwaRun.seconds,
    epochs: preEpochs + hwaRun.epochs,
  };
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
    [`${name}.acc_1s_hwa`]: at(hwa.drift, 1),
    [`${name}.acc_1s_direct`]: at(direct.drift, 1),
    [`${name}.epochs`]: hwa.epochs,
    [`${name}.epochs_digital`]: direct.epochs,
    [`${name}.train_seconds`]: hwa.seconds,
    [`${name}.train_seconds_digital`]: direct.seconds,
  });
  if (hwa.adaBs && direct.adaBs) {
    Object.assign(figures, {
      [`${name}.acc_1mo_hwa_adabs`]: at(hwa.adaBs, 2_592_000),
      [`${name}.acc_1mo_direct_adabs`]: at(direct.adaBs, 2_592_000),
      [`${name}.acc_1y_hwa_adabs`]: at(hwa.adaBs, 31_536_000),
      [`${name}.acc_1y_direct_adabs`]: at(direct.adaBs, 31_536_000),
      [`${name}.acc_1s_hwa_adabs`]: at(hwa.adaBs, 1),
    });
  }
  curves[name] = { direct: direct.drift, hwa: hwa.drift, directAdaBs: direct.adaBs, hwaAdaBs: hwa.adaBs };
}

if (!quick) {
  writeJsonAtomic(
    flag("out", new URL("results/hwa.json", import.meta.url).pathname),
    benchRecord("hwa", figures, {
      config: {
        preset,
        hwaMode,
        finetuneLrFactor: ftLrFactor,
        adaBsBatches,
        bnCalibrationBatches: bnCalBatches,
        distillAlpha,
        digitalLayers,
        weightNoise,
        noiseScale,
        tRangeSec,
        epochsCifar,
        epochsResnet20,
        epochsKws,
        finetuneEpochs: ftEpochsCifar,
        finetuneEpochsKws: ftEpochsKws,
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
