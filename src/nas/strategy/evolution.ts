/**
 * Regularised (aging) evolution (Real et al., AAAI 2019, Algorithm 1): a population of the `populationSize`
 * most recent models; each child is a mutation of the best of `sampleSize` random population members;
 * the oldest member dies when a child joins.
 */
import { latinHypercube } from "./random.js";
import type { Strategy, StrategyContext, TrialResult } from "./types.js";

export interface EvolutionOptions {
  populationSize?: number;
  sampleSize?: number;
  /** Initial population design. */
  init?: "random" | "lhs";
  /** Per-dimension mutation probability beyond the one forced change (default: 1/dims). */
  mutationRate?: number;
}

export class RegularizedEvolution<G> implements Strategy<G> {
  readonly name = "evolution";
  private readonly population: { genome: G; score: number }[] = [];
  private readonly P: number;
  private readonly S: number;
  private initQueue: G[];
  private initPending = 0;

  constructor(
    private readonly ctx: StrategyContext<G>,
    private readonly opts: EvolutionOptions = {},
  ) {
    this.P = opts.populationSize ?? 20;
    this.S = Math.min(opts.sampleSize ?? 5, this.P);
    this.initQueue = opts.init === "lhs" ? latinHypercube(ctx.space, ctx.rng.fork("lhs"), this.P) : [];
  }

  ask(n: number): G[] {
    const out: G[] = [];
    const { space, rng } = this.ctx;
    for (let i = 0; i < n; i++) {
      if (this.population.length + this.initPending < this.P) {
        this.initPending++;
        out.push(this.initQueue.shift() ?? space.sample(rng));
        continue;
      }
      if (this.population.length === 0) {
        out.push(space.sample(rng));
        continue;
      }
      let parent = this.population[rng.int(this.population.length)]!;
      for (let s = 1; s < this.S; s++) {
        const c = this.population[rng.int(this.population.length)]!;
        if (c.score > parent.score) parent = c;
      }
      out.push(space.mutate(parent.genome, rng, this.opts.mutationRate));
    }
    return out;
  }

  tell(results: readonly TrialResult<G>[]): void {
    for (const r of results) {
      const inInit = !r.foreign && this.initPending > 0 && this.population.length < this.P;
      if (inInit) this.initPending--;
      if (r.status !== "ok" || r.score === undefined) continue;
      this.population.push({ genome: r.genome, score: r.score });
      if (this.population.length > this.P) this.population.shift();
    }
  }
}
