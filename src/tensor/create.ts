/** Tensor constructors: from data, constant fills and seeded random fills. */
import { configError, type Rng, shapeError } from "../core/index.js";
import { checkShape, shapeSize } from "./shape-utils.js";
import { Tensor } from "./tensor.js";

export interface TensorOptions {
  requiresGrad?: boolean;
}

/**
 * A tensor from values and a shape. A Float32Array is used as-is (no copy); any other array-like is copied.
 * Throws when the number of values does not match the shape.
 */
export function tensor(
  data: ArrayLike<number> | Float32Array,
  shape: readonly number[],
  opts: TensorOptions = {},
): Tensor {
  checkShape("tensor", shape);
  if (data === null || typeof data !== "object" || typeof data.length !== "number") {
    throw configError("tensor: data", "an array of numbers or a Float32Array", data);
  }
  const size = shapeSize(shape);
  if (data.length !== size)
    throw shapeError("tensor", `value count for shape ${JSON.stringify(shape)}`, size, data.length);
  const arr = data instanceof Float32Array ? data : Float32Array.from(data);
  return new Tensor(arr, shape, opts.requiresGrad ?? false);
}

export function zeros(shape: readonly number[], opts: TensorOptions = {}): Tensor {
  checkShape("zeros", shape);
  return new Tensor(new Float32Array(shapeSize(shape)), shape, opts.requiresGrad ?? false);
}

export function full(shape: readonly number[], value: number, opts: TensorOptions = {}): Tensor {
  checkShape("full", shape);
  if (typeof value !== "number") throw configError("full: value", "a number", value);
  return new Tensor(new Float32Array(shapeSize(shape)).fill(value), shape, opts.requiresGrad ?? false);
}

export function ones(shape: readonly number[], opts: TensorOptions = {}): Tensor {
  return full(shape, 1, opts);
}

/** Normal draws N(0, std²) from `rng` (bulk Philox fill, identical on every backend). */
export function randn(shape: readonly number[], rng: Rng, std = 1, opts: TensorOptions = {}): Tensor {
  checkShape("randn", shape);
  const d = rng.fillNormal(new Float32Array(shapeSize(shape)), 0, std);
  return new Tensor(d, shape, opts.requiresGrad ?? false);
}

/** Uniform draws in [lo, hi) from `rng`. */
export function rand(shape: readonly number[], rng: Rng, lo = 0, hi = 1, opts: TensorOptions = {}): Tensor {
  checkShape("rand", shape);
  const d = rng.fillUniform(new Float32Array(shapeSize(shape)), lo, hi);
  return new Tensor(d, shape, opts.requiresGrad ?? false);
}
