/**
 * bench/gemm: SGEMM throughput per backend and thread count beside the machine's measured FMA peak.
 *
 *   flock /tmp/kirchhoff-bench.lock node --import tsx bench/gemm.ts [--quick]
 *
 * Peak: the native addon's probe (12 independent vector FMA chains per thread) on 1 and 2 threads.
 * Shapes: square 256³/512³/1024³ and the two im2col shapes of ResNet-8-like convolutions
 * (M=131072,K=144,N=16 and M=8192,K=576,N=64); the js backend only runs the small shapes.
 * Writes bench/results/gemm.json atomically: figures "peak_gflops", "peak_gflops.1t",
 * "sgemm.<MxKxN>.<T>t.gflops" (native) and "js.sgemm.<MxKxN>.1t.gflops".
 */
import { availableBackends, type KernelBackend } from "../src/core/index.js";
import { gitCommit, machineInfo, writeJsonAtomic } from "./lib.js";

const quick = process.argv.includes("--quick");
const shapes: [number, number, number][] = [
  [256, 256, 256],
  [512, 512, 512],
  [1024, 1024, 1024],
  [131072, 144, 16],
  [8192, 576, 64],
];
const jsShapes = new Set(["256x256x256", "8192x576x64"]);

function randomArray(n: number): Float32Array {
  const a = new Float32Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    a[i] = s / 4294967296 - 0.5;
  }
  return a;
}

/** Best-of-repeats GFLOP/s of C[M×N] = A[M×K]·B[K×N] (row-major, no transposes). */
function timeGemm(b: KernelBackend, m: number, k: number, n: number, minSec: number): number {
  const A = randomArray(m * k);
  const B = randomArray(k * n);
  const C = new Float32Array(m * n);
  const flops = 2 * m * n * k;
  b.sgemm(false, false, m, n, k, 1, A, k, B, n, 0, C, n); // warm-up (packing buffers, pool)
  let best = Number.POSITIVE_INFINITY;
  let total = 0;
  let reps = 0;
  while (total < minSec || reps < 3) {
    const t0 = process.hrtime.bigint();
    b.sgemm(false, false, m, n, k, 1, A, k, B, n, 0, C, n);
    const dt = Number(process.hrtime.bigint() - t0) / 1e9;
    best = Math.min(best, dt);
    total += dt;
    reps++;
    if (b.name === "js" && total > 2) break;
  }
  return flops / best / 1e9;
}

function measurePeak(b: KernelBackend, threads: number): number {
  b.setThreads(threads);
  const iters = quick ? 2e6 : 2e7;
  b.fmaProbe!(iters / 10);
  let best = 0;
  for (let r = 0; r < 3; r++) {
    const t0 = process.hrtime.bigint();
    const flops = b.fmaProbe!(iters);
    const dt = Number(process.hrtime.bigint() - t0) / 1e9;
    best = Math.max(best, flops / dt / 1e9);
  }
  return best;
}

const figures: Record<string, number> = {};
const rows: string[][] = [];
const native = availableBackends().find((b) => b.name === "native");
const js = availableBackends().find((b) => b.name === "js")!;
if (native?.fmaProbe) {
  figures["peak_gflops.1t"] = measurePeak(native, 1);
  figures.peak_gflops = measurePeak(native, 2);
}
for (const [m, k, n] of shapes) {
  const shape = `${m}x${k}x${n}`;
  const row = [shape];
  if (native) {
    for (const t of [1, 2]) {
      native.setThreads(t);
      const g = timeGemm(native, m, k, n, quick ? 0.2 : 1);
      figures[`sgemm.${shape}.${t}t.gflops`] = g;
      const peak = t === 1 ? figures["peak_gflops.1t"] : figures.peak_gflops;
      row.push(`${g.toFixed(1)} (${peak ? ((100 * g) / peak).toFixed(0) : "?"}%)`);
    }
  } else row.push("-", "-");
  if (jsShapes.has(shape)) {
    const g = timeGemm(js, m, k, n, 0.5);
    figures[`js.sgemm.${shape}.1t.gflops`] = g;
    row.push(g.toFixed(2));
  } else row.push("-");
  rows.push(row);
}

const isa = native?.isa ?? "typescript";
console.log(`machine: ${machineInfo().cpu}, ${machineInfo().logicalCpus} cpus, isa ${isa}`);
if (figures.peak_gflops) {
  console.log(
    `FMA peak: ${figures["peak_gflops.1t"]!.toFixed(1)} GFLOP/s (1t), ${figures.peak_gflops.toFixed(1)} (2t)`,
  );
}
const head = ["M x K x N", "native 1t GFLOP/s (%peak)", "native 2t", "js 1t"];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
for (const r of [head, ...rows]) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join("  "));
if (!quick) {
  const info = machineInfo();
  writeJsonAtomic(new URL("results/gemm.json", import.meta.url).pathname, {
    bench: "gemm",
    commit: gitCommit(),
    date: new Date().toISOString(),
    machine: { cpu: info.cpu, cores: info.logicalCpus, isa },
    figures,
  });
}
