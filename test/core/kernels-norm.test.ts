/**
 * Conformance of the per-channel kernels (channelStats, channelAffine, batchNormBackward with relu/relu6
 * masks) on every backend variant, against float64 oracles; plus a finite-difference check of the batch
 * norm backward formula itself.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type Activation, jsBackendForTests, Rng } from "./helpers.js";
import { expectClose, randomArray } from "./oracle.js";
import { variants } from "./variants.js";

const rng = new Rng(7);
const rand = (len: number) => randomArray(len, () => rng.uniform());

/** Float64 training-mode BN(+act) backward oracle: dx = γ·σ⁻¹·(g − mean(g) − x̂·mean(g·x̂)). */
function bnBackwardRef(
  x: Float32Array,
  dy: Float32Array,
  rows: number,
  ch: number,
  mean: Float32Array,
  invStd: Float32Array,
  gamma: Float32Array,
  act: Activation,
  out: Float32Array | null,
) {
  const g = new Float64Array(rows * ch);
  for (let i = 0; i < g.length; i++) {
    const o = out?.[i] ?? 0;
    const live = act === "none" || (act === "relu" ? o > 0 : o > 0 && o < 6);
    g[i] = live ? dy[i]! : 0;
  }
  const dBeta = new Float64Array(ch);
  const dGamma = new Float64Array(ch);
  const mag = new Float64Array(ch);
  for (let i = 0; i < g.length; i++) {
    const c = i % ch;
    const xh = (x[i]! - mean[c]!) * invStd[c]!;
    dBeta[c] += g[i]!;
    dGamma[c] += g[i]! * xh;
    mag[c] += Math.abs(g[i]!) * (1 + Math.abs(xh));
  }
  const dx = new Float64Array(rows * ch);
  const dxMag = new Float64Array(rows * ch);
  for (let i = 0; i < g.length; i++) {
    const c = i % ch;
    const xh = (x[i]! - mean[c]!) * invStd[c]!;
    const k = gamma[c]! * invStd[c]!;
    dx[i] = k * (g[i]! - (dBeta[c]! + xh * dGamma[c]!) / rows);
    dxMag[i] = Math.abs(k) * (Math.abs(g[i]!) + (mag[c]! * (1 + Math.abs(xh))) / rows);
  }
  return { dx: { val: dx, mag: dxMag }, dGamma: { val: dGamma, mag }, dBeta: { val: dBeta, mag } };
}

function batchStats(x: Float32Array, rows: number, ch: number, eps = 1e-5) {
  const mean = new Float32Array(ch);
  const invStd = new Float32Array(ch);
  for (let c = 0; c < ch; c++) {
    let s = 0;
    for (let r = 0; r < rows; r++) s += x[r * ch + c]!;
    const m = s / rows;
    let v = 0;
    for (let r = 0; r < rows; r++) v += (x[r * ch + c]! - m) ** 2;
    mean[c] = m;
    invStd[c] = 1 / Math.sqrt(v / rows + eps);
  }
  return { mean, invStd };
}

for (const v of variants()) {
  test(`channelStats and channelAffine [${v.label}]`, () => {
    v.enter();
    for (const [rows, ch] of [
      [1, 1],
      [7, 3],
      [513, 17],
      [4096, 64],
      [20000, 16],
    ] as const) {
      const x = rand(rows * ch);
      const sum = new Float64Array(ch).fill(Number.NaN);
      const sumSq = new Float64Array(ch).fill(Number.NaN);
      v.backend.channelStats(x, rows, ch, sum, sumSq);
      for (let c = 0; c < ch; c++) {
        let s = 0;
        let q = 0;
        for (let r = 0; r < rows; r++) {
          s += x[r * ch + c]!;
          q += x[r * ch + c]! ** 2;
        }
        assert.ok(Math.abs(sum[c]! - s) <= 1e-9 * rows, `${v.label} stats sum ${rows}x${ch} c=${c}`);
        assert.ok(Math.abs(sumSq[c]! - q) <= 1e-9 * rows, `${v.label} stats sumSq ${rows}x${ch} c=${c}`);
      }
      for (const act of ["none", "relu", "relu6"] as const) {
        const e = {
          scale: rand(ch).map((s) => s * 9),
          shift: rand(ch),
          bias: rand(ch),
          residual: rand(rows * ch),
          act,
        };
        const y = new Float32Array(rows * ch).fill(Number.NaN);
        v.backend.channelAffine(x, rows, ch, y, e);
        const val = new Float64Array(rows * ch);
        const mag = new Float64Array(rows * ch);
        for (let i = 0; i < val.length; i++) {
          const c = i % ch;
          const t = x[i]! * e.scale[c]! + e.shift[c]! + e.bias[c]! + e.residual[i]!;
          val[i] = act === "relu" ? Math.max(0, t) : act === "relu6" ? Math.min(6, Math.max(0, t)) : t;
          mag[i] =
            Math.abs(x[i]! * e.scale[c]!) +
            Math.abs(e.shift[c]!) +
            Math.abs(e.bias[c]!) +
            Math.abs(e.residual[i]!);
        }
        expectClose(y, { val, mag }, `${v.label} channelAffine ${rows}x${ch} ${act}`, 1e-6, 1e-7);
        // In place (y aliases x) gives the same result.
        const x2 = x.slice();
        v.backend.channelAffine(x2, rows, ch, x2, e);
        assert.deepEqual(x2, y, `${v.label} channelAffine in place`);
      }
    }
  });

  test(`batchNormBackward with activation masks [${v.label}]`, () => {
    v.enter();
    for (const [rows, ch] of [
      [2, 1],
      [9, 5],
      [1000, 16],
      [12800, 64],
    ] as const) {
      const x = rand(rows * ch).map((t) => 2 * t + 0.3);
      const { mean, invStd } = batchStats(x, rows, ch);
      const gamma = rand(ch).map((t) => t * 3);
      const beta = rand(ch);
      const dy = rand(rows * ch);
      for (const act of ["none", "relu", "relu6"] as const) {
        const out = new Float32Array(rows * ch);
        for (let i = 0; i < out.length; i++) {
          const c = i % ch;
          const yv = gamma[c]! * (x[i]! - mean[c]!) * invStd[c]! + beta[c]!;
          out[i] = act === "relu" ? Math.max(0, yv) : act === "relu6" ? Math.min(6, Math.max(0, yv * 4)) : yv;
        }
        const ref = bnBackwardRef(x, dy, rows, ch, mean, invStd, gamma, act, out);
        const label = `${v.label} bnBackward ${rows}x${ch} ${act}`;
        // without and with maskedDy: the same dx, dGamma, dBeta
        const masked = new Float32Array(rows * ch).fill(Number.NaN);
        for (const maskedDy of [null, masked]) {
          const dx = new Float32Array(rows * ch).fill(Number.NaN);
          const dGamma = new Float32Array(ch).fill(Number.NaN);
          const dBeta = new Float32Array(ch).fill(Number.NaN);
          const actOut = act === "none" ? null : out;
          v.backend.batchNormBackward(
            x,
            dy,
            rows,
            ch,
            mean,
            invStd,
            gamma,
            dx,
            dGamma,
            dBeta,
            act,
            actOut,
            maskedDy,
          );
          const tag = maskedDy ? " (maskedDy)" : "";
          expectClose(dx, ref.dx, `${label} dx${tag}`, 1e-5, 1e-6);
          expectClose(dGamma, ref.dGamma, `${label} dGamma${tag}`, 1e-5, 1e-6);
          expectClose(dBeta, ref.dBeta, `${label} dBeta${tag}`, 1e-5, 1e-6);
        }
        // maskedDy = dy where the activation was live, else +0
        let dead = 0;
        for (let i = 0; i < masked.length; i++) {
          const o = out[i]!;
          const live = act === "none" || (act === "relu" ? o > 0 : o > 0 && o < 6);
          if (!live) dead++;
          assert.ok(Object.is(masked[i], live ? dy[i]! : 0), `${label} maskedDy[${i}] = ${masked[i]}`);
        }
        if (act !== "none" && rows * ch > 100) assert.ok(dead > 0, `${label}: the mask was exercised`);
      }
    }
  });
}

test("batchNormBackward matches finite differences of sum(dy · relu(BN(x)))", () => {
  const rows = 6;
  const ch = 2;
  const x = Float64Array.from(rand(rows * ch), (t) => t * 2);
  const gamma = Float64Array.of(1.3, -0.7);
  const beta = Float64Array.of(0.2, 0.1);
  const dy = Float64Array.from(rand(rows * ch));
  const eps = 1e-5;
  const loss = (xs: Float64Array) => {
    let l = 0;
    for (let c = 0; c < ch; c++) {
      let m = 0;
      for (let r = 0; r < rows; r++) m += xs[r * ch + c]! / rows;
      let v = 0;
      for (let r = 0; r < rows; r++) v += (xs[r * ch + c]! - m) ** 2 / rows;
      for (let r = 0; r < rows; r++) {
        const y = (gamma[c]! * (xs[r * ch + c]! - m)) / Math.sqrt(v + eps) + beta[c]!;
        l += dy[r * ch + c]! * Math.max(0, y);
      }
    }
    return l;
  };
  const xf = Float32Array.from(x);
  const { mean, invStd } = batchStats(xf, rows, ch, eps);
  const out = new Float32Array(rows * ch);
  for (let i = 0; i < out.length; i++) {
    const c = i % ch;
    out[i] = Math.max(0, gamma[c]! * (xf[i]! - mean[c]!) * invStd[c]! + beta[c]!);
  }
  const dx = new Float32Array(rows * ch);
  const js = jsBackendForTests();
  js.batchNormBackward(
    xf,
    Float32Array.from(dy),
    rows,
    ch,
    mean,
    invStd,
    Float32Array.from(gamma),
    dx,
    new Float32Array(ch),
    new Float32Array(ch),
    "relu",
    out,
  );
  const h = 1e-6;
  for (let i = 0; i < x.length; i++) {
    const xp = x.slice();
    const xm = x.slice();
    xp[i] += h;
    xm[i] -= h;
    const fd = (loss(xp) - loss(xm)) / (2 * h);
    assert.ok(Math.abs(fd - dx[i]!) < 2e-3 * (1 + Math.abs(fd)), `dx[${i}]: fd ${fd} vs kernel ${dx[i]}`);
  }
});
