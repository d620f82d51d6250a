/**
 * bench/analog-periphery: per-stage timings of one analog conv MVM (HERMES-like periphery: abs-max NM,
 * 8-bit DAC/ADC, output noise) at ResNet-32 layer shapes, to see which stage dominates analog inference.
 * Stages: im2col (analog column order), DAC (analogInputPeriphery), sgemm, output-noise fill, ADC
 * (analogOutputPeriphery, also with its inline noise). Prints ns per element of each stage (elements: patch entries for im2col/DAC,
 * outputs for noise/ADC) and ms per call.
 *
 *   flock /tmp/kirchhoff-bench.lock node --import tsx bench/analog-periphery.ts [--batch 32] [--reps 3]
 */
import { Command } from "commander";
import { type Conv2dParams, getBackend, Rng } from "../src/core/index.js";

const opts = new Command()
  .option("--batch <n>", "images per call", "32")
  .option("--reps <n>", "timed repetitions", "3")
  .parse()
  .opts<{ batch: string; reps: string }>();
const batch = Number(opts.batch);
const reps = Number(opts.reps);
const be = getBackend();
const rng = new Rng(7);

function time(fn: () => void): number {
  fn();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) fn();
  return (performance.now() - t0) / reps;
}

// ResNet-32 stages: 3×3 convs at 32×32×16, 16×16×32, 8×8×64 (one tile input block each: K ≤ 256 here)
for (const [hw, c] of [
  [32, 16],
  [16, 32],
  [8, 64],
] as const) {
  const p: Conv2dParams = {
    n: batch,
    inH: hw,
    inW: hw,
    inC: c,
    outH: hw,
    outW: hw,
    outC: c,
    kH: 3,
    kW: 3,
    strideH: 1,
    strideW: 1,
    padTop: 1,
    padLeft: 1,
    dilationH: 1,
    dilationW: 1,
    groups: 1,
  };
  const rows = batch * hw * hw;
  const K = 9 * c;
  const x = rng.fillNormal(new Float32Array(batch * hw * hw * c));
  const w = rng.fillNormal(new Float32Array(c * K));
  const patches = new Float32Array(rows * K);
  const v = new Float32Array(rows * K);
  const y = new Float32Array(rows * c);
  const z = new Float32Array(rows * c);
  const scales = new Float32Array(rows);
  const nm = new Float64Array(rows);
  const failed = new Uint8Array(rows);
  const inP = {
    noiseManagement: "absMax",
    computeNm: true,
    nmCap: Infinity,
    step: 2 / 254,
    bound: 1,
    zeroRowsExact: true,
  } as const;
  const outP = { outAsymmetry: 0, outNoise: 0.06, step: 24 / 254, bound: 12, testNegativeBound: false };
  const tIm = time(() => be.analogIm2col(p, x, 0, 1, 0, rows, patches));
  const tDac = time(() => be.analogInputPeriphery(patches, rows, K, inP, nm, null, v, scales));
  const tGemm = time(() => be.sgemm(false, true, rows, c, K, 1, v, K, w, K, 0, y, c));
  const tNoise = time(() => rng.fillNormal(z));
  const tAdc = time(() => be.analogOutputPeriphery(y, rows, c, outP, z, failed));
  const tAdcNoise = time(() => be.analogOutputPeriphery(y, rows, c, outP, rng.takeStream(rows * c), failed));
  const tConv = time(() => be.conv2dForward(p, x, new Float32Array(c * 9 * c), y));
  const ns = (ms: number, n: number) => ((ms * 1e6) / n).toFixed(2);
  console.log(
    `${hw}x${hw}x${c} K=${K}: im2col ${tIm.toFixed(1)} ms (${ns(tIm, rows * K)} ns/el), DAC ${tDac.toFixed(1)} ms (${ns(tDac, rows * K)}), ` +
      `sgemm ${tGemm.toFixed(1)} ms, noise ${tNoise.toFixed(1)} ms (${ns(tNoise, rows * c)}), ADC ${tAdc.toFixed(1)} ms (${ns(tAdc, rows * c)}), ADC+inline noise ${tAdcNoise.toFixed(1)} ms (${ns(tAdcNoise, rows * c)}), digital conv ${tConv.toFixed(1)} ms`,
  );
}
