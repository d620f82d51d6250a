/** Search spaces by name, for configs and the CLI. */
import { KirchhoffError } from "../../core/index.js";
import { type AnalogNasOptions, AnalogNasSpace } from "./analognas.js";
import { type DsCnnOptions, DsCnnSpace } from "./dscnn.js";
import { type MobileNetOptions, MobileNetSpace } from "./mobilenet.js";
import { type Nb201Options, Nb201Space } from "./nb201.js";
import type { SearchSpace } from "./types.js";

export const SPACE_NAMES = ["nb201", "analognas", "dscnn", "mobilenet"] as const;
export type SpaceName = (typeof SPACE_NAMES)[number];

/** Option names each space's constructor accepts (see its Options interface). */
const OPTION_NAMES: Record<SpaceName, readonly string[]> = {
  nb201: ["classes", "inputSize"],
  analognas: ["outChannel0", "kernel0", "maxStages", "blocks", "branches", "widen", "input", "classes"],
  dscnn: ["stemWidth", "stemKernel", "stemStride", "maxBlocks", "widths", "kernels", "input", "classes"],
  mobilenet: ["resolutions", "alphas", "stemWidths", "numStages", "depths", "widths", "strides", "classes"],
};

/** Builds a space from its name and (space-specific) options. */
export function createSpace(name: string, options: Record<string, unknown> = {}): SearchSpace<unknown> {
  const known = OPTION_NAMES[name as SpaceName];
  for (const k of Object.keys(options)) {
    if (known && !known.includes(k)) {
      throw new KirchhoffError(
        "config",
        `space ${name}: unknown option ${JSON.stringify(k)} (options: ${known.join(", ")})`,
      );
    }
  }
  switch (name) {
    case "nb201":
      return new Nb201Space(options as Nb201Options) as SearchSpace<unknown>;
    case "analognas":
      return new AnalogNasSpace(options as AnalogNasOptions) as unknown as SearchSpace<unknown>;
    case "dscnn":
      return new DsCnnSpace(options as DsCnnOptions) as unknown as SearchSpace<unknown>;
    case "mobilenet":
      return new MobileNetSpace(options as MobileNetOptions) as unknown as SearchSpace<unknown>;
    default:
      throw new KirchhoffError(
        "config",
        `space: expected one of ${SPACE_NAMES.join(", ")}, got ${JSON.stringify(name)}`,
      );
  }
}
