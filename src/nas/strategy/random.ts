/** Random search and Latin-hypercube designs over a space's categorical dimensions. */
import type { Rng } from "../../core/index.js";
import type { SearchSpace } from "../space/types.js";
import type { Strategy, StrategyContext, TrialResult } from "./types.js";

/**
 * A Latin-hypercube design of n genomes over categorical dimensions (McKay et al. 1979, balanced for
 * categories): in every dimension the n points take the K choices cyclically (choices in random order, so
 * each appears ⌊n/K⌋ or ⌈n/K⌉ times), and each column is shuffled independently.
 */
export function latinHypercube<G>(space: SearchSpace<G>, rng: Rng, n: number): G[] {
  const cols = space.dimensions.map((d) => {
    const K = d.choices.length;
    const order = rng.permutation(K);
    const col = Array.from({ length: n }, (_, i) => order[i % K]!);
    return rng.shuffle(col) as number[];
  });
  return Array.from({ length: n }, (_, i) => space.fromIndices(cols.map((c) => c[i]!)));
}

/** Uniform random sampling (feasible proposals only when a feasibility filter is known). */
export class RandomSearch<G> implements Strategy<G> {
  readonly name: string = "random";
  constructor(protected readonly ctx: StrategyContext<G>) {}

  ask(n: number): G[] {
    return Array.from({ length: n }, () => this.ctx.space.sample(this.ctx.rng));
  }

  tell(_results: readonly TrialResult<G>[]): void {}
}

/** Latin-hypercube batches of `batchSize` proposals (redesigned when a batch is used up). */
export class LatinHypercubeSearch<G> implements Strategy<G> {
  readonly name = "lhs";
  private queue: G[] = [];
  constructor(
    private readonly ctx: StrategyContext<G>,
    private readonly batchSize = 50,
  ) {}

  ask(n: number): G[] {
    const out: G[] = [];
    while (out.length < n) {
      if (this.queue.length === 0) this.queue = latinHypercube(this.ctx.space, this.ctx.rng, this.batchSize);
      out.push(this.queue.shift()!);
    }
    return out;
  }

  tell(_results: readonly TrialResult<G>[]): void {}
}
