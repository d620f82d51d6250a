/**
 * Kernel conformance: every available backend (js always, native on every ISA path this CPU supports and
 * at 1 and 2 threads) against float64 oracles written in ./oracle.ts. Shapes include odd sizes, groups,
 * depthwise, stride 2, dilation, asymmetric "same" padding and every epilogue combination.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type Conv2dParams, type Epilogue, Rng } from "../../src/core/index.js";
import { conv } from "./helpers.js";
import {
  convBackwardInputRef,
  convBackwardWeightRef,
  convForwardRef,
  expectClose,
  gemmRef,
  randomArray,
} from "./oracle.js";
import { variants } from "./variants.js";

const rng = new Rng(20261128);
const next = () => rng.uniform();
const rand = (len: number) => randomArray(len, next);

const convCases: [string, Conv2dParams][] = [
  ["3x3 same", conv(2, 7, 6, 5, 7, [3, 3], { pad: [1, 1, 1, 1] })],
  ["3x3 stride2 same-asym", conv(2, 9, 8, 6, 10, [3, 3], { stride: [2, 2], pad: [0, 1, 0, 1] })],
  ["1x1", conv(3, 5, 5, 19, 33, [1, 1], {})],
  ["1x1 stride2", conv(2, 7, 7, 8, 12, [1, 1], { stride: [2, 2] })],
  ["groups=2 dil2", conv(2, 9, 9, 8, 6, [3, 3], { pad: [2, 2, 2, 2], dil: [2, 2], groups: 2 })],
  ["depthwise 3x3", conv(2, 8, 7, 17, 17, [3, 3], { pad: [1, 1, 1, 1], groups: 17 })],
  ["depthwise 3x3 s2", conv(2, 9, 9, 32, 32, [3, 3], { stride: [2, 2], pad: [1, 1, 1, 1], groups: 32 })],
  ["depthwise mult2", conv(1, 6, 6, 4, 8, [3, 3], { pad: [1, 1, 1, 1], groups: 4 })],
  ["10x4 ds-cnn stem", conv(2, 49, 10, 1, 24, [10, 4], { stride: [2, 2], pad: [4, 5, 1, 2] })],
  ["5x3 rect pad", conv(1, 11, 9, 3, 16, [5, 3], { stride: [1, 2], pad: [2, 2, 1, 1], dil: [1, 2] })],
  ["resnet 16->32 s2", conv(4, 16, 16, 16, 32, [3, 3], { stride: [2, 2], pad: [1, 1, 1, 1] })],
  ["big-ish 3x3", conv(8, 16, 16, 16, 16, [3, 3], { pad: [1, 1, 1, 1] })],
  ["big depthwise s1", conv(8, 16, 16, 64, 64, [3, 3], { pad: [1, 1, 1, 1], groups: 64 })],
  ["big 1x1 64->64", conv(8, 16, 16, 64, 64, [1, 1], {})],
  ["3x3 pad3 70 out", conv(2, 6, 5, 16, 70, [3, 3], { pad: [3, 2, 3, 1] })],
  ["3x3 wide rows 32->48", conv(3, 5, 20, 32, 48, [3, 3], { pad: [1, 1, 1, 1] })],
  // Few input channels: backward-weight reads kernel-row runs in place (3 channels) or gathers interior
  // patches through a tap-offset table (K <= 512) ...
  ["3x3 3ch stem", conv(2, 10, 9, 3, 16, [3, 3], { pad: [1, 1, 1, 1] })],
  ["3x3 3ch 20 out s2x1", conv(3, 9, 10, 3, 20, [3, 3], { stride: [2, 1], pad: [1, 1, 0, 1] })],
  // ... and bounds-checks every tap when K is larger.
  ["5x5 24ch K=600", conv(1, 7, 7, 24, 16, [5, 5], { pad: [2, 2, 2, 2] })],
  // Strided backward input by stride phases: uneven strides, uncovered input edge, wide channels (NV = 4).
  ["3x4 stride 2x3 uncovered", conv(2, 12, 15, 5, 7, [3, 4], { stride: [2, 3], pad: [0, 0, 2, 0] })],
  ["3x3 s2 40ch in", conv(2, 9, 8, 40, 24, [3, 3], { stride: [2, 2], pad: [1, 1, 1, 1] })],
];

const epilogues: [string, (c: number, total: number) => Epilogue | undefined][] = [
  ["none", () => undefined],
  ["bias", (c) => ({ bias: rand(c) })],
  ["scale+shift+relu", (c) => ({ scale: rand(c), shift: rand(c), act: "relu" })],
  ["bias+residual+relu6", (c, t) => ({ bias: rand(c).map((v) => v * 8), residual: rand(t), act: "relu6" })],
  ["all+relu", (c, t) => ({ scale: rand(c), shift: rand(c), bias: rand(c), residual: rand(t), act: "relu" })],
];

for (const v of variants()) {
  test(`sgemm conformance [${v.label}]`, () => {
    v.enter();
    const shapes: [number, number, number][] = [
      [1, 1, 1],
      [3, 5, 7],
      [17, 31, 13],
      [64, 48, 40],
      [33, 70, 129],
      [150, 37, 300],
      [5, 200, 9],
      [8, 700, 300], // threads split N
      [5, 7, 60000], // threads split K (partial sums)
    ];
    for (const [m, n, k] of shapes) {
      for (const tA of [false, true]) {
        for (const tB of [false, true]) {
          const lda = (tA ? m : k) + 3;
          const ldb = (tB ? k : n) + 1;
          const ldc = n + 2;
          const [aOff, bOff, cOff] = [5, 2, 7];
          const a = rand(aOff + (tA ? k : m) * lda);
          const b = rand(bOff + (tB ? n : k) * ldb);
          for (const [alpha, beta] of [
            [1, 0],
            [0.5, 1],
            [-1.5, 0.25],
          ] as const) {
            const c = rand(cOff + m * ldc);
            if (beta === 0) c.fill(Number.NaN); // beta = 0 must ignore NaNs in C
            const ref = gemmRef(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, aOff, bOff, cOff);
            const before = c.slice();
            v.backend.sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, aOff, bOff, cOff);
            const got = new Float32Array(m * n);
            for (let i = 0; i < m; i++) got.set(c.subarray(cOff + i * ldc, cOff + i * ldc + n), i * n);
            expectClose(got, ref, `${v.label} sgemm tA=${tA} tB=${tB} ${m}x${n}x${k} a=${alpha} b=${beta}`);
            // Padding columns of C and the offset prefix are untouched.
            for (let i = 0; i < m; i++) {
              for (let j = n; j < ldc && cOff + i * ldc + j < c.length; j++) {
                const idx = cOff + i * ldc + j;
                assert.ok(Object.is(c[idx], before[idx]), `${v.label} sgemm wrote padding at ${idx}`);
              }
            }
            for (let i = 0; i < cOff; i++)
              assert.ok(Object.is(c[i], before[i]), `${v.label} sgemm wrote before cOffset`);
          }
        }
      }
    }
  });

  test(`conv2d forward + epilogues [${v.label}]`, () => {
    v.enter();
    for (const [name, p] of convCases) {
      const x = rand(p.n * p.inH * p.inW * p.inC);
      const w = rand((p.outC * p.kH * p.kW * p.inC) / p.groups);
      const total = p.n * p.outH * p.outW * p.outC;
      for (const [ename, mk] of epilogues) {
        const e = mk(p.outC, total);
        const y = new Float32Array(total).fill(Number.NaN);
        v.backend.conv2dForward(p, x, w, y, e);
        expectClose(y, convForwardRef(p, x, w, e), `${v.label} conv fwd ${name} epilogue ${ename}`);
      }
    }
  });

  test(`conv2d backward input and weight [${v.label}]`, () => {
    v.enter();
    for (const [name, p] of convCases) {
      const x = rand(p.n * p.inH * p.inW * p.inC);
      const w = rand((p.outC * p.kH * p.kW * p.inC) / p.groups);
      const dy = rand(p.n * p.outH * p.outW * p.outC);
      const dx = new Float32Array(x.length).fill(Number.NaN);
      v.backend.conv2dBackwardInput(p, dy, w, dx);
      expectClose(dx, convBackwardInputRef(p, dy, w), `${v.label} conv dx ${name}`);
      const dw = new Float32Array(w.length).fill(Number.NaN);
      const dbias = new Float32Array(p.outC).fill(Number.NaN);
      v.backend.conv2dBackwardWeight(p, x, dy, dw, dbias);
      expectClose(dw, convBackwardWeightRef(p, x, dy), `${v.label} conv dw ${name}`);
      const dbRef = new Float64Array(p.outC);
      const dbMag = new Float64Array(p.outC);
      dy.forEach((g, i) => {
        dbRef[i % p.outC] += g;
        dbMag[i % p.outC] += Math.abs(g);
      });
      expectClose(dbias, { val: dbRef, mag: dbMag }, `${v.label} conv dbias ${name}`);
      const dw2 = new Float32Array(w.length);
      v.backend.conv2dBackwardWeight(p, x, dy, dw2);
      assert.deepEqual(dw2, dw, `${v.label} conv dw without dbias must equal dw with it (${name})`);
    }
  });
}
