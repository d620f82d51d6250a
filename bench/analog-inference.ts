/**
 * bench/analog-inference: evaluation throughput of analog vs digital inference for a CIFAR ResNet-32 and the
 * MLPerf Tiny KWS DS-CNN. Method: build the digital model (zoo, fixed seed), convert a copy with the HERMES
 * preset (256×256 tiles, 8-bit I/O, HERMES PCM noise, global drift compensation), program once, drift to
 * 1 day (86400 s), then time eval forwards of the same random batch through both models in alternating
 * rounds, in the same process. Figures (medians over the rounds): samples/s of each and
 * `analog_over_digital` = analog time / digital time (target ≤ 1.5). An ablation in the same rounds,
 * `analog_without_output_noise_over_digital`, runs the same programmed model with the output noise off (every
 * other periphery stage on): what the DAC/NM, ADC and tiling cost on their own. A floor in the same rounds,
 * `output_noise_floor_over_digital`: (digital time + the time to draw, alone, the standard normals of the
 * analog forward's output noise, one per ADC output of every tile as aihwkit draws them) / digital time. An
 * analog forward does the digital model's arithmetic and draws these normals, so an implementation with this
 * generator (Philox4x32-10 + Box-Muller, src/core/philox.ts) cannot go below it. For models with depthwise
 * convolutions, `depthwise_digital_analog_over_digital` in the same rounds: the analog model with those layers on
 * the chip's digital units (`--digital-layers depthwise`; aihwkit 1.1.0 itself maps only groups = 1
 * convolutions, SPEC §10.3), every other layer analog with full periphery and noise; and
 * `block_diagonal_analog_over_digital`: all layers analog, the depthwise channels packed block-diagonally onto
 * tiles (`mapping.groupedConvTiles`), the mapping a 64-core chip can hold. A reference after the rounds
 * (bench/torch/analog_inference.py, with Debian's PyTorch when present): the same two models in PyTorch,
 * digital and with the analog tile forward written in eager PyTorch ops as a Python simulator does it, at the
 * same thread count: `pytorch_analog_emulation_over_digital` and `analog_speedup_over_pytorch_emulation`. Results:
 * bench/results/analog-inference.json (written atomically).
 *
 *   flock /tmp/kirchhoff-bench.lock node --import tsx bench/analog-inference.ts [--reps 5] [--rounds 5]
 *     [--batch 32] [--min-round-ms 250]
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { Command } from "commander";
import {
  analogConfig,
  depthwiseToDigital,
  drift,
  getPreset,
  program,
  toAnalog,
} from "../src/analog/index.js";
import { getBackend, Rng } from "../src/core/index.js";
import type { AnyModule } from "../src/nn/index.js";
import { CifarResNet, DsCnn } from "../src/nn/zoo/index.js";
import { noGrad, randn, type Tensor } from "../src/tensor/index.js";
import { benchRecord, writeJsonAtomic } from "./lib.js";

const repo = resolve(new URL("..", import.meta.url).pathname);
const opts = new Command()
  .option("--reps <n>", "timed forwards per model, mode and round (at least)", "5")
  .option("--min-round-ms <ms>", "more forwards per round where --reps would take less than this", "250")
  .option("--rounds <n>", "alternating digital / analog rounds (figures: medians)", "5")
  .option("--batch <n>", "samples per forward", "32")
  .option("--preset <name>", "analog preset", "hermes")
  .option("--t-inference <sec>", "drift time after programming (s)", "86400")
  .option("--out <file>", "result file", resolve(repo, "bench/results/analog-inference.json"))
  .parse()
  .opts<{
    reps: string;
    minRoundMs: string;
    rounds: string;
    batch: string;
    preset: string;
    tInference: string;
    out: string;
  }>();

/** The option's number, or exit with a message naming it (expected vs got). */
function numberOption(name: string, raw: string, integer: boolean, min: number): number {
  const v = Number(raw);
  if (!Number.isFinite(v) || v < min || (integer && !Number.isInteger(v))) {
    console.error(`--${name}: expected ${integer ? "an integer" : "a number"} >= ${min}, got "${raw}"`);
    process.exit(2);
  }
  return v;
}
const reps = numberOption("reps", opts.reps, true, 1);
const minRoundMs = numberOption("min-round-ms", opts.minRoundMs, false, 0);
const rounds = numberOption("rounds", opts.rounds, true, 1);
const batch = numberOption("batch", opts.batch, true, 1);
const tInferenceSec = numberOption("t-inference", opts.tInference, false, 0);
try {
  getPreset(opts.preset);
} catch (e) {
  console.error(`--preset: ${(e as Error).message}`);
  process.exit(2);
}

interface Case {
  key: string;
  build: () => AnyModule;
  inputShape: number[];
}
const cases: Case[] = [
  {
    key: "resnet32",
    build: () => new CifarResNet(new Rng(1), { depth: 32 }),
    inputShape: [batch, 32, 32, 3],
  },
  { key: "dscnn", build: () => new DsCnn(new Rng(2)), inputShape: [batch, 49, 10, 1] },
];

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Mean wall time (ms) of one eval forward over n forwards, after one warm-up forward. */
function timeForward(model: AnyModule, x: Tensor, n: number): number {
  noGrad(() => model.forward(x));
  const t0 = performance.now();
  for (let i = 0; i < n; i++) noGrad(() => model.forward(x));
  return (performance.now() - t0) / n;
}

/** Forwards per round: --reps, or enough to fill --min-round-ms (a short round is all noise on a shared machine). */
function forwardsPerRound(model: AnyModule, x: Tensor): number {
  return Math.max(reps, Math.ceil(minRoundMs / timeForward(model, x, 1)));
}

/** Standard normals the output noise of one analog forward draws (one per ADC output of every tile pass). */
function outputNoiseNormals(model: AnyModule, x: Tensor): number {
  const be = getBackend();
  const { analogTileForward, analogOutputPeriphery } = be;
  let n = 0;
  be.analogTileForward = (a, p) => {
    if (a.noise) n += a.rows * a.groups * a.m;
    return analogTileForward.call(be, a, p);
  };
  be.analogOutputPeriphery = (y, rows, m, p, z, failed) => {
    if (z) n += rows * m;
    analogOutputPeriphery.call(be, y, rows, m, p, z, failed);
  };
  try {
    noGrad(() => model.forward(x));
  } finally {
    be.analogTileForward = analogTileForward;
    be.analogOutputPeriphery = analogOutputPeriphery;
  }
  return n;
}

/** Mean wall time (ms) of drawing n standard normals, `reps` times, into a reused cache-sized buffer. */
function timeNormals(n: number, reps: number, rng: Rng): number {
  const buf = new Float32Array(Math.min(n, 1 << 18));
  const t0 = performance.now();
  for (let r = 0; r < reps; r++)
    for (let e = 0; e < n; e += buf.length)
      rng.fillNormal(e + buf.length <= n ? buf : buf.subarray(0, n - e));
  return (performance.now() - t0) / reps;
}

interface TorchTimes {
  torch_version: string;
  models: Record<string, { digital_ms: number; analog_ms: number }>;
}

/** PyTorch's forward times of the cases (bench/torch/analog_inference.py), or null where it cannot run. */
function pytorch(): TorchTimes | null {
  const py = "/usr/bin/python3";
  if (!existsSync(py)) {
    console.log("PyTorch reference skipped: /usr/bin/python3 not found");
    return null;
  }
  const script = new URL("torch/analog_inference.py", import.meta.url).pathname;
  const args = ["--batch", String(batch), "--threads", String(getBackend().getThreads()), "--reps", "9"];
  const r = spawnSync(py, [script, ...args], { encoding: "utf8" });
  if (r.status !== 0) {
    console.log(
      `PyTorch reference skipped: ${(r.stderr || r.stdout || "no output").trim().split("\n").at(-1)}`,
    );
    return null;
  }
  return JSON.parse(r.stdout) as TorchTimes;
}

/**
 * The analog model of the case under `config`: converted, programmed once and drifted (same seeds); with
 * `depthwiseDigital`, its depthwise convolutions on the digital units (null when it has none).
 */
function prepareAnalog(
  c: Case,
  config: ReturnType<typeof getPreset>,
  depthwiseDigital = false,
): AnyModule | null {
  const analog = toAnalog(c.build(), config, { rng: new Rng(3) }).eval();
  if (depthwiseDigital && depthwiseToDigital(analog).length === 0) return null;
  program(analog, new Rng(4));
  drift(analog, tInferenceSec, new Rng(5));
  return analog;
}

const figures: Record<string, number> = {};
for (const c of cases) {
  const digital = c.build().eval();
  const preset = getPreset(opts.preset);
  const t0 = performance.now();
  const analog = prepareAnalog(c, preset)!;
  const prepareMs = performance.now() - t0;
  const quiet = prepareAnalog(c, analogConfig({ ...preset, forward: { ...preset.forward, outNoise: 0 } }))!;
  const dwDigital = prepareAnalog(c, preset, true);
  const packed = dwDigital
    ? prepareAnalog(
        c,
        analogConfig({ ...preset, mapping: { ...preset.mapping, groupedConvTiles: "blockDiagonal" } }),
      )
    : null;
  const x = randn(c.inputShape, new Rng(6));
  // alternating rounds share machine-load fluctuations between the modes; the medians of the per-round
  // times and ratios are robust to a round that a neighbour on this shared machine slowed down
  const dRounds: number[] = [];
  const aRounds: number[] = [];
  const ratios: number[] = [];
  const quietRatios: number[] = [];
  const floorRatios: number[] = [];
  const dwDigitalRatios: number[] = [];
  const packedRatios: number[] = [];
  const normals = outputNoiseNormals(analog, x);
  const noiseRng = new Rng(7);
  const dReps = forwardsPerRound(digital, x);
  const aReps = forwardsPerRound(analog, x);
  for (let round = 0; round < rounds; round++) {
    dRounds.push(timeForward(digital, x, dReps));
    aRounds.push(timeForward(analog, x, aReps));
    quietRatios.push(timeForward(quiet, x, aReps) / dRounds[round]!);
    ratios.push(aRounds[round]! / dRounds[round]!);
    floorRatios.push(1 + timeNormals(normals, dReps, noiseRng) / dRounds[round]!);
    if (dwDigital) dwDigitalRatios.push(timeForward(dwDigital, x, aReps) / dRounds[round]!);
    if (packed) packedRatios.push(timeForward(packed, x, aReps) / dRounds[round]!);
  }
  const dMs = median(dRounds);
  const aMs = median(aRounds);
  figures[`${c.key}.analog_over_digital`] = median(ratios);
  figures[`${c.key}.analog_without_output_noise_over_digital`] = median(quietRatios);
  figures[`${c.key}.output_noise_floor_over_digital`] = median(floorRatios);
  figures[`${c.key}.output_noise_normals_per_forward`] = normals;
  figures[`${c.key}.digital_samples_per_sec`] = (batch * 1000) / dMs;
  figures[`${c.key}.analog_samples_per_sec`] = (batch * 1000) / aMs;
  figures[`${c.key}.convert_program_drift_ms`] = prepareMs;
  if (dwDigital) figures[`${c.key}.depthwise_digital_analog_over_digital`] = median(dwDigitalRatios);
  if (packed) figures[`${c.key}.block_diagonal_analog_over_digital`] = median(packedRatios);
  console.log(
    `${c.key}: digital ${dMs.toFixed(1)} ms, analog ${aMs.toFixed(1)} ms per batch of ${batch} → ratio ` +
      `${(aMs / dMs).toFixed(2)} (median per-round ${median(ratios).toFixed(2)}; without output noise ` +
      `${median(quietRatios).toFixed(2)}; floor: digital + ${normals} output-noise normals ` +
      `${median(floorRatios).toFixed(2)}${dwDigital ? `; depthwise on the digital units ${median(dwDigitalRatios).toFixed(2)}` : ""}` +
      `${packed ? `; depthwise packed block-diagonally ${median(packedRatios).toFixed(2)}` : ""})`,
  );
}

const torch = pytorch();
for (const c of cases) {
  const t = torch?.models[c.key];
  if (!t) continue;
  const analogSps = figures[`${c.key}.analog_samples_per_sec`]!;
  figures[`${c.key}.pytorch_digital_samples_per_sec`] = (batch * 1000) / t.digital_ms;
  figures[`${c.key}.pytorch_analog_emulation_samples_per_sec`] = (batch * 1000) / t.analog_ms;
  figures[`${c.key}.pytorch_analog_emulation_over_digital`] = t.analog_ms / t.digital_ms;
  figures[`${c.key}.analog_speedup_over_pytorch_emulation`] = (analogSps * t.analog_ms) / (batch * 1000);
  console.log(
    `${c.key}: PyTorch ${torch!.torch_version} digital ${t.digital_ms.toFixed(1)} ms, analog emulation ` +
      `${t.analog_ms.toFixed(1)} ms (ratio ${(t.analog_ms / t.digital_ms).toFixed(1)}); ours analog is ` +
      `${figures[`${c.key}.analog_speedup_over_pytorch_emulation`]!.toFixed(1)}x faster`,
  );
}

writeJsonAtomic(
  opts.out,
  benchRecord("analog-inference", figures, {
    backend: `${getBackend().name} (${getBackend().isa})`,
    pytorch: torch?.torch_version ?? null,
    method: {
      preset: opts.preset,
      tInferenceSec,
      batch,
      reps,
      minRoundMs,
      rounds,
      note: "program once, drift once, eval forwards of one random batch in alternating rounds; analog_over_digital = median per-round time ratio (target <= 1.5); analog_without_output_noise_over_digital: the same with out_noise 0; output_noise_floor_over_digital: (digital + drawing the forward's output-noise normals alone) / digital, a lower bound for this generator; depthwise_digital_analog_over_digital: depthwise convs on the digital units (aihwkit maps only groups = 1), the rest analog; block_diagonal_analog_over_digital: all analog, depthwise channels packed block-diagonally onto tiles (groupedConvTiles); pytorch_*: bench/torch/analog_inference.py after the rounds (eager PyTorch ops, same threads, median of 9)",
    },
  }),
);
console.log(`wrote ${opts.out}`);
