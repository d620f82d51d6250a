/**
 * bench/train-step: training throughput (forward + backward + SGD step, samples/s) of the MLPerf Tiny
 * ResNet-8 (batch 128, 32×32×3) and DS-CNN (batch 100, 49×10×1) built from Kirchhoff's zoo, on 1 and 2 threads
 * of the active kernel backend, beside PyTorch (bench/torch/train_step.py, run in the same process tree right
 * after ours, never concurrently; skipped with a message when PyTorch is absent).
 *
 *   flock /tmp/kirchhoff-bench.lock node --import tsx bench/train-step.ts [--reps N] [--rounds 3] [--quick]
 *
 * Each round measures ours, then PyTorch; the figures are medians over the rounds, the ratio being the median
 * of the per-round ratios. Writes bench/results/train-step.json atomically: figures `<model>.ratio_vs_pytorch`
 * (ours ÷ PyTorch at 2 threads), `<model>.samples_per_sec`, `<model>.pytorch_samples_per_sec` and the `.1t`
 * variants. Each round also times the same step hardware-aware (`toHwa` with `hwaConfigFromPreset("hermes")`:
 * chip weight noise drawn per step, DAC, output noise, ADC, clip/remap after the step) at 2 threads:
 * `<model>.hwa_samples_per_sec` and `<model>.hwa_over_digital` (HWA step time ÷ digital step time, median of
 * the per-round ratios).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { getBackend, Rng } from "../src/core/index.js";
import { createModel, SGD } from "../src/nn/index.js";
import { crossEntropy, tensor } from "../src/tensor/index.js";
import { hwaConfigFromPreset, hwaPostStep, toHwa } from "../src/train/index.js";
import { gitCommit, machineInfo, writeJsonAtomic } from "./lib.js";

const quick = process.argv.includes("--quick");
const repsArg = process.argv.indexOf("--reps");
const reps = repsArg > 0 ? Number(process.argv[repsArg + 1]) : quick ? 3 : 15;
const warmup = quick ? 1 : 3;
const roundsArg = process.argv.indexOf("--rounds");
const rounds = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : quick ? 1 : 3;

const NETS = [
  { name: "resnet8", batch: 128, shape: [32, 32, 3], classes: 10 },
  { name: "dscnn", batch: 100, shape: [49, 10, 1], classes: 12 },
] as const;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Median samples/s of full training steps on random data. */
function ours(
  name: string,
  batch: number,
  shape: readonly number[],
  classes: number,
  threads: number,
  hwa = false,
): number {
  getBackend().setThreads(threads);
  const rng = new Rng(0);
  const model = createModel(name, {}, rng.fork("init"));
  if (hwa) toHwa(model, hwaConfigFromPreset("hermes"), rng.fork("hwa"));
  model.train();
  const per = shape.reduce((a, b) => a * b, 1);
  const x = tensor(rng.fillNormal(new Float32Array(batch * per)), [batch, ...shape]);
  const y = new Int32Array(batch).map(() => rng.int(classes));
  const opt = new SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  const step = () => {
    opt.zeroGrad();
    const loss = crossEntropy(model.forward(x), y);
    loss.backward(undefined, { releaseActivations: true }); // as trainModel does
    opt.step();
    if (hwa) hwaPostStep(model);
  };
  for (let i = 0; i < warmup; i++) step();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    step();
    times.push((performance.now() - t0) / 1000);
  }
  return batch / median(times);
}

interface TorchResult {
  models: Record<string, { threads: Record<string, { samples_per_sec: number; memory_format: string }> }>;
  torch_version: string;
}

function pytorch(): TorchResult | null {
  const py = "/usr/bin/python3";
  const script = new URL("torch/train_step.py", import.meta.url).pathname;
  if (!existsSync(py)) {
    console.log("PyTorch comparison skipped: /usr/bin/python3 not found");
    return null;
  }
  const r = spawnSync(py, [script, "--reps", String(reps), "--warmup", String(warmup), "--threads", "1,2"], {
    encoding: "utf8",
  });
  if (r.status !== 0) {
    console.log(
      `PyTorch comparison skipped: ${(r.stderr || r.stdout || "no output").trim().split("\n").at(-1)}`,
    );
    return null;
  }
  return JSON.parse(r.stdout) as TorchResult;
}

/** One round: ours then PyTorch (never concurrently), samples/s per "<model>.<threads>". */
function round(): { ours: Map<string, number>; torch: Map<string, number> | null } {
  const o = new Map<string, number>();
  for (const n of NETS) {
    for (const t of [1, 2]) {
      const sps = ours(n.name, n.batch, n.shape, n.classes, t);
      o.set(`${n.name}.${t}`, sps);
      console.log(
        `${n.name} b${n.batch} ${t}t: ${sps.toFixed(0)} samples/s (kirchhoff ${backend.name}/${backend.isa})`,
      );
    }
  }
  for (const n of NETS) {
    const sps = ours(n.name, n.batch, n.shape, n.classes, 2, true);
    o.set(`${n.name}.hwa`, sps);
    console.log(`${n.name} b${n.batch} 2t: ${sps.toFixed(0)} samples/s hardware-aware (hermes)`);
  }
  const tr = pytorch();
  if (!tr) return { ours: o, torch: null };
  const p = new Map<string, number>();
  for (const n of NETS) {
    for (const t of [1, 2]) {
      const m = tr.models[n.name]?.threads[String(t)];
      if (!m) continue;
      p.set(`${n.name}.${t}`, m.samples_per_sec);
      torchVersion = tr.torch_version;
      console.log(
        `${n.name} ${t}t: PyTorch ${m.samples_per_sec.toFixed(0)} samples/s (${m.memory_format}); ratio ${(o.get(`${n.name}.${t}`)! / m.samples_per_sec).toFixed(2)}`,
      );
    }
  }
  return { ours: o, torch: p };
}

// Several alternating rounds: this shared machine's speed drifts by 10-40 % over minutes, so each round's
// ratio compares numbers measured a few seconds apart, and the figures are medians over rounds.
const backend = getBackend();
let torchVersion: string | null = null;
const results = Array.from({ length: rounds }, (_, i) => {
  console.log(`round ${i + 1}/${rounds}`);
  return round();
});
const figures: Record<string, number> = {};
for (const n of NETS) {
  figures[`${n.name}.hwa_samples_per_sec`] = median(results.map((r) => r.ours.get(`${n.name}.hwa`)!));
  figures[`${n.name}.hwa_over_digital`] = median(
    results.map((r) => r.ours.get(`${n.name}.2`)! / r.ours.get(`${n.name}.hwa`)!),
  );
  for (const t of [1, 2]) {
    const key = `${n.name}.${t}`;
    const sfx = t === 1 ? ".1t" : "";
    figures[`${n.name}.samples_per_sec${sfx}`] = median(results.map((r) => r.ours.get(key)!));
    const paired = results.filter((r) => r.torch?.has(key));
    if (paired.length === 0) continue;
    figures[`${n.name}.pytorch_samples_per_sec${sfx}`] = median(paired.map((r) => r.torch!.get(key)!));
    figures[`${n.name}.ratio_vs_pytorch${sfx}`] = median(
      paired.map((r) => r.ours.get(key)! / r.torch!.get(key)!),
    );
  }
}
console.log(JSON.stringify(figures, null, 2));
if (!quick) {
  const info = machineInfo();
  writeJsonAtomic(new URL("results/train-step.json", import.meta.url).pathname, {
    bench: "train-step",
    commit: gitCommit(),
    date: new Date().toISOString(),
    machine: { cpu: info.cpu, cores: info.logicalCpus, backend: backend.name, isa: backend.isa },
    pytorch: torchVersion,
    reps,
    rounds,
    figures,
  });
}
