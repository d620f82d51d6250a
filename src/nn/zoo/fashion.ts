/**
 * Small networks for 28×28×1 images (Fashion-MNIST, MNIST): the default models of `kirchhoff train`, sized so
 * that a few epochs on the embedded dataset finish in about a minute on two CPU cores.
 * - `FashionMlp`: flatten → dense 784→128 → ReLU → dense 10 (101,770 parameters, 101,632 MACs);
 * - `FashionCnn`: conv 3×3 8 + BN + ReLU → max pool 2 → conv 3×3 16 + BN + ReLU → max pool 2 → dense 784→10
 *   (9,194 parameters incl. BN running statistics, 290,080 MACs).
 */
import type { Rng } from "../../core/index.js";
import { flatten, maxPool2d, relu, type Tensor } from "../../tensor/index.js";
import { Linear } from "../layers/linear.js";
import { Module } from "../module.js";
import { ConvBn } from "./blocks.js";

export interface SmallImageOptions {
  classes?: number;
  /** Input height × width × channels (default 28 × 28 × 1). */
  inputShape?: readonly [number, number, number];
  hidden?: number;
}

export class FashionMlp extends Module {
  constructor(rng: Rng, opts: SmallImageOptions = {}) {
    super();
    const [h, w, c] = opts.inputShape ?? [28, 28, 1];
    const hidden = opts.hidden ?? 128;
    this.registerModule("fc1", new Linear(h * w * c, hidden, { rng }));
    this.registerModule("fc2", new Linear(hidden, opts.classes ?? 10, { rng }));
  }

  /** x: `[N, 28, 28, 1]` (any shape flattening to 784 per sample) → logits `[N, classes]`. */
  forward(x: Tensor): Tensor {
    const y = relu(this.child<Linear>("fc1").forward(flatten(x, 1)));
    return this.child<Linear>("fc2").forward(y);
  }
}

export class FashionCnn extends Module {
  constructor(rng: Rng, opts: SmallImageOptions = {}) {
    super();
    const [h, w, c] = opts.inputShape ?? [28, 28, 1];
    this.registerModule("conv1", new ConvBn(c, 8, 3, rng, { padding: 1 }));
    this.registerModule("conv2", new ConvBn(8, 16, 3, rng, { padding: 1 }));
    this.registerModule(
      "fc",
      new Linear(Math.floor(h / 4) * Math.floor(w / 4) * 16, opts.classes ?? 10, { rng }),
    );
  }

  /** x: `[N, 28, 28, 1]` → logits `[N, classes]`. */
  forward(x: Tensor): Tensor {
    const y = maxPool2d(this.child("conv1").forward(x), 2);
    const z = maxPool2d(this.child("conv2").forward(y), 2);
    return this.child<Linear>("fc").forward(flatten(z, 1));
  }
}
