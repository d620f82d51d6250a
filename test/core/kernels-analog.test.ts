/**
 * Conformance of the fused analog periphery kernels (analogInputPeriphery, analogOutputPeriphery,
 * analogIm2col) on every backend / ISA path / thread count against naive float64 oracles written here:
 * round half to even by floor-and-compare (independent of the magic-number trick the kernels use),
 * float32 rounding with Math.fround where the aihwkit C++ tile works in float. Results must match exactly.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type AnalogInputParams,
  type AnalogOutputParams,
  type Conv2dParams,
  KirchhoffError,
  Rng,
} from "../../src/core/index.js";
import { jsBackendForTests } from "./helpers.js";
import { rintRef } from "./oracle.js";
import { variants } from "./variants.js";

const f = Math.fround;

function quantRef(v: number, step: number): number {
  return step === 0 ? v : f(rintRef(f(v / step)) * step);
}

function inputRef(
  x: Float32Array,
  rows: number,
  k: number,
  p: AnalogInputParams,
  nmIn: Float64Array,
  red: Float64Array | null,
) {
  const v = new Float32Array(rows * k);
  const scales = new Float32Array(rows);
  const nm = Float64Array.from(nmIn);
  for (let r = 0; r < rows; r++) {
    const row = Array.from(x.subarray(r * k, (r + 1) * k));
    if (p.computeNm && (p.noiseManagement === "absMax" || p.noiseManagement === "max")) {
      const m = p.noiseManagement === "max" ? Math.max(...row) : Math.max(0, ...row.map(Math.abs));
      nm[r] = Math.min(m, p.nmCap);
      if (!(m > 0) && p.zeroRowsExact) continue; // scale 0, zeros
    }
    const base = p.noiseManagement !== "none" && nm[r]! > 0 ? 1 / nm[r]! : 1;
    const s = f(base / (red ? red[r]! : 1));
    scales[r] = s;
    row.forEach((xv, j) => {
      const q = quantRef(f(xv * s), p.step);
      v[r * k + j] = Math.min(Math.max(q, -p.bound), p.bound);
    });
  }
  return { v, scales, nm };
}

function outputRef(y: Float32Array, rows: number, m: number, p: AnalogOutputParams, z: Float32Array | null) {
  const out = Float32Array.from(y);
  const failed = new Uint8Array(rows);
  for (let i = 0; i < rows * m; i++) {
    let t = out[i]!;
    if (t < 0) t = f(t * (1 - p.outAsymmetry));
    if (z) t = f(t + p.outNoise * z[i]!);
    t = quantRef(t, p.step);
    if (t > p.bound || (p.testNegativeBound && t < -p.bound)) failed[Math.floor(i / m)] = 1;
    out[i] = Math.min(Math.max(t, -p.bound), p.bound);
  }
  return { out, failed };
}

/** Value of patch element (row, group block gi, channel c, ki, kj) straight from the definition. */
function im2colRef(p: Conv2dParams, x: Float32Array, g0: number, ng: number, row0: number, nRows: number) {
  const cgOne = p.inC / p.groups;
  const K = cgOne * ng * p.kH * p.kW;
  const out = new Float32Array(nRows * K);
  for (let r = 0; r < nRows; r++) {
    const pix = row0 + r;
    const n = Math.floor(pix / (p.outH * p.outW));
    const oh = Math.floor(pix / p.outW) % p.outH;
    const ow = pix % p.outW;
    for (let c = 0; c < cgOne * ng; c++)
      for (let ki = 0; ki < p.kH; ki++)
        for (let kj = 0; kj < p.kW; kj++) {
          const ih = oh * p.strideH - p.padTop + ki * p.dilationH;
          const iw = ow * p.strideW - p.padLeft + kj * p.dilationW;
          const inside = ih >= 0 && ih < p.inH && iw >= 0 && iw < p.inW;
          const val = inside ? x[((n * p.inH + ih) * p.inW + iw) * p.inC + g0 * cgOne + c]! : 0;
          out[r * K + (c * p.kH + ki) * p.kW + kj] = val;
        }
  }
  return out;
}

function randn(rng: Rng, n: number, scale = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = scale * rng.normal();
  return a;
}

const inputCases: { name: string; p: AnalogInputParams; rows: number; k: number; red: boolean }[] = [
  {
    name: "abs-max 8-bit",
    p: {
      noiseManagement: "absMax",
      computeNm: true,
      nmCap: Infinity,
      step: 2 / 254,
      bound: 1,
      zeroRowsExact: true,
    },
    rows: 37,
    k: 129,
    red: false,
  },
  {
    name: "abs-max capped, BM reduction, big",
    p: {
      noiseManagement: "absMax",
      computeNm: true,
      nmCap: 1.5,
      step: 2 / 254,
      bound: 1,
      zeroRowsExact: true,
    },
    rows: 300,
    k: 576,
    red: true,
  },
  {
    name: "max, no zero rows",
    p: {
      noiseManagement: "max",
      computeNm: true,
      nmCap: Infinity,
      step: 1 / 64,
      bound: 0.75,
      zeroRowsExact: false,
    },
    rows: 20,
    k: 33,
    red: false,
  },
  {
    name: "constant nm, ties",
    p: {
      noiseManagement: "constant",
      computeNm: false,
      nmCap: Infinity,
      step: 1 / 64,
      bound: 2,
      zeroRowsExact: true,
    },
    rows: 9,
    k: 64,
    red: false,
  },
  {
    name: "none, no quantisation",
    p: {
      noiseManagement: "none",
      computeNm: false,
      nmCap: Infinity,
      step: 0,
      bound: 0.5,
      zeroRowsExact: true,
    },
    rows: 5,
    k: 17,
    red: false,
  },
];

for (const vnt of variants()) {
  const be = vnt.backend;

  test(`analogInputPeriphery matches the oracle [${vnt.label}]`, () => {
    vnt.enter();
    const rng = new Rng(11);
    for (const c of inputCases) {
      const x = randn(rng, c.rows * c.k, 0.8);
      x.fill(0, 0, c.k); // an all-zero row
      // exact ties at step/2 multiples (with s = 1 for constant nm 1 / none)
      for (let j = 0; j < c.k; j++) x[c.k + j] = (j - c.k / 2 + 0.5) / 64;
      const nm = new Float64Array(c.rows).fill(1);
      const red = c.red ? Float64Array.from({ length: c.rows }, (_, r) => 2 ** (r % 3)) : null;
      const want = inputRef(x, c.rows, c.k, c.p, nm, red);
      const v = new Float32Array(c.rows * c.k).fill(Number.NaN);
      const scales = new Float32Array(c.rows).fill(Number.NaN);
      be.analogInputPeriphery(x, c.rows, c.k, c.p, nm, red, v, scales);
      assert.deepEqual(scales, want.scales, `${c.name}: scales`);
      assert.deepEqual(nm, want.nm, `${c.name}: nm`);
      assert.deepEqual(v, want.v, `${c.name}: v`);
    }
  });

  test(`analogInputPeriphery: 8-bit and 1/64 DACs on ties, their neighbours, every level, ±∞, NaN and huge values [${vnt.label}]`, () => {
    vnt.enter();
    // step 2/254 (HERMES 8-bit) and 1/64; bound 1 and 2; scale 1 (nm "none") so every x is quantised as given.
    // and the presets' float steps (effectiveStep), which the native kernels quantise in float only, also with
    // a bound that float32 cannot represent (0.3: the clip is a comparison with the bound rounded down).
    for (const [step, bound] of [
      [2 / 254, 1],
      [1 / 64, 2],
      [f(f(1 / 254) * 2), 1],
      [f(f(1 / 254) * 24), 12],
      [f(f(1 / 254) * 2), 0.3],
    ] as const) {
      const p: AnalogInputParams = {
        noiseManagement: "none",
        computeNm: false,
        nmCap: Infinity,
        step,
        bound,
        zeroRowsExact: true,
      };
      // (no −0: the kernels' rint gives +0 where this oracle's floor-and-compare keeps −0)
      const xs: number[] = [0, 1e-40, -1e-40, Infinity, -Infinity, Number.NaN, 1e30, -3e38, bound, -bound];
      for (let n = -Math.round(bound / step) - 3; n <= Math.round(bound / step) + 3; n++) {
        const tie = f((n + 0.5) * step); // near or at a rounding tie; its float neighbours on both sides
        const below = new Float32Array([tie]);
        new Uint32Array(below.buffer)[0]! -= 1;
        const above = new Float32Array([tie]);
        new Uint32Array(above.buffer)[0]! += 1;
        xs.push(tie, below[0]!, above[0]!, f(n * step));
      }
      const rng = new Rng(13);
      for (let i = 0; i < 200; i++) xs.push(f(1.2 * bound * rng.normal()));
      const k = xs.length;
      const x = Float32Array.from(xs);
      const want = inputRef(x, 1, k, p, new Float64Array(1).fill(1), null);
      const v = new Float32Array(k).fill(7);
      be.analogInputPeriphery(x, 1, k, p, new Float64Array(1).fill(1), null, v, new Float32Array(1));
      // Object.is per element: NaN must stay NaN (deepEqual's float-array comparison treats NaN ≠ NaN)
      for (let i = 0; i < k; i++) {
        assert.ok(Object.is(v[i], want.v[i]), `step ${step}, x = ${x[i]}: got ${v[i]}, want ${want.v[i]}`);
      }
    }
  });

  test(`analogOutputPeriphery matches the oracle [${vnt.label}]`, () => {
    vnt.enter();
    const rng = new Rng(12);
    const cases: { p: AnalogOutputParams; rows: number; m: number; noise: boolean }[] = [
      {
        p: { outAsymmetry: 0, outNoise: 0.06, step: 24 / 254, bound: 12, testNegativeBound: false },
        rows: 200,
        m: 64,
        noise: true,
      },
      {
        p: { outAsymmetry: 0.1, outNoise: 0, step: 1 / 32, bound: 3, testNegativeBound: true },
        rows: 31,
        m: 17,
        noise: false,
      },
      {
        p: { outAsymmetry: 0, outNoise: 0.02, step: 0, bound: Infinity, testNegativeBound: true },
        rows: 3,
        m: 5,
        noise: true,
      },
      {
        // a bound that float32 cannot represent: values either side of it must clip exactly as in double
        p: { outAsymmetry: 0, outNoise: 0, step: 0, bound: 0.3, testNegativeBound: true },
        rows: 5,
        m: 16,
        noise: false,
      },
    ];
    for (const c of cases) {
      const y = randn(rng, c.rows * c.m, 4);
      for (let i = 0; i < c.m; i++) y[i] = (i - 8 + 0.5) / 32; // ties at step 1/32
      if (c.p.bound === 0.3) {
        const above = Math.fround(0.3); // 0.30000001… > 0.3
        const below = 0.29999998211860657; // the float just below 0.3
        for (let i = c.m; i < 4 * c.m; i++) y[i] = 0.01 * (i % c.m); // rows 1-3 inside the bound but for:
        y[c.m] = above;
        y[3 * c.m + 1] = -above;
        y[2 * c.m] = below;
        y[2 * c.m + 1] = -below;
      }
      const z = c.noise ? randn(rng, c.rows * c.m) : null;
      const want = outputRef(y, c.rows, c.m, c.p, z);
      const failed = new Uint8Array(c.rows).fill(7);
      be.analogOutputPeriphery(y, c.rows, c.m, c.p, z, failed);
      assert.deepEqual(y, want.out);
      assert.deepEqual(failed, want.failed);
      if (Number.isFinite(c.p.bound)) assert.ok(want.failed.includes(1) && want.failed.includes(0));
    }
  });

  test(`analogOutputPeriphery: float ADC steps on ties and their neighbours, with and without noise [${vnt.label}]`, () => {
    vnt.enter();
    const rng = new Rng(15);
    const step = f(f(1 / 254) * 24); // effectiveStep of an 8-bit ADC with bound 12 (a float step)
    for (const sigma of [0, 0.06]) {
      const p: AnalogOutputParams = {
        outAsymmetry: 0,
        outNoise: sigma,
        step,
        bound: 12,
        testNegativeBound: true,
      };
      const ys: number[] = [0, Infinity, -Infinity, Number.NaN, 1e30, -3e38, 12, -12];
      const zs: number[] = ys.map(() => rng.normal());
      for (let n = -130; n <= 130; n++) {
        for (const target of [f((n + 0.5) * step), f(n * step)]) {
          for (const ulps of [-1, 0, 1]) {
            const z = rng.normal();
            // u such that u + σ·z lands on (or one float beside) the target
            const u = new Float32Array([f(target - sigma * z)]);
            new Int32Array(u.buffer)[0]! += ulps;
            ys.push(u[0]!);
            zs.push(z);
          }
        }
      }
      for (let i = 0; i < 300; i++) {
        ys.push(f(6 * rng.normal()));
        zs.push(rng.normal());
      }
      const m = ys.length;
      const y = Float32Array.from(ys);
      const z = sigma > 0 ? Float32Array.from(zs) : null;
      const want = outputRef(y, 1, m, p, z);
      const failed = new Uint8Array(1).fill(7);
      be.analogOutputPeriphery(y, 1, m, p, z, failed);
      for (let i = 0; i < m; i++) {
        assert.ok(Object.is(y[i], want.out[i]), `σ ${sigma}, u = ${ys[i]}: got ${y[i]}, want ${want.out[i]}`);
      }
      assert.deepEqual(failed, want.failed);
    }
  });

  test(`analogOutputPeriphery: float ADC steps, rows clipped on one side only [${vnt.label}]`, () => {
    vnt.enter();
    const rng = new Rng(16);
    const rows = 40;
    const m = 37; // whole vectors and a remainder on every ISA
    for (const testNegativeBound of [true, false]) {
      const p: AnalogOutputParams = {
        outAsymmetry: 0,
        outNoise: 0.06,
        step: f(f(1 / 254) * 24),
        bound: 12,
        testNegativeBound,
      };
      // rows of three kinds: inside the bound (r % 3 = 0), clipped below only (1), clipped either side (2)
      const y = Float32Array.from(
        randn(rng, rows * m),
        (v, i) => [2 * v, 3 * v - 11, 10 * v][Math.floor(i / m) % 3]!,
      );
      const z = randn(rng, rows * m);
      const want = outputRef(y, rows, m, p, z);
      const failed = new Uint8Array(rows).fill(7);
      be.analogOutputPeriphery(y, rows, m, p, z, failed);
      assert.deepEqual(y, want.out);
      assert.deepEqual(failed, want.failed, `testNegativeBound ${testNegativeBound}: row flags`);
      assert.ok(want.failed.includes(1) && want.failed.includes(0), "some rows clipped, some not");
    }
  });

  test(`analogOutputPeriphery draws inline noise like fillNormal [${vnt.label}]`, () => {
    vnt.enter();
    const rows = 3001; // odd row length and several thread tasks: tasks start mid-Philox-block
    const m = 13;
    const rng = new Rng(14);
    rng.takeStream(7); // non-zero first block
    const s = rng.takeStream(rows * m);
    const z = new Float32Array(rows * m);
    jsBackendForTests().fillNormal(z, s);
    // no quantisation, no clipping: y = fround(0 + σ·z) exposes the generated normals
    const y = new Float32Array(rows * m);
    const p: AnalogOutputParams = {
      outAsymmetry: 0,
      outNoise: 0.5,
      step: 0,
      bound: Infinity,
      testNegativeBound: false,
    };
    be.analogOutputPeriphery(y, rows, m, p, s, new Uint8Array(rows));
    for (let i = 0; i < y.length; i++) {
      const want = 0.5 * z[i]!;
      assert.ok(Math.abs(y[i]! - want) <= 1e-6 * Math.abs(want) + 1e-7, `element ${i}: ${y[i]} vs ${want}`);
    }
    // with quantisation and clipping: equal to the oracle fed with fillNormal's numbers
    const y0 = randn(new Rng(15), rows * m, 4);
    const q: AnalogOutputParams = {
      outAsymmetry: 0,
      outNoise: 0.06,
      step: 24 / 254,
      bound: 12,
      testNegativeBound: true,
    };
    const want = outputRef(y0, rows, m, q, z);
    const failed = new Uint8Array(rows);
    const got = Float32Array.from(y0);
    be.analogOutputPeriphery(got, rows, m, q, s, failed);
    let differ = 0;
    for (let i = 0; i < got.length; i++) if (got[i] !== want.out[i]) differ++;
    assert.ok(differ <= 2, `${differ} elements differ`);
    if (differ === 0) assert.deepEqual(failed, want.failed);
  });

  test(`analogIm2col matches the oracle [${vnt.label}]`, () => {
    vnt.enter();
    const rng = new Rng(13);
    const geoms: Conv2dParams[] = [
      // 3×3 pad 1 (ResNet), stride 2 with asymmetric padding, grouped/dilated
      {
        n: 2,
        inH: 8,
        inW: 7,
        inC: 16,
        outH: 8,
        outW: 7,
        outC: 16,
        kH: 3,
        kW: 3,
        strideH: 1,
        strideW: 1,
        padTop: 1,
        padLeft: 1,
        dilationH: 1,
        dilationW: 1,
        groups: 1,
      },
      {
        n: 1,
        inH: 9,
        inW: 10,
        inC: 3,
        outH: 5,
        outW: 5,
        outC: 8,
        kH: 3,
        kW: 3,
        strideH: 2,
        strideW: 2,
        padTop: 1,
        padLeft: 0,
        dilationH: 1,
        dilationW: 1,
        groups: 1,
      },
      {
        n: 3,
        inH: 6,
        inW: 6,
        inC: 12,
        outH: 4,
        outW: 4,
        outC: 6,
        kH: 2,
        kW: 2,
        strideH: 1,
        strideW: 1,
        padTop: 0,
        padLeft: 0,
        dilationH: 2,
        dilationW: 2,
        groups: 3,
      },
    ];
    for (const p of geoms) {
      const x = randn(rng, p.n * p.inH * p.inW * p.inC);
      const total = p.n * p.outH * p.outW;
      for (const [g0, ng, row0, nRows] of [
        [0, p.groups, 0, total],
        [p.groups - 1, 1, 3, total - 5],
      ] as const) {
        const want = im2colRef(p, x, g0, ng, row0, nRows);
        const out = new Float32Array(want.length).fill(Number.NaN);
        be.analogIm2col(p, x, g0, ng, row0, nRows, out);
        assert.deepEqual(out, want);
      }
    }
  });

  test(`analog kernels reject bad arguments with KirchhoffError [${vnt.label}]`, () => {
    vnt.enter();
    const p = inputCases[0]!.p;
    const short = new Float32Array(3);
    assert.throws(
      () =>
        be.analogInputPeriphery(
          short,
          2,
          4,
          p,
          new Float64Array(2),
          null,
          new Float32Array(8),
          new Float32Array(2),
        ),
      (e: unknown) => e instanceof KirchhoffError && /analogInputPeriphery: x/.test(e.message),
    );
    assert.throws(
      () =>
        be.analogInputPeriphery(
          new Float32Array(8),
          2,
          4,
          { ...p, bound: 0 },
          new Float64Array(2),
          null,
          new Float32Array(8),
          new Float32Array(2),
        ),
      KirchhoffError,
    );
    const op: AnalogOutputParams = {
      outAsymmetry: 0,
      outNoise: 0,
      step: 0.1,
      bound: 1,
      testNegativeBound: false,
    };
    assert.throws(
      () => be.analogOutputPeriphery(new Float32Array(8), 2, 4, op, null, new Uint8Array(1)),
      KirchhoffError,
    );
  });
}
