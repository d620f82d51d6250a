/**
 * Genome → trainable network (src/nn modules, NHWC). Each builder mirrors its space's `layers()` so that
 * `buildNetwork(space, g, rng).numParameters() === space.counts(g).params` (checked by test/nas/build.test.ts).
 */
import { KirchhoffError, type Rng } from "../../core/index.js";
import {
  AvgPool2d,
  BatchNorm2d,
  Conv2d,
  DepthwiseConv2d,
  GlobalAvgPool2d,
  Identity,
  Linear,
  ReLU,
  Residual,
  Sequential,
  type TensorModule,
} from "../../nn/index.js";
import { type AnalogNasGenome, AnalogNasSpace } from "../space/analognas.js";
import { type DsCnnGenome, DsCnnSpace } from "../space/dscnn.js";
import { type MobileNetGenome, MobileNetSpace } from "../space/mobilenet.js";
import { type Nb201Genome, Nb201Space } from "../space/nb201.js";
import type { SearchSpace } from "../space/types.js";
import { NB201_EDGES } from "../surrogate/index.js";
import { BranchSum, convBn, Nb201Cell } from "./modules.js";

/** Builds the network of a genome (validated first) with weights initialised from `rng`. */
export function buildNetwork<G>(space: SearchSpace<G>, genome: unknown, rng: Rng): Sequential {
  const g = space.validate(genome);
  if (space instanceof Nb201Space) return buildNb201(space, g as Nb201Genome, rng);
  if (space instanceof AnalogNasSpace) return buildAnalogNas(space, g as AnalogNasGenome, rng);
  if (space instanceof DsCnnSpace) return buildDsCnn(space, g as DsCnnGenome, rng);
  if (space instanceof MobileNetSpace) return buildMobileNet(space, g as MobileNetGenome, rng);
  throw new KirchhoffError("config", `buildNetwork: no builder for space "${space.name}"`);
}

function head(inFeatures: number, classes: number, rng: Rng): TensorModule[] {
  return [new GlobalAvgPool2d(), new Linear(inFeatures, classes, { rng })];
}

function classesOf(space: SearchSpace<unknown>, g: unknown): number {
  const last = space.layers(g).at(-1)!;
  if (last.kind !== "linear")
    throw new KirchhoffError("state", `${space.name}: last layer is not the classifier`);
  return last.outFeatures;
}

function buildNb201(space: Nb201Space, g: Nb201Genome, rng: Rng): Sequential {
  const layers: TensorModule[] = [convBn(3, 16, 3, rng)];
  const widths = [16, 32, 64];
  widths.forEach((c, s) => {
    if (s > 0) {
      const cin = widths[s - 1]!;
      const body = new Sequential([
        convBn(cin, c, 3, rng, { stride: 2, reluFirst: true }),
        convBn(c, c, 3, rng, { reluFirst: true }),
      ]);
      const shortcut = new Sequential([
        new AvgPool2d(2, 2),
        new Conv2d(cin, c, 1, { rng, bias: false, padding: 0 }),
      ]);
      layers.push(new Residual(body, shortcut, "none"));
    }
    for (let cell = 0; cell < 5; cell++) layers.push(new Nb201Cell(g, NB201_EDGES, c, rng));
  });
  layers.push(new BatchNorm2d(64), new ReLU(), ...head(64, classesOf(space as SearchSpace<unknown>, g), rng));
  return new Sequential(layers);
}

function buildAnalogNas(space: AnalogNasSpace, g: AnalogNasGenome, rng: Rng): Sequential {
  const stem = space.layers(g)[0]!;
  const cin0 = stem.kind === "conv" ? stem.inChannels : 3;
  const layers: TensorModule[] = [convBn(cin0, g.outChannel0, g.kernel0, rng), new ReLU()];
  const chans = space.stageChannels(g);
  const M = g.stages.length;
  let cin = g.outChannel0;
  g.stages.forEach((s, m) => {
    const cout = chans[m]!;
    for (let blk = 0; blk < s.blocks; blk++) {
      const stride = blk === 0 && m + 1 >= M - 1 ? 2 : 1;
      const branches = Array.from({ length: s.branches }, () => {
        if (s.blockType === "A") {
          return new Sequential([
            convBn(cin, cout, 3, rng, { stride }),
            new ReLU(),
            convBn(cout, cout, 3, rng),
          ]);
        }
        const mid = Math.max(1, Math.round(cout / 4));
        return new Sequential([
          convBn(cin, mid, 1, rng),
          new ReLU(),
          convBn(mid, mid, 3, rng, { stride }),
          new ReLU(),
          convBn(mid, cout, 1, rng),
        ]);
      });
      const shortcut =
        stride !== 1 || cin !== cout ? convBn(cin, cout, 1, rng, { stride, padding: 0 }) : new Identity();
      layers.push(new Residual(new BranchSum(branches), shortcut, "relu"));
      cin = cout;
    }
  });
  layers.push(...head(cin, classesOf(space as unknown as SearchSpace<unknown>, g), rng));
  return new Sequential(layers);
}

function buildDsCnn(space: DsCnnSpace, g: DsCnnGenome, rng: Rng): Sequential {
  const stem = space.layers(g)[0]!;
  const c0 = stem.kind === "conv" ? stem.inChannels : 1;
  const layers: TensorModule[] = [
    new Conv2d(c0, g.stemWidth, g.stemKernel, { rng, stride: g.stemStride, padding: "same", bias: true }),
    new BatchNorm2d(g.stemWidth),
    new ReLU(),
  ];
  let c = g.stemWidth;
  for (const b of g.blocks) {
    layers.push(
      new DepthwiseConv2d(c, b.kernel, { rng, padding: "same", bias: true }),
      new BatchNorm2d(c),
      new ReLU(),
      new Conv2d(c, b.width, 1, { rng, padding: 0, bias: true }),
      new BatchNorm2d(b.width),
      new ReLU(),
    );
    c = b.width;
  }
  layers.push(...head(c, classesOf(space as unknown as SearchSpace<unknown>, g), rng));
  return new Sequential(layers);
}

function buildMobileNet(space: MobileNetSpace, g: MobileNetGenome, rng: Rng): Sequential {
  const ch = (w: number) => Math.max(8, Math.floor(w * g.alpha));
  const c0 = ch(g.stemWidth);
  const layers: TensorModule[] = [
    new Conv2d(3, c0, 3, { rng, stride: 2, padding: "same", bias: false }),
    new BatchNorm2d(c0),
    new ReLU(),
  ];
  let c = c0;
  for (const s of g.stages) {
    const cout = ch(s.width);
    for (let d = 0; d < s.depth; d++) {
      layers.push(
        new DepthwiseConv2d(c, 3, { rng, stride: d === 0 ? s.stride : 1, padding: "same", bias: false }),
        new BatchNorm2d(c),
        new ReLU(),
        new Conv2d(c, cout, 1, { rng, padding: 0, bias: false }),
        new BatchNorm2d(cout),
        new ReLU(),
      );
      c = cout;
    }
  }
  layers.push(...head(c, classesOf(space as unknown as SearchSpace<unknown>, g), rng));
  return new Sequential(layers);
}
