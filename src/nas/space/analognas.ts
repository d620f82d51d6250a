/**
 * AnalogNAS ResNet-like macro space (Benmeziane et al., arXiv 2305.10459, §III-A), built as the paper
 * defines it rather than as IBM's code does (see ../shared/reference/analognas/search_space.json for the
 * code's quirks: unused block types, fractional widening, strides ignored).
 *
 * Genome: stem width `outChannel0` and kernel `kernel0`, then M ≤ 5 stages, each with `blocks` residual
 * blocks, `branches` parallel branches per block, `blockType` "A" (basic: conv3×3–conv3×3) or "B"
 * (bottleneck: conv1×1–conv3×3–conv1×1 with mid = out/4) and a widening factor `widen`
 * (channels_m = round(channels_{m−1} · widen_m)). The first block of each of the last two stages has stride 2
 * (a single stage when M = 1). Shortcut: identity, or conv1×1(stride)+BN when shape changes. Head: ReLU,
 * global average pool, Linear(c_M → classes) with bias. Convolutions have no bias; every conv has a BN.
 */
import { KirchhoffError } from "../../core/index.js";
import { type AnalogNasConfig, analognasFeatureVector } from "../surrogate/index.js";
import { CategoricalSpace, requireArray, requireChoice, requireObject } from "./categorical.js";
import { conv } from "./layers.js";
import type { Dimension, LayerSpec } from "./types.js";

export interface AnalogNasStage {
  blocks: number;
  branches: number;
  blockType: "A" | "B";
  widen: number;
}
export interface AnalogNasGenome {
  outChannel0: number;
  kernel0: number;
  stages: AnalogNasStage[];
}

export interface AnalogNasOptions {
  outChannel0?: number[];
  kernel0?: number[];
  maxStages?: number;
  blocks?: number[];
  branches?: number[];
  widen?: number[];
  /** Input [height, width, channels] (CIFAR-10: 32×32×3). */
  input?: [number, number, number];
  classes?: number;
}

const BLOCK_TYPES = ["A", "B"] as const;

export class AnalogNasSpace extends CategoricalSpace<AnalogNasGenome> {
  readonly name = "analognas";
  readonly dimensions: readonly Dimension[];
  readonly maxStages: number;
  private readonly opt: Required<AnalogNasOptions>;

  constructor(opts: AnalogNasOptions = {}) {
    super();
    this.opt = {
      outChannel0: opts.outChannel0 ?? [8, 12, 16, 24, 32, 48, 64],
      kernel0: opts.kernel0 ?? [1, 3, 5, 7],
      maxStages: opts.maxStages ?? 5,
      blocks: opts.blocks ?? [1, 2, 3, 4, 5],
      branches: opts.branches ?? [1, 2, 3, 4],
      widen: opts.widen ?? [1, 1.5, 2, 3],
      input: opts.input ?? [32, 32, 3],
      classes: opts.classes ?? 10,
    };
    this.maxStages = this.opt.maxStages;
    if (!(Number.isInteger(this.maxStages) && this.maxStages >= 1 && this.maxStages <= 5)) {
      throw new KirchhoffError("config", `analognas: maxStages: expected 1..5, got ${this.maxStages}`);
    }
    const dims: Dimension[] = [
      { name: "outChannel0", choices: this.opt.outChannel0 },
      { name: "kernel0", choices: this.opt.kernel0 },
      { name: "M", choices: Array.from({ length: this.maxStages }, (_, i) => i + 1) },
    ];
    for (let m = 1; m <= this.maxStages; m++) {
      dims.push(
        { name: `stage${m}.blocks`, choices: this.opt.blocks },
        { name: `stage${m}.branches`, choices: this.opt.branches },
        { name: `stage${m}.blockType`, choices: BLOCK_TYPES },
        { name: `stage${m}.widen`, choices: this.opt.widen },
      );
    }
    this.dimensions = dims;
  }

  validate(genome: unknown): AnalogNasGenome {
    const o = requireObject(this.name, "genome", genome);
    const stages = requireArray(this.name, "stages", o.stages, 1, this.maxStages);
    return {
      outChannel0: requireChoice(this.name, "outChannel0", o.outChannel0, this.opt.outChannel0),
      kernel0: requireChoice(this.name, "kernel0", o.kernel0, this.opt.kernel0),
      stages: stages.map((s, i) => {
        const st = requireObject(this.name, `stages[${i}]`, s);
        return {
          blocks: requireChoice(this.name, `stages[${i}].blocks`, st.blocks, this.opt.blocks),
          branches: requireChoice(this.name, `stages[${i}].branches`, st.branches, this.opt.branches),
          blockType: requireChoice(this.name, `stages[${i}].blockType`, st.blockType, BLOCK_TYPES),
          widen: requireChoice(this.name, `stages[${i}].widen`, st.widen, this.opt.widen),
        };
      }),
    };
  }

  fromIndices(ix: readonly number[]): AnalogNasGenome {
    this.checkIndices(ix);
    const d = this.dimensions;
    const M = d[2]!.choices[ix[2]!] as number;
    const stages: AnalogNasStage[] = [];
    for (let m = 0; m < M; m++) {
      const b = 3 + 4 * m;
      stages.push({
        blocks: d[b]!.choices[ix[b]!] as number,
        branches: d[b + 1]!.choices[ix[b + 1]!] as number,
        blockType: d[b + 2]!.choices[ix[b + 2]!] as "A" | "B",
        widen: d[b + 3]!.choices[ix[b + 3]!] as number,
      });
    }
    return { outChannel0: d[0]!.choices[ix[0]!] as number, kernel0: d[1]!.choices[ix[1]!] as number, stages };
  }

  toIndices(g: AnalogNasGenome): number[] {
    const d = this.dimensions;
    const at = (dim: number, v: number | string) => Math.max(0, d[dim]!.choices.indexOf(v));
    const ix = [at(0, g.outChannel0), at(1, g.kernel0), at(2, g.stages.length)];
    for (let m = 0; m < this.maxStages; m++) {
      const s = g.stages[m];
      const b = 3 + 4 * m;
      ix.push(s ? at(b, s.blocks) : 0, s ? at(b + 1, s.branches) : 0, s ? at(b + 2, s.blockType) : 0);
      ix.push(s ? at(b + 3, s.widen) : 0);
    }
    return ix;
  }

  /** Output channels per stage: c_0 = outChannel0, c_m = round(c_{m−1}·widen_m). */
  stageChannels(g: AnalogNasGenome): number[] {
    const out: number[] = [];
    let c = g.outChannel0;
    for (const s of g.stages) {
      c = Math.round(c * s.widen);
      out.push(c);
    }
    return out;
  }

  /** Features: IBM's 22-value vector (see toAnalogNasConfig) plus stem kernel size. */
  encode(g: AnalogNasGenome): number[] {
    return [...analognasFeatureVector(toAnalogNasConfig(g)), g.kernel0];
  }

  layers(g: AnalogNasGenome): LayerSpec[] {
    const [h0, w0, cin0] = this.opt.input;
    const L: LayerSpec[] = [];
    const stem = conv("stem", cin0, g.outChannel0, g.kernel0, 1, h0, w0);
    L.push(stem, { kind: "bn", name: "stem.bn", channels: g.outChannel0 });
    let [h, w, cin] = [stem.outH, stem.outW, g.outChannel0];
    const chans = this.stageChannels(g);
    const M = g.stages.length;
    g.stages.forEach((s, m) => {
      const cout = chans[m]!;
      for (let blk = 0; blk < s.blocks; blk++) {
        const stride = blk === 0 && m + 1 >= M - 1 ? 2 : 1;
        let oh = h;
        let ow = w;
        for (let br = 0; br < s.branches; br++) {
          const p = `stage${m + 1}.block${blk}.branch${br}`;
          const branch =
            s.blockType === "A"
              ? [conv(`${p}.conv1`, cin, cout, 3, stride, h, w)]
              : [conv(`${p}.conv1`, cin, Math.max(1, Math.round(cout / 4)), 1, 1, h, w)];
          if (s.blockType === "A") {
            const a = branch[0]!;
            branch.push(conv(`${p}.conv2`, cout, cout, 3, 1, a.outH, a.outW));
          } else {
            const mid = branch[0]!.outChannels;
            const b = conv(`${p}.conv2`, mid, mid, 3, stride, h, w);
            branch.push(b, conv(`${p}.conv3`, mid, cout, 1, 1, b.outH, b.outW));
          }
          for (const c of branch) L.push(c, { kind: "bn", name: `${c.name}.bn`, channels: c.outChannels });
          oh = branch[branch.length - 1]!.outH;
          ow = branch[branch.length - 1]!.outW;
        }
        if (stride !== 1 || cin !== cout) {
          const sc = conv(`stage${m + 1}.block${blk}.shortcut`, cin, cout, 1, stride, h, w, { pad: [0, 0] });
          L.push(sc, { kind: "bn", name: `${sc.name}.bn`, channels: cout });
        }
        [h, w, cin] = [oh, ow, cout];
      }
    });
    L.push({
      kind: "linear",
      name: "classifier",
      inFeatures: cin,
      outFeatures: this.opt.classes,
      bias: true,
    });
    return L;
  }
}

/**
 * IBM analog-nas config dictionary for a genome (ConfigSpace.sample_arch order): out_channel0, M, R1..R5,
 * then per group convblock (1 = basic "A", 2 = bottleneck "B"), widenfact, B; groups beyond M are 0.
 * IBM's builder computes channels as `c // widenfact`, so widenfact = 1 / widen.
 */
export function toAnalogNasConfig(g: AnalogNasGenome): AnalogNasConfig {
  const cfg: Record<string, number> = { out_channel0: g.outChannel0, M: g.stages.length };
  for (let i = 1; i <= 5; i++) cfg[`R${i}`] = g.stages[i - 1]?.blocks ?? 0;
  for (let i = 1; i <= 5; i++) {
    const s = g.stages[i - 1];
    cfg[`convblock${i}`] = s ? (s.blockType === "A" ? 1 : 2) : 0;
    cfg[`widenfact${i}`] = s ? 1 / s.widen : 0;
    cfg[`B${i}`] = s ? s.branches : 0;
  }
  return cfg as unknown as AnalogNasConfig;
}
