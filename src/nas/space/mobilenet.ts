/**
 * MobileNetV1-style space for visual wake words (Howard et al. 2017; MLPerf Tiny VWW reference is
 * MobileNetV1 α = 0.25 on 96×96×3, 2 classes).
 *
 * Genome: input `resolution`, width multiplier `alpha`, stem width (conv3×3 stride 2 + BN + ReLU), then
 * `stages` (5 by default), each `depth` depthwise-separable blocks (dw3×3 + BN + ReLU, pw1×1 + BN + ReLU) of
 * base `width` channels, the first block with `stride`. Channels = max(8, floor(width·α)). Convolutions have
 * no bias (as in the Keras reference); global average pool; Dense(classes) with bias.
 * `MLPERF_VWW_GENOME` is the reference network.
 */
import { CategoricalSpace, requireArray, requireChoice, requireObject } from "./categorical.js";
import { conv } from "./layers.js";
import type { Dimension, LayerSpec } from "./types.js";

export interface MobileNetStage {
  depth: number;
  width: number;
  stride: number;
}
export interface MobileNetGenome {
  resolution: number;
  alpha: number;
  stemWidth: number;
  stages: MobileNetStage[];
}
export interface MobileNetOptions {
  resolutions?: number[];
  alphas?: number[];
  stemWidths?: number[];
  numStages?: number;
  depths?: number[];
  widths?: number[];
  strides?: number[];
  classes?: number;
}

export const MLPERF_VWW_GENOME: MobileNetGenome = {
  resolution: 96,
  alpha: 0.25,
  stemWidth: 32,
  stages: [
    { depth: 1, width: 64, stride: 1 },
    { depth: 2, width: 128, stride: 2 },
    { depth: 2, width: 256, stride: 2 },
    { depth: 6, width: 512, stride: 2 },
    { depth: 2, width: 1024, stride: 2 },
  ],
};

export class MobileNetSpace extends CategoricalSpace<MobileNetGenome> {
  readonly name = "mobilenet";
  readonly dimensions: readonly Dimension[];
  private readonly opt: Required<MobileNetOptions>;

  constructor(opts: MobileNetOptions = {}) {
    super();
    this.opt = {
      resolutions: opts.resolutions ?? [64, 80, 96, 128],
      alphas: opts.alphas ?? [0.25, 0.35, 0.5, 0.75, 1],
      stemWidths: opts.stemWidths ?? [16, 32],
      numStages: opts.numStages ?? 5,
      depths: opts.depths ?? [1, 2, 3, 4, 5, 6],
      widths: opts.widths ?? [32, 64, 128, 256, 512, 1024],
      strides: opts.strides ?? [1, 2],
      classes: opts.classes ?? 2,
    };
    const o = this.opt;
    const dims: Dimension[] = [
      { name: "resolution", choices: o.resolutions },
      { name: "alpha", choices: o.alphas },
      { name: "stemWidth", choices: o.stemWidths },
    ];
    for (let s = 0; s < o.numStages; s++) {
      dims.push(
        { name: `stage${s}.depth`, choices: o.depths },
        { name: `stage${s}.width`, choices: o.widths },
        { name: `stage${s}.stride`, choices: o.strides },
      );
    }
    this.dimensions = dims;
  }

  validate(genome: unknown): MobileNetGenome {
    const g = requireObject(this.name, "genome", genome);
    const o = this.opt;
    const stages = requireArray(this.name, "stages", g.stages, o.numStages, o.numStages);
    return {
      resolution: requireChoice(this.name, "resolution", g.resolution, o.resolutions),
      alpha: requireChoice(this.name, "alpha", g.alpha, o.alphas),
      stemWidth: requireChoice(this.name, "stemWidth", g.stemWidth, o.stemWidths),
      stages: stages.map((s, i) => {
        const so = requireObject(this.name, `stages[${i}]`, s);
        return {
          depth: requireChoice(this.name, `stages[${i}].depth`, so.depth, o.depths),
          width: requireChoice(this.name, `stages[${i}].width`, so.width, o.widths),
          stride: requireChoice(this.name, `stages[${i}].stride`, so.stride, o.strides),
        };
      }),
    };
  }

  fromIndices(ix: readonly number[]): MobileNetGenome {
    this.checkIndices(ix);
    const o = this.opt;
    return {
      resolution: o.resolutions[ix[0]!]!,
      alpha: o.alphas[ix[1]!]!,
      stemWidth: o.stemWidths[ix[2]!]!,
      stages: Array.from({ length: o.numStages }, (_, s) => ({
        depth: o.depths[ix[3 + 3 * s]!]!,
        width: o.widths[ix[4 + 3 * s]!]!,
        stride: o.strides[ix[5 + 3 * s]!]!,
      })),
    };
  }

  toIndices(g: MobileNetGenome): number[] {
    const o = this.opt;
    const ix = [
      o.resolutions.indexOf(g.resolution),
      o.alphas.indexOf(g.alpha),
      o.stemWidths.indexOf(g.stemWidth),
    ];
    for (const s of g.stages)
      ix.push(o.depths.indexOf(s.depth), o.widths.indexOf(s.width), o.strides.indexOf(s.stride));
    return ix.map((i) => Math.max(0, i));
  }

  private channels(width: number, alpha: number): number {
    return Math.max(8, Math.floor(width * alpha));
  }

  encode(g: MobileNetGenome): number[] {
    return [g.resolution, g.alpha, g.stemWidth, ...g.stages.flatMap((s) => [s.depth, s.width, s.stride])];
  }

  layers(g: MobileNetGenome): LayerSpec[] {
    const L: LayerSpec[] = [];
    const c0 = this.channels(g.stemWidth, g.alpha);
    const stem = conv("stem", 3, c0, 3, 2, g.resolution, g.resolution, { tfSame: true });
    L.push(stem, { kind: "bn", name: "stem.bn", channels: c0 });
    let [hw, c] = [stem.outH, c0];
    g.stages.forEach((s, si) => {
      const cout = this.channels(s.width, g.alpha);
      for (let d = 0; d < s.depth; d++) {
        const stride = d === 0 ? s.stride : 1;
        const dw = conv(`stage${si}.block${d}.dw`, c, c, 3, stride, hw, hw, { groups: c, tfSame: true });
        hw = dw.outH;
        const pw = conv(`stage${si}.block${d}.pw`, c, cout, 1, 1, hw, hw, { tfSame: true });
        L.push(dw, { kind: "bn", name: `${dw.name}.bn`, channels: c }, pw, {
          kind: "bn",
          name: `${pw.name}.bn`,
          channels: cout,
        });
        c = cout;
      }
    });
    L.push({ kind: "linear", name: "classifier", inFeatures: c, outFeatures: this.opt.classes, bias: true });
    return L;
  }
}
