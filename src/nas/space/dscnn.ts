/**
 * DS-CNN-style space for keyword spotting (Zhang et al. 2017 "Hello Edge"; MLPerf Tiny KWS reference) on a
 * 49×10 MFCC input (one channel), 12 classes.
 *
 * Genome: stem conv (`stemWidth`, `stemKernel` [kh, kw], `stemStride` [sh, sw], TensorFlow "same" padding)
 * + BN + ReLU, then 1..maxBlocks depthwise-separable blocks (depthwise k×k conv + BN + ReLU, pointwise
 * 1×1 conv to `width` + BN + ReLU), global average pool, Dense(classes). All convolutions and the dense layer
 * have biases (Keras default, as in the MLPerf model). `paramsWithBnStats` of the MLPerf DS-CNN genome
 * (`MLPERF_DSCNN_GENOME`) is 24,908, the Keras total of the reference model.
 */
import { KirchhoffError } from "../../core/index.js";
import { CategoricalSpace, requireArray, requireChoice, requireObject } from "./categorical.js";
import { conv } from "./layers.js";
import type { Dimension, LayerSpec } from "./types.js";

export interface DsCnnBlock {
  width: number;
  kernel: number;
}
export interface DsCnnGenome {
  stemWidth: number;
  stemKernel: [number, number];
  stemStride: [number, number];
  blocks: DsCnnBlock[];
}
export interface DsCnnOptions {
  stemWidth?: number[];
  /** Stem kernels as "KHxKW". */
  stemKernel?: string[];
  /** Stem strides as "SHxSW". */
  stemStride?: string[];
  maxBlocks?: number;
  widths?: number[];
  kernels?: number[];
  /** Input [frames, coefficients, channels]: 49×10×1 MFCC. */
  input?: [number, number, number];
  classes?: number;
}

/** The MLPerf Tiny KWS reference DS-CNN (small). */
export const MLPERF_DSCNN_GENOME: DsCnnGenome = {
  stemWidth: 64,
  stemKernel: [10, 4],
  stemStride: [2, 2],
  blocks: [1, 2, 3, 4].map(() => ({ width: 64, kernel: 3 })),
};

const pair = (s: string): [number, number] => s.split("x").map(Number) as [number, number];
const fmt = (p: readonly number[]): string => `${p[0]}x${p[1]}`;

export class DsCnnSpace extends CategoricalSpace<DsCnnGenome> {
  readonly name = "dscnn";
  readonly dimensions: readonly Dimension[];
  private readonly opt: Required<DsCnnOptions>;

  constructor(opts: DsCnnOptions = {}) {
    super();
    this.opt = {
      stemWidth: opts.stemWidth ?? [32, 48, 64, 96, 128, 172],
      stemKernel: opts.stemKernel ?? ["3x3", "5x3", "10x4"],
      stemStride: opts.stemStride ?? ["1x1", "2x1", "2x2"],
      maxBlocks: opts.maxBlocks ?? 6,
      widths: opts.widths ?? [32, 48, 64, 96, 128, 172, 276],
      kernels: opts.kernels ?? [3, 5],
      input: opts.input ?? [49, 10, 1],
      classes: opts.classes ?? 12,
    };
    if (!(Number.isInteger(this.opt.maxBlocks) && this.opt.maxBlocks >= 1)) {
      throw new KirchhoffError(
        "config",
        `dscnn: maxBlocks: expected an integer ≥ 1, got ${this.opt.maxBlocks}`,
      );
    }
    const dims: Dimension[] = [
      { name: "stemWidth", choices: this.opt.stemWidth },
      { name: "stemKernel", choices: this.opt.stemKernel },
      { name: "stemStride", choices: this.opt.stemStride },
      { name: "numBlocks", choices: Array.from({ length: this.opt.maxBlocks }, (_, i) => i + 1) },
    ];
    for (let b = 0; b < this.opt.maxBlocks; b++) {
      dims.push(
        { name: `block${b}.width`, choices: this.opt.widths },
        { name: `block${b}.kernel`, choices: this.opt.kernels },
      );
    }
    this.dimensions = dims;
  }

  validate(genome: unknown): DsCnnGenome {
    const o = requireObject(this.name, "genome", genome);
    const k = requireArray(this.name, "stemKernel", o.stemKernel, 2, 2);
    const s = requireArray(this.name, "stemStride", o.stemStride, 2, 2);
    const blocks = requireArray(this.name, "blocks", o.blocks, 1, this.opt.maxBlocks);
    return {
      stemWidth: requireChoice(this.name, "stemWidth", o.stemWidth, this.opt.stemWidth),
      stemKernel: pair(requireChoice(this.name, "stemKernel", fmt(k as number[]), this.opt.stemKernel)),
      stemStride: pair(requireChoice(this.name, "stemStride", fmt(s as number[]), this.opt.stemStride)),
      blocks: blocks.map((b, i) => {
        const bo = requireObject(this.name, `blocks[${i}]`, b);
        return {
          width: requireChoice(this.name, `blocks[${i}].width`, bo.width, this.opt.widths),
          kernel: requireChoice(this.name, `blocks[${i}].kernel`, bo.kernel, this.opt.kernels),
        };
      }),
    };
  }

  fromIndices(ix: readonly number[]): DsCnnGenome {
    this.checkIndices(ix);
    const o = this.opt;
    const n = ix[3]! + 1;
    return {
      stemWidth: o.stemWidth[ix[0]!]!,
      stemKernel: pair(o.stemKernel[ix[1]!]!),
      stemStride: pair(o.stemStride[ix[2]!]!),
      blocks: Array.from({ length: n }, (_, b) => ({
        width: o.widths[ix[4 + 2 * b]!]!,
        kernel: o.kernels[ix[5 + 2 * b]!]!,
      })),
    };
  }

  toIndices(g: DsCnnGenome): number[] {
    const o = this.opt;
    const at = (list: readonly (number | string)[], v: number | string) => Math.max(0, list.indexOf(v));
    const ix = [
      at(o.stemWidth, g.stemWidth),
      at(o.stemKernel, fmt(g.stemKernel)),
      at(o.stemStride, fmt(g.stemStride)),
      g.blocks.length - 1,
    ];
    for (let b = 0; b < o.maxBlocks; b++) {
      const blk = g.blocks[b];
      ix.push(blk ? at(o.widths, blk.width) : 0, blk ? at(o.kernels, blk.kernel) : 0);
    }
    return ix;
  }

  /** Features: stem width, kernel, stride, block count, then (width, kernel) per block slot (0 when absent). */
  encode(g: DsCnnGenome): number[] {
    const f = [g.stemWidth, ...g.stemKernel, ...g.stemStride, g.blocks.length];
    for (let b = 0; b < this.opt.maxBlocks; b++) f.push(g.blocks[b]?.width ?? 0, g.blocks[b]?.kernel ?? 0);
    return f;
  }

  layers(g: DsCnnGenome): LayerSpec[] {
    const [h0, w0, c0] = this.opt.input;
    const L: LayerSpec[] = [];
    const stem = conv("stem", c0, g.stemWidth, g.stemKernel, g.stemStride, h0, w0, {
      bias: true,
      tfSame: true,
    });
    L.push(stem, { kind: "bn", name: "stem.bn", channels: g.stemWidth });
    let [h, w, c] = [stem.outH, stem.outW, g.stemWidth];
    g.blocks.forEach((b, i) => {
      const dw = conv(`block${i}.dw`, c, c, b.kernel, 1, h, w, { groups: c, bias: true, tfSame: true });
      const pw = conv(`block${i}.pw`, c, b.width, 1, 1, h, w, { bias: true, tfSame: true });
      L.push(dw, { kind: "bn", name: `${dw.name}.bn`, channels: c }, pw, {
        kind: "bn",
        name: `${pw.name}.bn`,
        channels: b.width,
      });
      c = b.width;
    });
    L.push({ kind: "linear", name: "classifier", inFeatures: c, outFeatures: this.opt.classes, bias: true });
    return L;
  }
}
