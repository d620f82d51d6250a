/**
 * Search-space contract. A genome is plain JSON; every space is also described as a fixed-length vector of
 * categorical dimensions (inactive dimensions of variable-depth genomes decode to a canonical value), which
 * gives sampling, mutation, crossover, Latin-hypercube designs and neighbourhoods for free.
 */
import type { Rng } from "../../core/index.js";

/** One categorical decision of a space: its name and the values it may take (ordered, as in the genome). */
export interface Dimension {
  readonly name: string;
  readonly choices: readonly (number | string)[];
}

/**
 * One layer of the network a genome describes, enough to count parameters, MACs and crossbar tiles.
 * `conv` and `linear` are analog layers (mapped to crossbars); `bn` is digital (2·channels trainable affine
 * parameters plus 2·channels running statistics).
 */
export type LayerSpec =
  | {
      kind: "conv";
      name: string;
      inChannels: number;
      outChannels: number;
      kernelH: number;
      kernelW: number;
      /** Stride [rows, cols]. */
      stride: [number, number];
      groups: number;
      bias: boolean;
      /** Output feature-map height/width in pixels (for MACs). */
      outH: number;
      outW: number;
    }
  | { kind: "linear"; name: string; inFeatures: number; outFeatures: number; bias: boolean }
  | { kind: "bn"; name: string; channels: number };

/** Parameter and compute counts of a genome. */
export interface NetworkCounts {
  /** Trainable parameters: weights, biases and BatchNorm γ/β (PyTorch `numel` of `parameters()`). */
  params: number;
  /** `params` plus BatchNorm running mean/var (Keras "total params" convention, e.g. MLPerf DS-CNN 24,908). */
  paramsWithBnStats: number;
  /** Multiply-accumulates of one inference (conv + linear only). */
  macs: number;
  /** Number of analog (conv/linear) layers. */
  analogLayers: number;
}

export interface SearchSpace<G = unknown> {
  /** Registry name, e.g. "nb201". */
  readonly name: string;
  readonly dimensions: readonly Dimension[];
  /** Checks a JSON value and returns it as a canonical genome; throws KirchhoffError naming the field. */
  validate(genome: unknown): G;
  /** Genome from one choice index per dimension (canonicalised). */
  fromIndices(indices: readonly number[]): G;
  /** Choice index per dimension. */
  toIndices(genome: G): number[];
  sample(rng: Rng): G;
  /** A different valid genome; `rate` is the per-dimension mutation probability (≥ one change guaranteed). */
  mutate(genome: G, rng: Rng, rate?: number): G;
  /** Uniform crossover over dimensions. */
  crossover(a: G, b: G, rng: Rng): G;
  /** Every valid genome at Hamming distance 1 in the dimension encoding (deterministic order). */
  neighbours(genome: G): G[];
  /** Stable numeric feature vector for surrogates (same length for every genome). */
  encode(genome: G): number[];
  /** Stable string identity (equal genomes ⇔ equal keys). */
  key(genome: G): string;
  /** Genome from a key produced by `key`. */
  parseKey(key: string): G;
  /** Layers of the network (analog and BN), for counting. */
  layers(genome: G): LayerSpec[];
  counts(genome: G): NetworkCounts;
  /** Crossbar tiles of size tileSize×tileSize all analog layers need (see layers.ts). */
  tilesNeeded(genome: G, tileSize?: number): number;
  /** True when the network fits a chip with `cores` tiles of tileSize (HERMES: 64 cores of 256×256). */
  fitsChip(genome: G, cores?: number, tileSize?: number): boolean;
}
