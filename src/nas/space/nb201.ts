/**
 * NAS-Bench-201 cell space (Dong & Yang, ICLR 2020), as tabulated by AnalogNAS-Bench (arXiv 2506.18495).
 *
 * Genome: six op ids `[e1..e6]` for the cell DAG edges in AnalogNAS-Bench's (NASLib) order 1←0, 2←0, 3←0,
 * 2←1, 3←1, 3←2 (see src/nas/surrogate/nb201-features.ts for how the order was verified on the data);
 * ops 0 skip, 1 zero, 2 conv3×3, 3 conv1×1, 4 avgpool3×3.
 * Key: `"(e1, e2, e3, e4, e5, e6)"`, exactly the CSV's `architecture` column. Features: `nb201Features`.
 *
 * Counts follow the NB201 CIFAR macro skeleton: stem conv3×3(3→16)+BN; three stages of 5 cells at C = 16, 32,
 * 64 separated by residual reduction blocks (ReLU-conv3×3/2-BN, ReLU-conv3×3-BN, shortcut avgpool2 + conv1×1);
 * BN + ReLU, global average pool, Linear(64→10). Convolutions have no bias; every conv op on an edge is
 * ReLU-Conv-BN(affine). `params` reproduces NB201's counts: all-conv3×3 = 1,531,546; no conv = 73,306.
 */
import { KirchhoffError } from "../../core/index.js";
import { NB201_EDGES, nb201Features } from "../surrogate/index.js";
import { CategoricalSpace, requireArray } from "./categorical.js";
import { conv } from "./layers.js";
import type { Dimension, LayerSpec } from "./types.js";

export type Nb201Genome = number[];

const OP_CONV3 = 2;
const OP_CONV1 = 3;

export interface Nb201Options {
  /** Classes of the classifier (CIFAR-10: 10). */
  classes?: number;
  /** Input resolution in pixels (CIFAR: 32). */
  inputSize?: number;
}

export class Nb201Space extends CategoricalSpace<Nb201Genome> {
  readonly name = "nb201";
  readonly dimensions: readonly Dimension[];
  private readonly classes: number;
  private readonly inputSize: number;

  constructor(opts: Nb201Options = {}) {
    super();
    this.classes = opts.classes ?? 10;
    this.inputSize = opts.inputSize ?? 32;
    this.dimensions = NB201_EDGES.map(([from, to], i) => ({
      name: `e${i + 1}(${to}<-${from})`,
      choices: [0, 1, 2, 3, 4],
    }));
  }

  validate(genome: unknown): Nb201Genome {
    const ops = requireArray(this.name, "genome", genome, 6, 6);
    ops.forEach((op, i) => {
      if (!(Number.isInteger(op) && (op as number) >= 0 && (op as number) <= 4)) {
        throw new KirchhoffError(
          "config",
          `nb201: e${i + 1}: expected an op id 0..4, got ${JSON.stringify(op)}`,
        );
      }
    });
    return ops.slice() as number[];
  }

  fromIndices(indices: readonly number[]): Nb201Genome {
    this.checkIndices(indices);
    return indices.slice();
  }

  toIndices(genome: Nb201Genome): number[] {
    return genome.slice();
  }

  override key(genome: Nb201Genome): string {
    return `(${genome.join(", ")})`;
  }

  override parseKey(key: string): Nb201Genome {
    const m = /^\(\s*([0-9]+(?:\s*,\s*[0-9]+)*)\s*\)$/.exec(key.trim());
    if (!m)
      throw new KirchhoffError(
        "config",
        `nb201: key: expected "(e1, e2, e3, e4, e5, e6)", got ${JSON.stringify(key)}`,
      );
    return this.validate(m[1]!.split(",").map((s) => Number(s.trim())));
  }

  /** Surrogate features of the cell (`nb201Features`: one-hot ops, counts, live-path statistics). */
  encode(genome: Nb201Genome): number[] {
    return nb201Features(genome);
  }

  layers(genome: Nb201Genome): LayerSpec[] {
    const L: LayerSpec[] = [];
    let hw = this.inputSize;
    L.push(conv("stem", 3, 16, 3, 1, hw, hw), { kind: "bn", name: "stem.bn", channels: 16 });
    const widths = [16, 32, 64];
    widths.forEach((c, s) => {
      if (s > 0) {
        const cin = widths[s - 1]!;
        const a = conv(`reduce${s}.a`, cin, c, 3, 2, hw, hw);
        L.push(a, { kind: "bn", name: `reduce${s}.a.bn`, channels: c });
        hw = a.outH;
        L.push(conv(`reduce${s}.b`, c, c, 3, 1, hw, hw), {
          kind: "bn",
          name: `reduce${s}.b.bn`,
          channels: c,
        });
        L.push(conv(`reduce${s}.shortcut`, cin, c, 1, 1, hw, hw));
      }
      for (let cell = 0; cell < 5; cell++) {
        genome.forEach((op, e) => {
          if (op !== OP_CONV3 && op !== OP_CONV1) return;
          const name = `stage${s}.cell${cell}.e${e + 1}`;
          L.push(conv(name, c, c, op === OP_CONV3 ? 3 : 1, 1, hw, hw), {
            kind: "bn",
            name: `${name}.bn`,
            channels: c,
          });
        });
      }
    });
    L.push({ kind: "bn", name: "lastact.bn", channels: 64 });
    L.push({ kind: "linear", name: "classifier", inFeatures: 64, outFeatures: this.classes, bias: true });
    return L;
  }
}
