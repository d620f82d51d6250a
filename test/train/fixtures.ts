/** Small synthetic datasets and models for the training tests, and checks shared by the HWA tests. */
import assert from "node:assert/strict";
import { Rng } from "../../src/core/index.js";
import type { Dataset } from "../../src/data/index.js";
import { type AnyModule, BatchNorm1d, Linear, Module, ReLU } from "../../src/nn/index.js";
import { relu, sum, type Tensor } from "../../src/tensor/index.js";
import { type HwaConfig, hwaConfigFromPreset, toHwa } from "../../src/train/index.js";

/** HWA settings without any non-ideality: an HWA model then computes what its digital twin does. */
export const noiseless: Partial<HwaConfig> = {
  weightNoise: { type: "none", stdDev: 0 },
  outNoise: 0,
  inpSteps: 0,
  outSteps: 0,
  clipOutput: false,
  clip: { type: "none", fixedValue: 0, sigma: 0 },
};

export function assertClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) < tol, `[${i}] ${a[i]} vs ${b[i]}`);
}

/**
 * Two models from `make(new Rng(1))`, one through toHwa with the `noiseless` HERMES settings: their training
 * forwards on x agree to 1e-6 and the gradients of sum(y) to 1e-5.
 */
export function assertNoiselessHwaIsDigital(make: (rng: Rng) => Module, x: Tensor): void {
  const d = make(new Rng(1));
  const h = make(new Rng(1));
  toHwa(h, hwaConfigFromPreset("hermes", noiseless), new Rng(2));
  const yd = d.forward(x) as Tensor;
  const yh = h.forward(x) as Tensor;
  assertClose(yd.data, yh.data, 1e-6);
  sum(yd).backward();
  sum(yh).backward();
  const gh = h.parameters();
  for (const [i, p] of d.parameters().entries()) assertClose(p.grad!.data, gh[i]!.grad!.data, 1e-5);
}

/** `classes` Gaussian blobs in `dim` dimensions, `n` samples, separable but not trivially. */
export function blobs(n: number, dim = 8, classes = 3, seed = 1): Dataset {
  const centerRng = new Rng(100); // same class centres for every sample seed (train / validation splits)
  const centers = Array.from({ length: classes }, () =>
    Array.from({ length: dim }, () => 1.5 * centerRng.normal()),
  );
  const rng = new Rng(seed);
  const x = new Float32Array(n * dim);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    y[i] = c;
    for (let d = 0; d < dim; d++) x[i * dim + d] = centers[c]![d]! + rng.normal();
  }
  return {
    name: "blobs",
    x,
    y,
    sampleShape: [dim],
    classes: Array.from({ length: classes }, (_, i) => `c${i}`),
    license: "",
  };
}

export class TinyMlp extends Module {
  constructor(rng: Rng, dim = 8, hidden = 16, classes = 3) {
    super();
    this.registerModule("fc1", new Linear(dim, hidden, { rng }));
    this.registerModule("fc2", new Linear(hidden, classes, { rng }));
  }

  forward(x: Tensor): Tensor {
    return this.child<Linear>("fc2").forward(relu(this.child<Linear>("fc1").forward(x)));
  }
}

/** Linear → BatchNorm1d → ReLU → Linear (8 → 12 → 3); fc1/fc2 may be replaced (HWA layers). */
export class BnMlp extends Module {
  constructor(rng: Rng) {
    super();
    this.registerModule("fc1", new Linear(8, 12, { rng }));
    this.registerModule("bn", new BatchNorm1d(12));
    this.registerModule("act", new ReLU());
    this.registerModule("fc2", new Linear(12, 3, { rng }));
  }
  forward(x: Tensor): Tensor {
    const h = this.child<BatchNorm1d>("bn").forward(this.child<Module>("fc1").forward(x));
    return this.child<Module>("fc2").forward(this.child<ReLU>("act").forward(h));
  }
}

export function weightsOf(m: AnyModule): Float32Array[] {
  return m.parameters().map((p) => p.data.slice());
}
