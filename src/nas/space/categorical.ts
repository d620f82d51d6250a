/**
 * Base class deriving sampling, mutation, crossover and neighbourhoods from a space's categorical
 * dimension encoding. Subclasses provide the genome ⇄ indices mapping, validation, layers and features.
 */
import { KirchhoffError, type Rng } from "../../core/index.js";
import { countLayers, countTiles } from "./layers.js";
import type { Dimension, LayerSpec, NetworkCounts, SearchSpace } from "./types.js";

/** How many draws `sample`/`mutate` try before reporting that the space has (almost) no valid genome. */
const MAX_TRIES = 1000;

export abstract class CategoricalSpace<G> implements SearchSpace<G> {
  abstract readonly name: string;
  abstract readonly dimensions: readonly Dimension[];
  abstract validate(genome: unknown): G;
  abstract fromIndices(indices: readonly number[]): G;
  abstract toIndices(genome: G): number[];
  abstract encode(genome: G): number[];
  abstract layers(genome: G): LayerSpec[];

  /** Whether a decoded genome is buildable (e.g. resolution survives all strides); override to restrict. */
  protected isBuildable(_genome: G): boolean {
    return true;
  }

  key(genome: G): string {
    return JSON.stringify(genome);
  }

  parseKey(key: string): G {
    let v: unknown;
    try {
      v = JSON.parse(key);
    } catch {
      throw new KirchhoffError("config", `${this.name}: key is not JSON: ${JSON.stringify(key)}`);
    }
    return this.validate(v);
  }

  /** Checks an index vector's length and ranges. */
  protected checkIndices(indices: readonly number[]): void {
    if (indices.length !== this.dimensions.length) {
      throw new KirchhoffError(
        "config",
        `${this.name}: expected ${this.dimensions.length} dimension indices, got ${indices.length}`,
      );
    }
    indices.forEach((ix, d) => {
      const n = this.dimensions[d]!.choices.length;
      if (!(Number.isInteger(ix) && ix >= 0 && ix < n)) {
        throw new KirchhoffError(
          "config",
          `${this.name}: ${this.dimensions[d]!.name} index ${ix} not in 0..${n - 1}`,
        );
      }
    });
  }

  sample(rng: Rng): G {
    for (let t = 0; t < MAX_TRIES; t++) {
      const g = this.fromIndices(this.dimensions.map((d) => rng.int(d.choices.length)));
      if (this.isBuildable(g)) return g;
    }
    throw new KirchhoffError("config", `${this.name}: no buildable genome found in ${MAX_TRIES} samples`);
  }

  mutate(genome: G, rng: Rng, rate?: number): G {
    const base = this.toIndices(genome);
    const key0 = this.key(genome);
    const p = rate ?? 1 / this.dimensions.length;
    for (let t = 0; t < MAX_TRIES; t++) {
      const idx = base.slice();
      // One guaranteed change, then each other dimension flips with probability p.
      const forced = rng.int(idx.length);
      for (let d = 0; d < idx.length; d++) {
        if (d !== forced && rng.uniform() >= p) continue;
        const n = this.dimensions[d]!.choices.length;
        if (n < 2) continue;
        idx[d] = (idx[d]! + 1 + rng.int(n - 1)) % n;
      }
      const g = this.fromIndices(idx);
      if (this.key(g) !== key0 && this.isBuildable(g)) return g;
    }
    throw new KirchhoffError(
      "config",
      `${this.name}: could not mutate ${key0} into a different valid genome`,
    );
  }

  crossover(a: G, b: G, rng: Rng): G {
    const ia = this.toIndices(a);
    const ib = this.toIndices(b);
    for (let t = 0; t < MAX_TRIES; t++) {
      const g = this.fromIndices(ia.map((x, d) => (rng.uniform() < 0.5 ? x : ib[d]!)));
      if (this.isBuildable(g)) return g;
    }
    return a;
  }

  neighbours(genome: G): G[] {
    const base = this.toIndices(genome);
    const seen = new Set<string>([this.key(genome)]);
    const out: G[] = [];
    for (let d = 0; d < base.length; d++) {
      const n = this.dimensions[d]!.choices.length;
      for (let c = 0; c < n; c++) {
        if (c === base[d]) continue;
        const idx = base.slice();
        idx[d] = c;
        const g = this.fromIndices(idx);
        const k = this.key(g);
        if (seen.has(k) || !this.isBuildable(g)) continue;
        seen.add(k);
        out.push(g);
      }
    }
    return out;
  }

  counts(genome: G): NetworkCounts {
    return countLayers(this.layers(genome));
  }

  tilesNeeded(genome: G, tileSize = 256): number {
    return countTiles(this.layers(genome), tileSize);
  }

  fitsChip(genome: G, cores = 64, tileSize = 256): boolean {
    return this.tilesNeeded(genome, tileSize) <= cores;
  }
}

/** Field checker used by `validate` implementations: integer in a choice list. */
export function requireChoice<T extends number | string>(
  space: string,
  field: string,
  value: unknown,
  choices: readonly T[],
): T {
  if (!choices.includes(value as T)) {
    throw new KirchhoffError(
      "config",
      `${space}: ${field}: expected one of ${JSON.stringify(choices)}, got ${JSON.stringify(value)}`,
    );
  }
  return value as T;
}

/** Field checker: a plain object. */
export function requireObject(space: string, field: string, value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new KirchhoffError(
      "config",
      `${space}: ${field}: expected an object, got ${JSON.stringify(value)}`,
    );
  }
  return value as Record<string, unknown>;
}

/** Field checker: an array with length in [min, max]. */
export function requireArray(
  space: string,
  field: string,
  value: unknown,
  min: number,
  max: number,
): unknown[] {
  if (!Array.isArray(value) || value.length < min || value.length > max) {
    throw new KirchhoffError(
      "config",
      `${space}: ${field}: expected an array of ${min}..${max} entries, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}
