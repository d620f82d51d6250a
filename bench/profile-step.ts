/**
 * bench/profile-step: where the time of one training step (forward + backward + SGD) goes, for the MLPerf
 * Tiny ResNet-8 (batch 128, 32×32×3) and DS-CNN (batch 100, 49×10×1) from the zoo, at 1 and 2 threads.
 *
 *   flock /tmp/kirchhoff-bench.lock node --import tsx bench/profile-step.ts [--reps N] [--model resnet8|dscnn]
 *     [--threads 1,2]
 *
 * Always prints samples/s and the split forward / backward / optimiser (ms per step). With KIRCHHOFF_PROFILE=1
 * it also wraps every method of the active kernel backend and every tape node's backward with timers and
 * prints a per-kernel table (keyed by kernel and geometry) and a per-op backward table; "JS overhead" is
 * what the step spends outside backend kernels (allocation, tape bookkeeping, scalar loops in TypeScript).
 * The wrappers cost ~1 µs per call, small against the millisecond kernels. Nothing is written to disk.
 */
import { type Conv2dParams, getBackend, type KernelBackend, Rng } from "../src/core/index.js";
import { createModel, SGD } from "../src/nn/index.js";
import { crossEntropy, type Tensor, tensor } from "../src/tensor/index.js";

const argv = process.argv.slice(2);
function arg(name: string, def: string): string {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : def;
}
const reps = Number(arg("reps", "8"));
const warmup = 2;
const onlyModel = arg("model", "");
const threadList = arg("threads", "1,2").split(",").map(Number);
const profiling = process.env.KIRCHHOFF_PROFILE === "1";

const NETS = [
  { name: "resnet8", batch: 128, shape: [32, 32, 3], classes: 10 },
  { name: "dscnn", batch: 100, shape: [49, 10, 1], classes: 12 },
] as const;

/** Accumulated milliseconds and call counts per key, for the steps being measured. */
class Timers {
  readonly ms = new Map<string, number>();
  readonly calls = new Map<string, number>();
  on = false;
  add(key: string, dt: number): void {
    if (!this.on) return;
    this.ms.set(key, (this.ms.get(key) ?? 0) + dt);
    this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
  }
  clear(): void {
    this.ms.clear();
    this.calls.clear();
  }
  total(): number {
    let t = 0;
    for (const v of this.ms.values()) t += v;
    return t;
  }
  print(title: string, steps: number, stepMs: number): void {
    const rows = [...this.ms.entries()].sort((a, b) => b[1] - a[1]);
    console.log(`  ${title} (ms per step, % of step)`);
    for (const [k, v] of rows) {
      const per = v / steps;
      const calls = this.calls.get(k)! / steps;
      console.log(
        `    ${per.toFixed(2).padStart(8)}  ${((100 * per) / stepMs).toFixed(1).padStart(5)}%  ×${calls}  ${k}`,
      );
    }
  }
}

const kernelTimers = new Timers();
const opTimers = new Timers();

function geom(p: Conv2dParams): string {
  const g = p.groups === 1 ? "" : p.groups === p.inC ? " dw" : ` g${p.groups}`;
  return `${p.inH}x${p.inW}x${p.inC}→${p.outH}x${p.outW}x${p.outC} k${p.kH}x${p.kW} s${p.strideH}${g}`;
}

/** Replaces each backend method by a timed wrapper (the backend is a plain object). */
function instrument(be: KernelBackend): void {
  const b = be as unknown as Record<string, unknown>;
  const key = (name: string, args: unknown[]): string => {
    if (name.startsWith("conv2d")) return `${name} ${geom(args[0] as Conv2dParams)}`;
    if (name === "sgemm") return `sgemm ${args[2]}x${args[3]}x${args[4]}`;
    if (name === "channelStats" || name === "channelAffine" || name === "batchNormBackward") {
      const rows = (name === "batchNormBackward" ? args[2] : args[1]) as number;
      const ch = (name === "batchNormBackward" ? args[3] : args[2]) as number;
      return `${name} ${rows}x${ch}`;
    }
    return name;
  };
  for (const name of [
    "sgemm",
    "conv2dForward",
    "conv2dBackwardInput",
    "conv2dBackwardWeight",
    "channelStats",
    "channelAffine",
    "batchNormBackward",
  ]) {
    const f = b[name] as (...a: unknown[]) => unknown;
    b[name] = (...args: unknown[]) => {
      const t0 = performance.now();
      const r = f.apply(be, args);
      kernelTimers.add(key(name, args), performance.now() - t0);
      return r;
    };
  }
}

/** Wraps the backward function of every node reachable from `root` with a timer keyed by op name. */
function instrumentTape(root: Tensor): void {
  const seen = new Set<Tensor>();
  const stack = [root];
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (seen.has(t) || t.node === null) continue;
    seen.add(t);
    const node = t.node;
    const bw = node.backward;
    t.node = {
      name: node.name,
      parents: node.parents,
      backward: (g) => {
        const t0 = performance.now();
        const r = bw(g);
        opTimers.add(`${node.name} [${t.shape.join("x")}]`, performance.now() - t0);
        return r;
      },
    };
    for (const p of node.parents) stack.push(p);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function profile(net: (typeof NETS)[number], threads: number): void {
  const be = getBackend();
  be.setThreads(threads);
  const rng = new Rng(0);
  const model = createModel(net.name, {}, rng.fork("init"));
  model.train();
  const per = net.shape.reduce((a: number, b: number) => a * b, 1);
  const x = tensor(rng.fillNormal(new Float32Array(net.batch * per)), [
    net.batch,
    ...(net.shape as readonly number[]),
  ]);
  const y = new Int32Array(net.batch).map(() => rng.int(net.classes));
  const opt = new SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  const phases = { fwd: [] as number[], bwd: [] as number[], opt: [] as number[], step: [] as number[] };
  for (let i = 0; i < warmup + reps; i++) {
    const measuring = i >= warmup;
    kernelTimers.on = opTimers.on = measuring && profiling;
    const t0 = performance.now();
    opt.zeroGrad();
    const loss = crossEntropy(model.forward(x), y);
    const t1 = performance.now();
    if (profiling) instrumentTape(loss);
    const t1b = performance.now();
    loss.backward(undefined, { releaseActivations: true }); // as trainModel does
    const t2 = performance.now();
    opt.step();
    const t3 = performance.now();
    if (!measuring) continue;
    phases.fwd.push(t1 - t0);
    phases.bwd.push(t2 - t1b);
    phases.opt.push(t3 - t2);
    phases.step.push(t3 - t0 - (t1b - t1));
  }
  const stepMs = median(phases.step);
  console.log(
    `${net.name} b${net.batch} ${threads}t: ${((1000 * net.batch) / stepMs).toFixed(0)} samples/s, step ${stepMs.toFixed(1)} ms ` +
      `(forward ${median(phases.fwd).toFixed(1)}, backward ${median(phases.bwd).toFixed(1)}, SGD ${median(phases.opt).toFixed(2)}) ` +
      `[${be.name}/${be.isa}]`,
  );
  if (profiling) {
    const meanStep = phases.step.reduce((a, b) => a + b, 0) / reps;
    const kern = kernelTimers.total() / reps;
    console.log(
      `  mean step ${meanStep.toFixed(1)} ms: backend kernels ${kern.toFixed(1)} ms, JS overhead ${(meanStep - kern).toFixed(1)} ms`,
    );
    kernelTimers.print("backend kernels", reps, meanStep);
    opTimers.print("backward by op (kernels included)", reps, meanStep);
    kernelTimers.clear();
    opTimers.clear();
  }
}

if (profiling) instrument(getBackend());
for (const net of NETS) {
  if (onlyModel && net.name !== onlyModel) continue;
  for (const t of threadList) profile(net, t);
}
