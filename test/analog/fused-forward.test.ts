/**
 * The fused tile forward (AnalogMvm.forwardTile, in-place layouts, AnalogTileArray's in-place block path)
 * gives exactly the numbers of the general passes (forwardGroups on gathered inputs, block copies and partial
 * sums), bound-management retries included, and consumes the same random numbers.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  AnalogConv2d,
  AnalogMvm,
  AnalogTileArray,
  analogConfig,
  getPreset,
  tileWeights,
} from "../../src/analog/index.js";
import { Rng } from "../../src/core/index.js";
import { noGrad, randn as randnTensor } from "../../src/tensor/index.js";

const f = Math.fround;

function randn(rng: Rng, n: number, scale = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = scale * rng.normal();
  return a;
}

/** HERMES periphery with a low ADC bound so that many vectors clip and are retried. */
function clippingIo() {
  const io = { ...getPreset("hermes").forward, outBound: 2 };
  return io;
}

for (const G of [1, 4]) {
  test(`forwardTile equals forwardGroups, retries and accumulation included (G = ${G})`, () => {
    const M = 7;
    const K = 30;
    const rows = 120;
    const pad = 11;
    const rng = new Rng(5);
    const mvm = new AnalogMvm(clippingIo());
    assert.ok(mvm.fusable);
    const ws = Array.from({ length: G }, () => randn(rng, M * K, 0.4));
    const tws = ws.map((w) => tileWeights(w, M, K));
    const wAll = new Float32Array(G * M * K);
    for (let g = 0; g < G; g++) wAll.set(ws[g]!, g * M * K);
    const ldx = G * K + pad;
    const x = randn(rng, 3 + rows * ldx);
    const xs = new Float32Array(rows * G * K);
    for (let r = 0; r < rows; r++) xs.set(x.subarray(3 + r * ldx, 3 + r * ldx + G * K), r * G * K);
    const post = Float32Array.from(randn(rng, G * M), (v) => 1 + Math.abs(v));
    const bias = randn(rng, G * M, 0.1);
    const after = randn(rng, G * M, 0.1);
    const want = mvm.forwardGroups(tws, xs, rows, new Float32Array(rows * G * M), new Rng(9), post, bias);
    // in-place accumulation into a wider output
    const ldy = G * M + 5;
    const y = randn(rng, 2 + rows * ldy);
    const y0 = Float32Array.from(y);
    const rngB = new Rng(9);
    const layout = { xOff: 3, ldx, yOff: 2, ldy, accumulate: true, biasAfter: after };
    mvm.forwardTile(tws, wAll, x, layout, rows, y, rngB, post, bias);
    let retried = 0;
    for (let r = 0; r < rows; r++)
      for (let j = 0; j < G * M; j++) {
        const o = 2 + r * ldy + j;
        assert.equal(y[o], f(f(y0[o]! + want[r * G * M + j]!) + after[j]!), `row ${r}, output ${j}`);
        if (Math.abs(want[r * G * M + j]! / post[j]!) > 2) retried++;
      }
    for (let r = 0; r < rows; r++)
      assert.equal(y[2 + r * ldy + G * M], y0[2 + r * ldy + G * M], "padding untouched");
    assert.ok(retried > 0, "some outputs went through bound management");
    // the same random numbers were consumed
    const rngA = new Rng(9);
    mvm.forwardGroups(tws, xs, rows, new Float32Array(rows * G * M), rngA, post, bias);
    assert.equal(rngB.normal(), rngA.normal());
  });
}

test("AnalogTileArray in-place blocks equal the copied blocks (3 input × 2 output blocks, bias)", () => {
  const base = getPreset("hermes");
  const cfg = analogConfig({
    ...base,
    forward: clippingIo(),
    mapping: { ...base.mapping, maxInputSize: 40, maxOutputSize: 9 },
  });
  const rng = new Rng(3);
  const [N, K, batch] = [17, 100, 50];
  const arr = new AnalogTileArray(N, K, cfg);
  arr.setWeights(randn(rng, N * K, 0.2), randn(rng, N, 0.1));
  arr.program(new Rng(4));
  arr.drift(3600, new Rng(5));
  assert.deepEqual([arr.inSizes.length, arr.outSizes.length], [3, 2]);
  const x = randn(rng, batch * K);
  const fused = arr.forward(x, batch, new Float32Array(batch * N), new Rng(6));
  // the general path: the same tiles with fusion switched off
  for (const t of arr.allTiles()) Object.defineProperty(t.mvm, "fusable", { value: false });
  const general = arr.forward(x, batch, new Float32Array(batch * N), new Rng(6));
  assert.deepEqual(fused, general);
});

/**
 * The conv layer's tiles gather their patches in the kernel (tap-major, see AnalogTilePatches); the general
 * path runs on the materialised (c, ki, kj) patch matrix. Every product is the same; only the MVM's float
 * summation order differs, which can move an output across an ADC step in rare ties — so the two must agree
 * except for a few elements, each by at most about one ADC step.
 */
test("AnalogConv2d gathers patches in the kernel with the numbers of the patch-matrix path (3 input blocks)", () => {
  const base = getPreset("hermes");
  const cfg = analogConfig({
    ...base,
    forward: clippingIo(),
    mapping: { ...base.mapping, maxInputSize: 40 },
  });
  const make = () => {
    const l = new AnalogConv2d(10, 6, [3, 3], cfg, { rng: new Rng(1), stride: [2, 1], padding: 1 }).eval();
    l.program(new Rng(2));
    l.drift(86400, new Rng(3));
    return l;
  };
  const fused = make();
  const general = make();
  assert.equal(general.arrays[0]!.inSizes.length, 3);
  for (const t of general.arrays[0]!.allTiles()) Object.defineProperty(t.mvm, "fusable", { value: false });
  const x = randnTensor([3, 9, 8, 10], new Rng(4));
  const yf = noGrad(() => fused.forward(x)).data;
  const yg = noGrad(() => general.forward(x)).data;
  let differ = 0;
  let scale = 0;
  for (let i = 0; i < yg.length; i++) {
    if (yf[i] !== yg[i]) differ++;
    scale = Math.max(scale, Math.abs(yg[i]!));
  }
  assert.ok(differ <= yg.length / 100, `${differ} of ${yg.length} outputs differ`);
  for (let i = 0; i < yg.length; i++) assert.ok(Math.abs(yf[i]! - yg[i]!) <= 0.05 * scale, `output ${i}`);
  assert.ok(scale > 0);
});
