/**
 * BANANAS-like surrogate-guided search (White et al., AAAI 2021): after `initSize` random evaluations,
 * fit an ensemble of surrogates (bootstrap) on every scored result, build a candidate pool by mutating
 * the best `parents` architectures, score it with an acquisition function (UCB = mean + κ·std, or
 * independent Thompson sampling ITS = one normal draw per candidate) and evaluate the top `batchSize`.
 * Defaults (UCB, κ = 1, batches of 5, 5 bootstrap GBTs) were tuned on AnalogNAS-Bench NB201
 * `finetuned_drift_86400`, 20 seeds: 89.81 % mean best at 100 queries, 90.01 % at 300 (bench/nas-tabular).
 */
import { CandidatePool } from "./pool.js";
import { SurrogateEnsemble } from "./surrogate-ensemble.js";
import {
  History,
  type Strategy,
  type StrategyContext,
  type SurrogateFactory,
  type TrialResult,
} from "./types.js";

export interface BananasOptions {
  initSize?: number;
  ensembleSize?: number;
  /** Candidates scored per batch. */
  poolSize?: number;
  /** Best architectures mutated into candidates. */
  parents?: number;
  batchSize?: number;
  acquisition?: "ucb" | "its";
  kappa?: number;
  /** Fraction of the pool drawn uniformly at random instead of by mutation. */
  randomFraction?: number;
}

export class Bananas<G> implements Strategy<G> {
  readonly name = "bananas";
  private readonly history = new History<G>();
  private readonly ensemble: SurrogateEnsemble;
  private readonly pool: CandidatePool<G>;
  private queue: G[] = [];
  private readonly o: Required<BananasOptions>;

  constructor(
    private readonly ctx: StrategyContext<G>,
    factory: SurrogateFactory,
    opts: BananasOptions = {},
  ) {
    this.o = {
      initSize: opts.initSize ?? 10,
      ensembleSize: opts.ensembleSize ?? 5,
      poolSize: opts.poolSize ?? 200,
      parents: opts.parents ?? 10,
      batchSize: opts.batchSize ?? 5,
      acquisition: opts.acquisition ?? "ucb",
      kappa: opts.kappa ?? 1,
      randomFraction: opts.randomFraction ?? 0.1,
    };
    this.ensemble = new SurrogateEnsemble(factory, this.o.ensembleSize);
    this.pool = new CandidatePool(ctx);
  }

  ask(n: number): G[] {
    const out: G[] = [];
    const { space, rng } = this.ctx;
    while (out.length < n) {
      if (this.history.scored.length < this.o.initSize) {
        out.push(space.sample(rng));
        continue;
      }
      if (this.queue.length === 0) this.queue = this.nextBatch();
      const g = this.queue.shift();
      out.push(g ?? space.sample(rng));
    }
    return out;
  }

  tell(results: readonly TrialResult<G>[]): void {
    for (const r of results) this.history.add(r);
  }

  private nextBatch(): G[] {
    const { space, rng } = this.ctx;
    const cands = this.pool.build(this.history, this.o.poolSize, this.o.parents, this.o.randomFraction);
    if (cands.length === 0) return [];
    this.ensemble.fitHistory(this.history, space, rng);
    const { mean, std } = this.ensemble.predict(cands.map((c) => space.encode(c)));
    const acq = cands.map((_, i) =>
      this.o.acquisition === "ucb" ? mean[i]! + this.o.kappa * std[i]! : mean[i]! + std[i]! * rng.normal(),
    );
    return this.pool.selectTop(this.history, cands, acq, this.o.batchSize);
  }
}
