/**
 * Weight initialisers (in place, like `torch.nn.init`), every draw from an `Rng`.
 *
 * Fan computation follows PyTorch for both Kirchhoff layouts: linear `[out, in]` and conv OHWI
 * `[out, kH, kW, in/groups]` have fanIn = size / shape[0] and fanOut = size / shape[last]
 * (PyTorch's OIHW gives the same numbers: fanIn = in·kH·kW, fanOut = out·kH·kW).
 *
 * References: He et al. 2015, "Delving Deep into Rectifiers" (arXiv 1502.01852) for Kaiming;
 * Glorot & Bengio 2010, "Understanding the difficulty of training deep feedforward neural networks" for Xavier.
 */
import { configError, type Rng } from "../core/index.js";
import type { Tensor } from "../tensor/index.js";

export type Nonlinearity = "linear" | "conv" | "sigmoid" | "tanh" | "relu" | "leaky_relu" | "selu";
export type FanMode = "fan_in" | "fan_out";

/** Recommended gain for a nonlinearity (`torch.nn.init.calculate_gain`); `param` = leaky_relu slope. */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case "linear":
    case "conv":
    case "sigmoid":
      return 1;
    case "tanh":
      return 5 / 3;
    case "relu":
      return Math.SQRT2;
    case "leaky_relu": {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case "selu":
      return 3 / 4;
    default:
      throw configError("nonlinearity", "linear|conv|sigmoid|tanh|relu|leaky_relu|selu", nonlinearity);
  }
}

/** Fan-in and fan-out of a weight with at least 2 dimensions. */
export function fanInOut(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) throw configError("init: weight shape", "at least 2 dimensions", shape);
  const size = shape.reduce((a, b) => a * b, 1);
  return { fanIn: size / shape[0]!, fanOut: size / shape[shape.length - 1]! };
}

/** Fills with U(lo, hi). */
export function uniformInit(t: Tensor, rng: Rng, lo: number, hi: number): Tensor {
  rng.fillUniform(t.data, lo, hi);
  return t;
}

/** Fills with N(mean, std²). */
export function normalInit(t: Tensor, rng: Rng, mean = 0, std = 1): Tensor {
  rng.fillNormal(t.data, mean, std);
  return t;
}

/** Fills with a constant. */
export function constantInit(t: Tensor, value: number): Tensor {
  t.data.fill(value);
  return t;
}

export interface KaimingOptions {
  /** Negative slope of the rectifier after this layer (only used with leaky_relu); PyTorch default 0. */
  a?: number;
  mode?: FanMode;
  nonlinearity?: Nonlinearity;
}

function kaimingStd(t: Tensor, opts: KaimingOptions): number {
  const { fanIn, fanOut } = fanInOut(t.shape);
  const fan = (opts.mode ?? "fan_in") === "fan_in" ? fanIn : fanOut;
  const gain = calculateGain(opts.nonlinearity ?? "leaky_relu", opts.a ?? 0);
  return gain / Math.sqrt(fan);
}

/** He/Kaiming uniform: U(−b, b) with b = gain·√(3/fan). Defaults: a = 0, fan_in, leaky_relu (= relu gain). */
export function kaimingUniform(t: Tensor, rng: Rng, opts: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(t, opts);
  return uniformInit(t, rng, -bound, bound);
}

/** He/Kaiming normal: N(0, std²) with std = gain/√fan. */
export function kaimingNormal(t: Tensor, rng: Rng, opts: KaimingOptions = {}): Tensor {
  return normalInit(t, rng, 0, kaimingStd(t, opts));
}

/** Xavier/Glorot uniform: U(−b, b) with b = gain·√(6/(fanIn+fanOut)). */
export function xavierUniform(t: Tensor, rng: Rng, gain = 1): Tensor {
  const { fanIn, fanOut } = fanInOut(t.shape);
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniformInit(t, rng, -bound, bound);
}

/** Xavier/Glorot normal: N(0, std²) with std = gain·√(2/(fanIn+fanOut)). */
export function xavierNormal(t: Tensor, rng: Rng, gain = 1): Tensor {
  const { fanIn, fanOut } = fanInOut(t.shape);
  return normalInit(t, rng, 0, gain * Math.sqrt(2 / (fanIn + fanOut)));
}

/**
 * PyTorch's default init of `nn.Linear` / `nn.Conv2d` (`reset_parameters`): weight kaiming_uniform with
 * a = √5 (i.e. U(±1/√fanIn)), bias U(±1/√fanIn).
 */
export function torchDefaultInit(weight: Tensor, bias: Tensor | null, rng: Rng): void {
  kaimingUniform(weight, rng, { a: Math.sqrt(5) });
  if (bias) {
    const { fanIn } = fanInOut(weight.shape);
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    uniformInit(bias, rng, -bound, bound);
  }
}
