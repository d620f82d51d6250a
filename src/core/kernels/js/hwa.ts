/**
 * TypeScript reference of the hardware-aware training periphery kernels (contract in ../hwa-types.ts,
 * HwaKernels): the per-sample abs-max DAC, the ADC with output noise, quantisation, clipping and the digital
 * bias, and the ADC's straight-through backward. float64 arithmetic, each result rounded once to float32;
 * rint is the magic-number round half to even (every quantiser argument here is far below 2^51). The native
 * backend (native/isa/hwa.h) gives the same bits.
 */
import { KirchhoffError } from "../../errors.js";
import { philoxFillNormalJs } from "../../philox.js";
import type { HwaKernels } from "../hwa-types.js";
import { MAGIC } from "./analog.js";
import { checkDim, checkExact, checkLen, checkStream, fail } from "./validate.js";

function checkStep(op: string, name: string, v: number, allowInfinity = false): void {
  if (!(v >= 0 && (allowInfinity || Number.isFinite(v))))
    throw new KirchhoffError("value", `${op}: ${name}: expected a number >= 0, got ${v}`);
}

/** Validates hwaDac arguments (shared with the native wrapper). */
export const checkHwaDac: HwaKernels["hwaDac"] = (x, samples, step, y, scales) => {
  const op = "hwaDac";
  checkDim(op, "samples", samples, 1);
  checkLen(op, "x", x, 0);
  if (x.length % samples !== 0) fail(op, `x: ${x.length} elements do not split into ${samples} samples`);
  checkStep(op, "step", step);
  checkExact(op, "y", y, x.length);
  checkExact(op, "scales", scales, samples);
};

export const hwaDacJs: HwaKernels["hwaDac"] = (x, samples, step, y, scales) => {
  checkHwaDac(x, samples, step, y, scales);
  const per = x.length / samples;
  for (let k = 0; k < samples; k++) {
    const e = (k + 1) * per;
    let m = 0;
    for (let i = k * per; i < e; i++) m = Math.max(m, Math.abs(x[i]!));
    const s = m > 0 ? m : 1;
    scales[k] = s;
    if (!(step > 0)) {
      y.set(x.subarray(k * per, e), k * per);
      continue;
    }
    const a = 1 / (s * step);
    const b = s * step;
    for (let i = k * per; i < e; i++) y[i] = b * (x[i]! * a + MAGIC - MAGIC);
  }
};

/** Validates hwaAdc arguments (shared with the native wrapper). */
export const checkHwaAdc: HwaKernels["hwaAdc"] = (y, p, inputScales, wScale, noise, bias, out, mask) => {
  const op = "hwaAdc";
  checkDim(op, "samples", p?.samples, 1);
  checkDim(op, "channels", p.channels, 1);
  checkLen(op, "y", y, 0);
  if (y.length % (p.samples * p.channels) !== 0)
    fail(op, `y: ${y.length} elements do not split into ${p.samples} samples of ${p.channels} channels`);
  checkStep(op, "outNoise", p.outNoise);
  checkStep(op, "step", p.step);
  checkStep(op, "bound", p.bound, true);
  checkExact(op, "inputScales", inputScales, p.samples);
  checkExact(op, "wScale", wScale, p.channels);
  if (noise) checkStream(op, out, noise);
  if (bias) checkExact(op, "bias", bias, p.channels);
  checkExact(op, "out", out, y.length);
  checkExact(op, "mask", mask, y.length, Uint8Array);
};

export const hwaAdcJs: HwaKernels["hwaAdc"] = (y, p, inputScales, wScale, noise, bias, out, mask) => {
  checkHwaAdc(y, p, inputScales, wScale, noise, bias, out, mask);
  const { samples, channels: m, step, bound } = p;
  let z: Float32Array | null = null;
  if (noise && p.outNoise > 0) {
    z = new Float32Array(y.length);
    philoxFillNormalJs(z, noise);
  }
  const sigma = p.outNoise;
  const invStep = step > 0 ? 1 / step : 0;
  const per = y.length / samples;
  const norm = new Float64Array(m);
  for (let k = 0; k < samples; k++) {
    for (let c = 0; c < m; c++) norm[c] = wScale[c]! * inputScales[k]!;
    for (let r = k * per, e = r + per; r < e; r += m) {
      for (let c = 0; c < m; c++) {
        const i = r + c;
        let v = y[i]! / norm[c]!;
        if (z) v += sigma * z[i]!;
        if (step > 0) v = step * (v * invStep + MAGIC - MAGIC);
        const clipped = v > bound || v < -bound;
        if (clipped) v = v > bound ? bound : -bound;
        mask[i] = clipped ? 0 : 1;
        const o = Math.fround(v * norm[c]!);
        out[i] = bias ? o + bias[c]! : o;
      }
    }
  }
};

/** Validates hwaAdcBackward arguments (shared with the native wrapper). */
export const checkHwaAdcBackward: HwaKernels["hwaAdcBackward"] = (g, channels, mask, gy, biasGrad) => {
  const op = "hwaAdcBackward";
  checkDim(op, "channels", channels, 1);
  checkLen(op, "g", g, 0);
  if (g.length % channels !== 0) fail(op, `g: ${g.length} elements do not split into rows of ${channels}`);
  checkExact(op, "mask", mask, g.length, Uint8Array);
  checkExact(op, "gy", gy, g.length);
  if (biasGrad) checkExact(op, "biasGrad", biasGrad, channels);
};

export const hwaAdcBackwardJs: HwaKernels["hwaAdcBackward"] = (g, channels, mask, gy, biasGrad) => {
  checkHwaAdcBackward(g, channels, mask, gy, biasGrad);
  for (let i = 0; i < g.length; i++) gy[i] = mask[i] ? g[i]! : 0;
  if (!biasGrad) return;
  biasGrad.fill(0);
  for (let r = 0; r < g.length; r += channels)
    for (let c = 0; c < channels; c++) biasGrad[c] = biasGrad[c]! + g[r + c]!;
};
