/**
 * Local search (White et al., UAI 2021 "Local search is state of the art for NAS benchmarks"):
 * first-improvement hill climbing over the mutation neighbourhood (`space.neighbours`, Hamming distance 1),
 * visited in random order; at a local optimum it restarts from the best of `initSamples` random genomes.
 */
import type { Strategy, StrategyContext, TrialResult } from "./types.js";

export interface LocalSearchOptions {
  /** Random genomes evaluated before each climb; the best one starts it. */
  initSamples?: number;
}

export class LocalSearch<G> implements Strategy<G> {
  readonly name = "local";
  private readonly initSamples: number;
  private current: { genome: G; key: string; score: number } | null = null;
  /** Best result seen in the current initialisation phase. */
  private initBest: { genome: G; key: string; score: number } | null = null;
  private initLeft: number;
  private queue: G[] = [];
  private readonly scores = new Map<string, number>();

  constructor(
    private readonly ctx: StrategyContext<G>,
    opts: LocalSearchOptions = {},
  ) {
    this.initSamples = Math.max(1, opts.initSamples ?? 10);
    this.initLeft = this.initSamples;
  }

  ask(n: number): G[] {
    const out: G[] = [];
    const { space, rng } = this.ctx;
    while (out.length < n) {
      if (this.current === null || this.initLeft > 0) {
        out.push(space.sample(rng));
        continue;
      }
      const next = this.queue.shift();
      if (next === undefined) {
        // Local optimum: restart.
        this.current = null;
        this.initBest = null;
        this.initLeft = this.initSamples;
        continue;
      }
      if (this.scores.has(space.key(next))) continue;
      out.push(next);
    }
    return out;
  }

  tell(results: readonly TrialResult<G>[]): void {
    for (const r of results) {
      if (r.status === "rejected" || r.status === "invalid") continue;
      const score = r.status === "ok" && r.score !== undefined ? r.score : Number.NEGATIVE_INFINITY;
      this.scores.set(r.key, score);
      if (r.foreign) continue; // known now (never proposed), but the climb follows only its own steps
      if (this.initLeft > 0 && this.current === null) {
        if (this.initBest === null || score > this.initBest.score)
          this.initBest = { genome: r.genome, key: r.key, score };
        if (--this.initLeft === 0) this.moveTo(this.initBest!);
      } else if (this.current !== null && score > this.current.score) {
        this.moveTo({ genome: r.genome, key: r.key, score });
      }
    }
  }

  private moveTo(c: { genome: G; key: string; score: number }): void {
    this.current = c;
    const nb = this.ctx.space.neighbours(c.genome).filter((g) => this.ctx.feasible(g));
    this.queue = this.ctx.rng.shuffle(nb) as G[];
  }
}
