/**
 * CIFAR ResNet-20/32/44/56 (He et al., "Deep Residual Learning", CVPR 2016, §4.2): conv 3×3 16 + BN + ReLU,
 * three stages of n basic blocks with 16/32/64 channels (depth 6n + 2), global average pool, dense 10.
 * Convolutions have no bias. Shortcuts use **option A** (parameter-free: subsample by 2 and zero-pad the new
 * channels), as in the paper's CIFAR experiments, giving the published 0.27 M (ResNet-20: 269,722 trainable)
 * and 0.46 M (ResNet-32: 464,154 trainable) parameters.
 */
import { configError, type Rng } from "../../core/index.js";
import { avgPool2d, globalAvgPool2d, pad, type Tensor } from "../../tensor/index.js";
import { Linear } from "../layers/linear.js";
import { Module } from "../module.js";
import { ConvBn } from "./blocks.js";

/** Option-A shortcut: x[:, ::s, ::s, :] then zero channels split evenly before and after. */
function shortcutA(x: Tensor, stride: number, outC: number): Tensor {
  const inC = x.shape[3]!;
  // A 1×1 average pool with stride s is exactly the strided subsampling x[:, ::s, ::s, :].
  const sub = stride === 1 ? x : avgPool2d(x, 1, stride);
  if (outC === inC) return sub;
  const extra = outC - inC;
  const before = Math.floor(extra / 2);
  return pad(sub, [
    [0, 0],
    [0, 0],
    [0, 0],
    [before, extra - before],
  ]);
}

/** relu(bn(conv(relu(bn(conv_s(x))))) + shortcutA(x)). */
export class BasicBlockA extends Module {
  constructor(
    readonly inC: number,
    readonly outC: number,
    readonly stride: number,
    rng: Rng,
  ) {
    super();
    this.registerModule("conv1", new ConvBn(inC, outC, 3, rng, { stride, padding: 1, bias: false }));
    this.registerModule("conv2", new ConvBn(outC, outC, 3, rng, { padding: 1, bias: false }));
  }

  forward(x: Tensor): Tensor {
    const y = this.child<ConvBn>("conv1").forward(x);
    return this.child<ConvBn>("conv2").forward(y, shortcutA(x, this.stride, this.outC));
  }
}

export interface CifarResNetOptions {
  /** Total depth 6n + 2: 20, 32, 44, 56, 110. */
  depth: number;
  classes?: number;
}

export class CifarResNet extends Module {
  readonly depth: number;

  constructor(rng: Rng, opts: CifarResNetOptions) {
    super();
    const { depth } = opts;
    if (!(Number.isInteger(depth) && depth >= 8 && (depth - 2) % 6 === 0)) {
      throw configError("CifarResNet.depth", "6n + 2 (20, 32, 44, 56, 110)", depth);
    }
    this.depth = depth;
    const n = (depth - 2) / 6;
    this.registerModule("stem", new ConvBn(3, 16, 3, rng, { padding: 1, bias: false }));
    let inC = 16;
    let idx = 0;
    for (const [c, s] of [
      [16, 1],
      [32, 2],
      [64, 2],
    ] as const) {
      for (let i = 0; i < n; i++) {
        this.registerModule(`block${idx++}`, new BasicBlockA(inC, c, i === 0 ? s : 1, rng));
        inC = c;
      }
    }
    this.registerModule("fc", new Linear(64, opts.classes ?? 10, { rng }));
  }

  /** x: `[N, 32, 32, 3]` → logits `[N, classes]`. */
  forward(x: Tensor): Tensor {
    let y = x;
    for (const [name, m] of this.namedChildren()) if (name !== "fc") y = m.forward(y);
    return this.child<Linear>("fc").forward(globalAvgPool2d(y));
  }
}
