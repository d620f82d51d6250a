/**
 * bench/conv: native convolution kernels vs PyTorch 1.13 (channels_last, same thread count) on the layer
 * shapes of ResNet-8 (CIFAR, N=128) and DS-CNN (KWS, N=100), for forward, backward-input and
 * backward-weight. PyTorch runs once in a child process (/usr/bin/python3) and reports its timings.
 *
 *   flock /tmp/kirchhoff-bench.lock node --import tsx bench/conv.ts [--threads 2] [--quick]
 *
 * Writes bench/results/conv.json atomically with figures "<layer>.<pass>.gflops" (ours),
 * "<layer>.<pass>.torch_gflops" and "<layer>.<pass>.ratio_vs_pytorch" (ours / PyTorch throughput; > 1 means
 * Kirchhoff is faster).
 */
import { spawnSync } from "node:child_process";
import { type Conv2dParams, getBackend, setBackend } from "../src/core/index.js";
import { gitCommit, machineInfo, writeJsonAtomic } from "./lib.js";

const argv = process.argv.slice(2);
const quick = argv.includes("--quick");
const threads = Number(argv[argv.indexOf("--threads") + 1] ?? 2) || 2;

interface Layer {
  name: string;
  n: number;
  h: number;
  w: number;
  cin: number;
  cout: number;
  k: [number, number];
  stride: number;
  pad: [number, number];
  groups: number;
}

const layers: Layer[] = [
  {
    name: "resnet8.32x32x16",
    n: 128,
    h: 32,
    w: 32,
    cin: 16,
    cout: 16,
    k: [3, 3],
    stride: 1,
    pad: [1, 1],
    groups: 1,
  },
  {
    name: "resnet8.16x16x32",
    n: 128,
    h: 16,
    w: 16,
    cin: 32,
    cout: 32,
    k: [3, 3],
    stride: 1,
    pad: [1, 1],
    groups: 1,
  },
  {
    name: "resnet8.8x8x64",
    n: 128,
    h: 8,
    w: 8,
    cin: 64,
    cout: 64,
    k: [3, 3],
    stride: 1,
    pad: [1, 1],
    groups: 1,
  },
  {
    name: "resnet8.down16to32",
    n: 128,
    h: 32,
    w: 32,
    cin: 16,
    cout: 32,
    k: [3, 3],
    stride: 2,
    pad: [1, 1],
    groups: 1,
  },
  {
    name: "dscnn.dw25x5x64",
    n: 100,
    h: 25,
    w: 5,
    cin: 64,
    cout: 64,
    k: [3, 3],
    stride: 1,
    pad: [1, 1],
    groups: 64,
  },
  {
    name: "dscnn.pw25x5x64",
    n: 100,
    h: 25,
    w: 5,
    cin: 64,
    cout: 64,
    k: [1, 1],
    stride: 1,
    pad: [0, 0],
    groups: 1,
  },
];

function params(l: Layer): Conv2dParams {
  const outH = Math.floor((l.h + 2 * l.pad[0] - l.k[0]) / l.stride) + 1;
  const outW = Math.floor((l.w + 2 * l.pad[1] - l.k[1]) / l.stride) + 1;
  return {
    n: l.n,
    inH: l.h,
    inW: l.w,
    inC: l.cin,
    outH,
    outW,
    outC: l.cout,
    kH: l.k[0],
    kW: l.k[1],
    strideH: l.stride,
    strideW: l.stride,
    padTop: l.pad[0],
    padLeft: l.pad[1],
    dilationH: 1,
    dilationW: 1,
    groups: l.groups,
  };
}

const flopsOf = (p: Conv2dParams) => (2 * p.n * p.outH * p.outW * p.outC * p.kH * p.kW * p.inC) / p.groups;
const reps = quick ? 5 : 20;

function bestSec(fn: () => void): number {
  fn();
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return best;
}

const torchScript = `
import json, sys, time, torch
torch.set_num_threads(${threads})
layers = json.loads(sys.argv[1]); reps = int(sys.argv[2]); out = {}
def best(fn):
    fn(); b = 1e9
    for _ in range(reps):
        t = time.perf_counter(); fn(); b = min(b, time.perf_counter() - t)
    return b
for l in layers:
    cl = torch.channels_last
    x = torch.randn(l["n"], l["cin"], l["h"], l["w"]).to(memory_format=cl)
    w = torch.randn(l["cout"], l["cin"] // l["groups"], *l["k"]).to(memory_format=cl)
    s, p, g = [l["stride"]] * 2, l["pad"], l["groups"]
    with torch.no_grad():
        y = torch.nn.functional.conv2d(x, w, None, s, p, 1, g)
        gy = torch.randn_like(y)
        cb = lambda m: torch.ops.aten.convolution_backward(gy, x, w, None, s, p, [1, 1], False, [0, 0], g, m)
        out[l["name"]] = {
            "forward": best(lambda: torch.nn.functional.conv2d(x, w, None, s, p, 1, g)),
            "backwardInput": best(lambda: cb([True, False, False])),
            "backwardWeight": best(lambda: cb([False, True, False])),
        }
print(json.dumps(out))
`;

function torchTimes(): Record<string, Record<string, number>> | null {
  const r = spawnSync("/usr/bin/python3", ["-c", torchScript, JSON.stringify(layers), String(reps)], {
    encoding: "utf8",
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) {
    console.error(`PyTorch comparison unavailable: ${r.stderr.trim().split("\n").pop()}`);
    return null;
  }
  return JSON.parse(r.stdout);
}

const backend = setBackend("native");
backend.setThreads(threads);
const figures: Record<string, number> = {};
const ours: Record<string, Record<string, number>> = {};
for (const l of layers) {
  const p = params(l);
  const x = new Float32Array(p.n * p.inH * p.inW * p.inC).map(() => Math.random() - 0.5);
  const w = new Float32Array((p.outC * p.kH * p.kW * p.inC) / p.groups).map(() => Math.random() - 0.5);
  const y = new Float32Array(p.n * p.outH * p.outW * p.outC);
  const dy = y.map(() => Math.random() - 0.5);
  const dx = new Float32Array(x.length);
  const dw = new Float32Array(w.length);
  const b = getBackend();
  ours[l.name] = {
    forward: bestSec(() => b.conv2dForward(p, x, w, y)),
    backwardInput: bestSec(() => b.conv2dBackwardInput(p, dy, w, dx)),
    backwardWeight: bestSec(() => b.conv2dBackwardWeight(p, x, dy, dw)),
  };
}
const torch = torchTimes();

const head = ["layer", "pass", "ms", "GFLOP/s", "torch ms", "torch GFLOP/s", "ratio"];
const rows: string[][] = [];
for (const l of layers) {
  const fl = flopsOf(params(l));
  for (const pass of ["forward", "backwardInput", "backwardWeight"]) {
    const t = ours[l.name]![pass]!;
    const key = `${l.name}.${pass}`;
    figures[`${key}.gflops`] = fl / t / 1e9;
    const tt = torch?.[l.name]?.[pass];
    if (tt) {
      figures[`${key}.torch_gflops`] = fl / tt / 1e9;
      figures[`${key}.ratio_vs_pytorch`] = tt / t;
    }
    rows.push([
      l.name,
      pass,
      (t * 1e3).toFixed(2),
      (fl / t / 1e9).toFixed(1),
      tt ? (tt * 1e3).toFixed(2) : "-",
      tt ? (fl / tt / 1e9).toFixed(1) : "-",
      tt ? (tt / t).toFixed(2) : "-",
    ]);
  }
}
console.log(`native ${backend.isa}, ${threads} threads vs PyTorch (channels_last, ${threads} threads)`);
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
for (const r of [head, ...rows]) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join("  "));
if (!quick) {
  const info = machineInfo();
  writeJsonAtomic(new URL("results/conv.json", import.meta.url).pathname, {
    bench: "conv",
    commit: gitCommit(),
    date: new Date().toISOString(),
    machine: { cpu: info.cpu, cores: info.logicalCpus, isa: backend.isa, threads },
    figures,
  });
}
