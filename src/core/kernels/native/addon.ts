/**
 * Locates and loads the compiled addon (build/Release/kirchhoff_native.node, built by `npm install` via
 * scripts/build-native.mjs). `KIRCHHOFF_NATIVE_PATH` overrides the path (used by tests to simulate a
 * missing or broken addon). Throws a KirchhoffError("backend") explaining why it could not load.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { KirchhoffError } from "../../errors.js";
import type { HwaKernels } from "../hwa-types.js";

/** The raw functions exported by native/addon.cpp (arguments already validated by the caller). */
export interface NativeAddon {
  sgemm(...args: (boolean | number | Float32Array)[]): void;
  convForward(
    p: Float64Array,
    x: Float32Array,
    w: Float32Array,
    y: Float32Array,
    bias: Float32Array | null,
    scale: Float32Array | null,
    shift: Float32Array | null,
    residual: Float32Array | null,
    act: number,
  ): void;
  convBackwardInput(p: Float64Array, dy: Float32Array, w: Float32Array, dx: Float32Array): void;
  convBackwardWeight(
    p: Float64Array,
    x: Float32Array,
    dy: Float32Array,
    dw: Float32Array,
    db: Float32Array | null,
  ): void;
  channelStats(x: Float32Array, rows: number, ch: number, sum: Float64Array, sumSq: Float64Array): void;
  channelAffine(
    x: Float32Array,
    rows: number,
    ch: number,
    y: Float32Array,
    bias: Float32Array | null,
    scale: Float32Array | null,
    shift: Float32Array | null,
    residual: Float32Array | null,
    act: number,
  ): void;
  bnBackward(...args: (number | Float32Array | null)[]): void;
  fillUniform(
    out: Float32Array,
    k0: number,
    k1: number,
    s0: number,
    s1: number,
    block: number,
    a: number,
    b: number,
  ): void;
  fillNormal(
    out: Float32Array,
    k0: number,
    k1: number,
    s0: number,
    s1: number,
    block: number,
    a: number,
    b: number,
  ): void;
  getIsa(): string;
  getIsas(): string[];
  setIsa(isa: string): void;
  getThreads(): number;
  setThreads(t: number): void;
  /** Runs the FMA peak probe (12 chains × iters) on every pool thread; returns FLOPs executed. */
  peak(iters: number): number;
  /** Analog DAC stage: x, rows, k, nmMode, computeNm, nmCap, step, bound, zeroRowsExact, nm, red, v, scales. */
  analogInput(...args: (boolean | number | Float32Array | Float64Array | null)[]): void;
  /** Analog ADC stage: y, rows, m, asym, outNoise, step, bound, testNeg, z, failed, hasStream, stream fields. */
  analogOutput(...args: (boolean | number | Float32Array | Uint8Array | null)[]): void;
  /** HWA DAC: the contract's arguments (checked by the wrapper). */
  hwaDac: HwaKernels["hwaDac"];
  /**
   * HWA ADC: y, samples, channels, outNoise, step, bound, inputScales, wScale, bias, out, mask, hasStream,
   * stream fields.
   */
  hwaAdc(...args: (boolean | number | Float32Array | Uint8Array | null)[]): void;
  /** HWA ADC backward: the contract's arguments (checked by the wrapper). */
  hwaAdcBackward: HwaKernels["hwaAdcBackward"];
  /** Analog-order im2col: packed conv params, x, g0, ng, row0, nRows, out. */
  analogIm2col(p: Float64Array, ...args: (number | Float32Array)[]): void;
  /**
   * Fused analog tile forward: packed params (see native/addon.cpp), x, w, nm, post, bias, biasAfter, y, retry,
   * and the packed patch source (conv geometry, group0, k0, row0) or null; returns the retry count.
   */
  analogTileForward(
    p: Float64Array,
    x: Float32Array,
    w: Float32Array,
    nm: Float64Array,
    post: Float32Array | null,
    bias: Float32Array | null,
    biasAfter: Float32Array | null,
    y: Float32Array,
    retry: Uint8Array,
    patch: Float64Array | null,
  ): number;
}

/** Repository (or installed package) root: this file sits at <root>/{src,dist}/core/kernels/native/. */
const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");

export function addonPath(): string {
  const override = process.env.KIRCHHOFF_NATIVE_PATH;
  if (override && override.trim() !== "") return resolve(override);
  return join(packageRoot, "build", "Release", "kirchhoff_native.node");
}

let cached: NativeAddon | null = null;

export function loadAddon(): NativeAddon {
  if (cached) return cached;
  const path = addonPath();
  if (!existsSync(path)) {
    throw new KirchhoffError(
      "backend",
      `native addon not found at ${path} (run \`npm install\` or \`npm run build\`)`,
    );
  }
  try {
    const mod = createRequire(import.meta.url)(path) as NativeAddon;
    if (typeof mod?.sgemm !== "function" || typeof mod.getIsa !== "function") {
      throw new Error("file is not the Kirchhoff kernel addon");
    }
    cached = mod;
    return mod;
  } catch (err) {
    const why = err instanceof Error ? err.message.split("\n")[0] : String(err);
    throw new KirchhoffError("backend", `cannot load native addon ${path}: ${why}`, { cause: err });
  }
}
