/** Modules the search-space networks need beyond src/nn: parallel branch sums and the NB201 cell. */
import type { Rng } from "../../core/index.js";
import {
  AvgPool2d,
  BatchNorm2d,
  Conv2d,
  Identity,
  Module,
  ReLU,
  Sequential,
  type TensorModule,
} from "../../nn/index.js";
import { add, scale, type Tensor } from "../../tensor/index.js";

/** Sum of parallel branches applied to the same input (AnalogNAS's multi-branch blocks). */
export class BranchSum extends Module {
  constructor(branches: readonly TensorModule[]) {
    super();
    branches.forEach((b, i) => {
      this.registerModule(`b${i}`, b);
    });
  }
  forward(x: Tensor): Tensor {
    let y: Tensor | null = null;
    for (const b of this.children()) {
      const o = (b as TensorModule).forward(x);
      y = y === null ? o : add(y, o);
    }
    return y!;
  }
}

/** NB201's "none" op: zeros shaped like the input. */
export class Zero extends Module {
  forward(x: Tensor): Tensor {
    return scale(x, 0);
  }
}

/** Conv (no bias) + BatchNorm, optionally preceded by ReLU (NB201's ReLU-Conv-BN). */
export function convBn(
  inC: number,
  outC: number,
  k: number | [number, number],
  rng: Rng,
  opts: {
    stride?: number;
    groups?: number;
    reluFirst?: boolean;
    bias?: boolean;
    padding?: number | "same";
  } = {},
): Sequential {
  const kh = typeof k === "number" ? k : k[0];
  const kw = typeof k === "number" ? k : k[1];
  const conv = new Conv2d(inC, outC, [kh, kw], {
    rng,
    stride: opts.stride ?? 1,
    padding: opts.padding ?? [Math.floor(kh / 2), Math.floor(kw / 2)],
    groups: opts.groups ?? 1,
    bias: opts.bias ?? false,
  });
  const layers: Record<string, Module<never[], unknown>> = {};
  if (opts.reluFirst) layers.relu = new ReLU();
  layers.conv = conv;
  layers.bn = new BatchNorm2d(outC);
  return Sequential.named(layers as never);
}

/**
 * One NB201 cell on C channels: node_j = Σ_{i<j} op_{j←i}(node_i), output node 3. Ops by id: 0 skip,
 * 1 zero, 2 ReLU-conv3×3-BN, 3 ReLU-conv1×1-BN, 4 avgpool3×3 (stride 1, pad 1; note: src/nn's AvgPool2d
 * counts padding in the mean, NB201's PyTorch code does not).
 */
export class Nb201Cell extends Module {
  /** [from, to] per genome position. */
  private readonly edges: readonly (readonly [number, number])[];

  constructor(
    ops: readonly number[],
    edges: readonly (readonly [number, number])[],
    channels: number,
    rng: Rng,
  ) {
    super();
    this.edges = edges;
    ops.forEach((op, e) => {
      const m =
        op === 0
          ? new Identity()
          : op === 1
            ? new Zero()
            : op === 2
              ? convBn(channels, channels, 3, rng, { reluFirst: true })
              : op === 3
                ? convBn(channels, channels, 1, rng, { reluFirst: true })
                : new AvgPool2d(3, 1, 1);
      this.registerModule(`e${e + 1}`, m);
    });
  }

  forward(x: Tensor): Tensor {
    const nodes: Tensor[] = [x];
    for (let j = 1; j <= 3; j++) {
      let acc: Tensor | null = null;
      this.edges.forEach(([from, to], e) => {
        if (to !== j) return;
        const o = this.child<TensorModule>(`e${e + 1}`).forward(nodes[from]!);
        acc = acc === null ? o : add(acc, o);
      });
      nodes.push(acc!);
    }
    return nodes[3]!;
  }
}
