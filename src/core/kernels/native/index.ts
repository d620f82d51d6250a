/**
 * The `native` kernel backend: a thin validating wrapper around the C++ addon (native/*.cpp). Every call
 * checks array types and lengths against the dimensions first (KirchhoffError on mismatch — the addon
 * trusts its inputs), then forwards raw typed arrays. Runtime ISA dispatch happens in the addon; `isa`
 * reports the path in use and `setIsa` forces another supported one (tests).
 */
import { checkAnalogIm2col, checkAnalogInput, checkAnalogOutput } from "../js/analog.js";
import { checkAnalogTile } from "../js/analog-tile.js";
import { checkHwaAdc, checkHwaAdcBackward, checkHwaDac } from "../js/hwa.js";
import { checkBatchNormBackward, checkChannelAffine, checkChannelStats } from "../js/norm.js";
import {
  checkConvParams,
  checkDim,
  checkEpilogue,
  checkExact,
  checkSgemm,
  checkStream,
  convSizes,
} from "../js/validate.js";
import type { Activation, AnalogInputParams, Conv2dParams, Epilogue, KernelBackend } from "../types.js";
import { loadAddon, type NativeAddon } from "./addon.js";

export { addonPath } from "./addon.js";

const ACT: Record<Activation, number> = { none: 0, relu: 1, relu6: 2 };
const NM_MODE: Record<AnalogInputParams["noiseManagement"], number> = {
  none: 0,
  absMax: 1,
  max: 2,
  constant: 3,
};
const params = new Float64Array(16);
/** Packed numeric arguments of analogTileForward (28 values). */
const tileParams = new Float64Array(28);
/** analogTileForward's patch source: the 16 conv geometry values of packParams, then group0, k0, row0. */
const patchParams = new Float64Array(19);

function packParams(p: Conv2dParams): Float64Array {
  params[0] = p.n;
  params[1] = p.inH;
  params[2] = p.inW;
  params[3] = p.inC;
  params[4] = p.outH;
  params[5] = p.outW;
  params[6] = p.outC;
  params[7] = p.kH;
  params[8] = p.kW;
  params[9] = p.strideH;
  params[10] = p.strideW;
  params[11] = p.padTop;
  params[12] = p.padLeft;
  params[13] = p.dilationH;
  params[14] = p.dilationW;
  params[15] = p.groups;
  return params;
}

function makeBackend(a: NativeAddon): KernelBackend {
  return {
    name: "native",
    get isa() {
      return a.getIsa();
    },
    isas: a.getIsas(),
    setIsa: (isa: string) => a.setIsa(isa),
    fmaProbe: (iters: number) => a.peak(iters),
    getThreads: () => a.getThreads(),
    setThreads: (t: number) => {
      checkDim("setThreads", "threads", t, 1);
      a.setThreads(Math.min(t, 256));
    },
    sgemm(tA, tB, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc, aOff = 0, bOff = 0, cOff = 0) {
      checkSgemm(tA, tB, m, n, k, A, lda, B, ldb, C, ldc, aOff, bOff, cOff);
      if (m === 0 || n === 0) return;
      a.sgemm(!!tA, !!tB, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc, aOff, bOff, cOff);
    },
    conv2dForward(p, x, w, y, e?: Epilogue) {
      const op = "conv2dForward";
      checkConvParams(op, p);
      const sz = convSizes(p);
      checkExact(op, "x", x, sz.x);
      checkExact(op, "w", w, sz.w);
      checkExact(op, "y", y, sz.y);
      checkEpilogue(op, e, p.outC, sz.y);
      a.convForward(
        packParams(p),
        x,
        w,
        y,
        e?.bias ?? null,
        e?.scale ?? null,
        e?.shift ?? null,
        e?.residual ?? null,
        ACT[e?.act ?? "none"],
      );
    },
    conv2dBackwardInput(p, dy, w, dx) {
      const op = "conv2dBackwardInput";
      checkConvParams(op, p);
      const sz = convSizes(p);
      checkExact(op, "dy", dy, sz.y);
      checkExact(op, "w", w, sz.w);
      checkExact(op, "dx", dx, sz.x);
      a.convBackwardInput(packParams(p), dy, w, dx);
    },
    conv2dBackwardWeight(p, x, dy, dw, dbias) {
      const op = "conv2dBackwardWeight";
      checkConvParams(op, p);
      const sz = convSizes(p);
      checkExact(op, "x", x, sz.x);
      checkExact(op, "dy", dy, sz.y);
      checkExact(op, "dw", dw, sz.w);
      if (dbias) checkExact(op, "dbias", dbias, p.outC);
      if (sz.w === 0) return;
      a.convBackwardWeight(packParams(p), x, dy, dw, dbias ?? null);
    },
    channelStats(x, rows, ch, sum, sumSq) {
      checkChannelStats(x, rows, ch, sum, sumSq);
      a.channelStats(x, rows, ch, sum, sumSq);
    },
    channelAffine(x, rows, ch, y, e) {
      checkChannelAffine(x, rows, ch, y, e);
      a.channelAffine(
        x,
        rows,
        ch,
        y,
        e?.bias ?? null,
        e?.scale ?? null,
        e?.shift ?? null,
        e?.residual ?? null,
        ACT[e?.act ?? "none"],
      );
    },
    batchNormBackward(
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
      act = "none",
      actOut = null,
      maskedDy = null,
    ) {
      checkBatchNormBackward(x, dy, rows, ch, mean, invStd, gamma, dx, dGamma, dBeta, act, actOut, maskedDy);
      a.bnBackward(
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
        ACT[act],
        act === "none" ? null : actOut,
        maskedDy,
      );
    },
    fillUniform(out, s, lo = 0, hi = 1) {
      checkStream("fillUniform", out, s);
      a.fillUniform(out, s.key0, s.key1, s.stream0, s.stream1, s.block, lo, hi);
    },
    fillNormal(out, s, mean = 0, std = 1) {
      checkStream("fillNormal", out, s);
      a.fillNormal(out, s.key0, s.key1, s.stream0, s.stream1, s.block, mean, std);
    },
    analogInputPeriphery(x, rows, k, p, nm, red, v, scales) {
      checkAnalogInput(x, rows, k, p, nm, red, v, scales);
      const mode = NM_MODE[p.noiseManagement];
      a.analogInput(
        x,
        rows,
        k,
        mode,
        p.computeNm,
        p.nmCap,
        p.step,
        p.bound,
        p.zeroRowsExact,
        nm,
        red,
        v,
        scales,
      );
    },
    analogOutputPeriphery(y, rows, m, p, z, failed) {
      checkAnalogOutput(y, rows, m, p, z, failed);
      const args = [y, rows, m, p.outAsymmetry, p.outNoise, p.step, p.bound, p.testNegativeBound] as const;
      if (z === null || z instanceof Float32Array) a.analogOutput(...args, z, failed, false);
      else a.analogOutput(...args, null, failed, true, z.key0, z.key1, z.stream0, z.stream1, z.block);
    },
    hwaDac(x, samples, step, y, scales) {
      checkHwaDac(x, samples, step, y, scales);
      a.hwaDac(x, samples, step, y, scales);
    },
    hwaAdc(y, p, inputScales, wScale, noise, bias, out, mask) {
      checkHwaAdc(y, p, inputScales, wScale, noise, bias, out, mask);
      const s = noise && p.outNoise > 0 ? noise : null;
      const args = [
        y,
        p.samples,
        p.channels,
        p.outNoise,
        p.step,
        p.bound,
        inputScales,
        wScale,
        bias,
      ] as const;
      if (!s) a.hwaAdc(...args, out, mask, false);
      else a.hwaAdc(...args, out, mask, true, s.key0, s.key1, s.stream0, s.stream1, s.block);
    },
    hwaAdcBackward(g, channels, mask, gy, biasGrad) {
      checkHwaAdcBackward(g, channels, mask, gy, biasGrad);
      a.hwaAdcBackward(g, channels, mask, gy, biasGrad);
    },
    analogIm2col(p, x, g0, ng, row0, nRows, out) {
      checkAnalogIm2col(p, x, g0, ng, row0, nRows, out);
      a.analogIm2col(packParams(p), x, g0, ng, row0, nRows, out);
    },
    analogTileForward(t, p) {
      checkAnalogTile(t, p);
      const s = t.noise;
      const { input: i, output: o } = p;
      // order: see AnalogTileForward in native/addon.cpp
      tileParams.set([
        t.rows,
        t.groups,
        t.k,
        t.m,
        t.xOffset,
        t.ldx,
        t.yOffset,
        t.ldy,
        NM_MODE[i.noiseManagement],
        i.computeNm ? 1 : 0,
        i.nmCap,
        i.step,
        i.bound,
        i.zeroRowsExact ? 1 : 0,
        o.outAsymmetry,
        o.outNoise,
        o.step,
        o.bound,
        o.testNegativeBound ? 1 : 0,
        p.outScale,
        p.retryClipped ? 1 : 0,
        t.accumulate ? 1 : 0,
        s ? 1 : 0,
        s?.key0 ?? 0,
        s?.key1 ?? 0,
        s?.stream0 ?? 0,
        s?.stream1 ?? 0,
        s?.block ?? 0,
      ]);
      let patch: Float64Array | null = null;
      if (t.patches) {
        patch = patchParams;
        patch.set(packParams(t.patches.conv));
        patch[16] = t.patches.group0;
        patch[17] = t.patches.k0;
        patch[18] = t.patches.row0;
      }
      return a.analogTileForward(
        tileParams,
        t.x,
        t.w,
        t.nm,
        t.post,
        t.bias,
        t.biasAfter,
        t.y,
        t.retry,
        patch,
      );
    },
  };
}

let backend: KernelBackend | null = null;

/** Loads the addon and returns the native backend; throws KirchhoffError("backend") when unavailable. */
export function loadNativeBackend(): KernelBackend {
  backend ??= makeBackend(loadAddon());
  return backend;
}
