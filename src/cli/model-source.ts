/**
 * Where `kirchhoff train` / `evaluate` get their network: a zoo model by name, or an architecture found by
 * `kirchhoff search` (a genome file). Genome files are either
 *   { "space": "dscnn", "spaceOptions": { ... }, "genome": { ... } }          (hand-written), or
 *   the JSON that `kirchhoff search --output` writes: { "config": { "space": { "name", "options" } },
 *   "best": [ { "genome": ... }, ... ] }                                     (best[rank], rank 0 by default).
 */
import type { Command } from "commander";
import { KirchhoffError, type Rng } from "../core/index.js";
import { buildNetwork, createSpace } from "../nas/index.js";
import { type AnyModule, createModel, listModels, modelInfo } from "../nn/index.js";
import { readJsonFile } from "./flags.js";

export interface ModelSource {
  /** Name used in results and metadata: the zoo name or "genome:<space>". */
  readonly name: string;
  /** Expected sample shape (HWC), or null when the network accepts any spatial size. */
  readonly inputShape: readonly number[] | null;
  /** Number of output classes the network produces, or null when set by `build(classes)`. */
  readonly classes: number | null;
  build(classes: number, rng: Rng): AnyModule;
}

interface GenomeFile {
  space: string;
  spaceOptions: Record<string, unknown>;
  genome: unknown;
}

function parseGenomeFile(path: string, rank: number): GenomeFile {
  const raw = readJsonFile(path, "genome file");
  const obj = (raw ?? {}) as Record<string, unknown>;
  if (typeof obj.space === "string" && "genome" in obj) {
    const opts = obj.spaceOptions ?? {};
    if (typeof opts !== "object")
      throw new KirchhoffError("config", `genome file ${path}: spaceOptions must be an object`);
    return { space: obj.space, spaceOptions: opts as Record<string, unknown>, genome: obj.genome };
  }
  const config = obj.config as { space?: { name?: unknown; options?: unknown } } | undefined;
  const best = obj.best;
  if (config?.space && typeof config.space.name === "string" && Array.isArray(best)) {
    if (!(Number.isInteger(rank) && rank >= 0 && rank < best.length)) {
      throw new KirchhoffError(
        "config",
        `genome file ${path}: --rank must be in 0..${best.length - 1}, got ${rank}`,
      );
    }
    const entry = best[rank] as { genome?: unknown };
    return {
      space: config.space.name,
      spaceOptions: (config.space.options ?? {}) as Record<string, unknown>,
      genome: entry.genome,
    };
  }
  throw new KirchhoffError(
    "config",
    `genome file ${path}: expected {"space", "genome"} or the output of \`kirchhoff search\` ({"config", "best"})`,
  );
}

/**
 * Adds the options that `modelSource` reads — `-m, --model` (zoo name, default fashion-cnn),
 * `-g, --genome` (described by `genomeHelp`) and `--rank` — to a `train` / `evaluate` command.
 */
export function addModelSourceOptions(cmd: Command, genomeHelp: string): Command {
  return cmd
    .option(
      "-m, --model <name>",
      `zoo model: ${listModels()
        .map((m) => m.name)
        .join(", ")}`,
      "fashion-cnn",
    )
    .option("-g, --genome <file>", genomeHelp)
    .option("--rank <k>", "with --genome: which of the search's best architectures (0 = best)", "0");
}

/** Resolves `--model NAME` or `--genome FILE [--rank K]` into something that builds the network. */
export function modelSource(opts: { model: string; genome?: string; rank?: number }): ModelSource {
  if (!opts.genome) {
    const info = modelInfo(opts.model);
    return {
      name: opts.model,
      inputShape: info.inputShape,
      classes: null,
      build: (classes, rng) => createModel(opts.model, { classes }, rng),
    };
  }
  const file = parseGenomeFile(opts.genome, opts.rank ?? 0);
  const space = createSpace(file.space, file.spaceOptions);
  const genome = space.validate(file.genome);
  const last = space.layers(genome).at(-1);
  const classes = last?.kind === "linear" ? last.outFeatures : null;
  return {
    name: `genome:${file.space}`,
    inputShape: null,
    classes,
    build: (wanted, rng) => {
      if (classes !== null && classes !== wanted) {
        throw new KirchhoffError(
          "config",
          `genome file ${opts.genome}: the network has ${classes} outputs but the dataset has ${wanted} classes (set spaceOptions.classes)`,
        );
      }
      return buildNetwork(space, genome, rng);
    },
  };
}
