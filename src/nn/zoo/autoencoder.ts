/**
 * MLPerf Tiny anomaly-detection autoencoder (DCASE 2020 task 2 baseline, `ad_autoencoder_float.tflite`):
 * 640 log-mel inputs (5 frames × 128 bins), encoder 4 × [dense 128 + BN + ReLU], bottleneck dense 8 + BN + ReLU,
 * decoder 4 × [dense 128 + BN + ReLU], dense 640 output (reconstruction; the anomaly score is the MSE).
 * 269,992 parameters incl. BN running statistics, 264,192 MACs.
 */
import type { Rng } from "../../core/index.js";
import { flatten, type Tensor } from "../../tensor/index.js";
import { BatchNorm1d } from "../layers/batchnorm.js";
import { Linear } from "../layers/linear.js";
import { Module } from "../module.js";

/** dense → BN → ReLU (BN fuses the activation). */
export class DenseBnRelu extends Module {
  constructor(inF: number, outF: number, rng: Rng) {
    super();
    this.registerModule("fc", new Linear(inF, outF, { rng }));
    this.registerModule("bn", new BatchNorm1d(outF, { act: "relu" }));
  }

  forward(x: Tensor): Tensor {
    return this.child("bn").forward(this.child<Linear>("fc").forward(x));
  }
}

export interface AutoencoderOptions {
  inputs?: number;
  hidden?: number;
  bottleneck?: number;
}

export class AnomalyAutoencoder extends Module {
  readonly inputs: number;

  constructor(rng: Rng, opts: AutoencoderOptions = {}) {
    super();
    const inputs = opts.inputs ?? 640;
    const hidden = opts.hidden ?? 128;
    const bottleneck = opts.bottleneck ?? 8;
    this.inputs = inputs;
    const widths = [inputs, hidden, hidden, hidden, hidden, bottleneck, hidden, hidden, hidden, hidden];
    for (let i = 0; i + 1 < widths.length; i++)
      this.registerModule(`layer${i}`, new DenseBnRelu(widths[i]!, widths[i + 1]!, rng));
    this.registerModule("out", new Linear(hidden, inputs, { rng }));
  }

  /** x: `[N, 640]` (or any shape flattening to 640 per sample) → reconstruction `[N, 640]`. */
  forward(x: Tensor): Tensor {
    let y = x.ndim === 2 ? x : flatten(x, 1);
    for (const [name, m] of this.namedChildren()) if (name !== "out") y = m.forward(y);
    return this.child<Linear>("out").forward(y);
  }
}
