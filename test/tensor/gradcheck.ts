/**
 * Finite-difference gradient checking for tensor ops (test helper, not a test file). The op's output is
 * reduced to the scalar L = Σ out·r with fixed random weights r (accumulated in float64); the analytic
 * gradient from backward(r) is compared with central differences (L(x+h) − L(x−h)) / 2h per element.
 */
import assert from "node:assert/strict";
import { Rng } from "../../src/core/index.js";
import { noGrad, randn, type Tensor, tensor } from "../../src/tensor/index.js";

export interface GradCheckOptions {
  /** Step of the central difference (default 1e-2; inputs are float32). */
  h?: number;
  rtol?: number;
  atol?: number;
  /** Indices of inputs to check (default: all). */
  check?: number[];
}

function weightedSum(out: Tensor, r: Float32Array): number {
  let s = 0;
  for (let i = 0; i < r.length; i++) s += out.data[i]! * r[i]!;
  return s;
}

/** Throws an assertion error naming the op, input and element when analytic and numeric gradients differ. */
export function gradCheck(
  name: string,
  f: (...xs: Tensor[]) => Tensor,
  inputs: Tensor[],
  opts: GradCheckOptions = {},
): void {
  const h = opts.h ?? 1e-2;
  const rtol = opts.rtol ?? 1e-2;
  const atol = opts.atol ?? 1e-3;
  const which = opts.check ?? inputs.map((_, i) => i);
  for (const [i, x] of inputs.entries()) {
    x.requiresGrad = which.includes(i);
    x.zeroGrad();
  }
  const out = f(...inputs);
  const r = randn(out.shape, new Rng(`gradcheck:${name}`)).data;
  out.backward(tensor(r.slice(), out.shape));
  for (const i of which) {
    const x = inputs[i]!;
    assert.ok(x.grad, `${name}: input ${i} got no gradient`);
    const analytic = x.grad.data;
    let maxAbs = 0;
    for (const v of analytic) maxAbs = Math.max(maxAbs, Math.abs(v));
    for (let e = 0; e < x.size; e++) {
      const orig = x.data[e]!;
      x.data[e] = orig + h;
      const plus = noGrad(() => weightedSum(f(...inputs), r));
      x.data[e] = orig - h;
      const minus = noGrad(() => weightedSum(f(...inputs), r));
      x.data[e] = orig;
      const numeric = (plus - minus) / (2 * h);
      const a = analytic[e]!;
      const tol = atol * Math.max(1, maxAbs) + rtol * Math.max(Math.abs(a), Math.abs(numeric));
      assert.ok(
        Math.abs(a - numeric) <= tol,
        `${name}: d/d input${i}[${e}]: analytic ${a} vs numeric ${numeric} (tol ${tol.toExponential(2)})`,
      );
    }
  }
}

/** A random tensor with values kept at least `gap` away from each of `kinks` (for non-smooth ops). */
export function randomAway(shape: number[], seed: string, kinks: number[] = [], gap = 0.05, std = 1): Tensor {
  const t = randn(shape, new Rng(seed), std);
  const d = t.data;
  for (let i = 0; i < d.length; i++) {
    for (const k of kinks) {
      if (Math.abs(d[i]! - k) < gap) d[i] = k + (d[i]! >= k ? gap : -gap) * 2;
    }
  }
  return t;
}

/** Max |a − b| / max(1, |b|) over two equal-length arrays. */
export function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, "length mismatch");
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return m;
}
