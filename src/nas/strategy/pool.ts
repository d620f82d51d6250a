/** Candidate pools for surrogate-guided strategies: mutations of the best results plus random genomes. */
import type { History, StrategyContext } from "./types.js";

export class CandidatePool<G> {
  constructor(private readonly ctx: StrategyContext<G>) {}

  /**
   * Up to `size` distinct, feasible, not-yet-proposed genomes: (1 − randomFraction)·size mutations of the
   * `parents` best scored results (parents taken round-robin, mutation rate rising when the neighbourhood
   * is exhausted) and the rest uniform samples.
   */
  build(history: History<G>, size: number, parents: number, randomFraction: number): G[] {
    const { space, rng, feasible } = this.ctx;
    const best = history.top(parents);
    const keys = new Set<string>();
    const out: G[] = [];
    const nMut = best.length === 0 ? 0 : Math.round(size * (1 - randomFraction));
    const tryAdd = (g: G): void => {
      const k = space.key(g);
      if (keys.has(k) || history.has(k) || !feasible(g)) return;
      keys.add(k);
      out.push(g);
    };
    const maxTries = size * 20;
    for (let t = 0; out.length < nMut && t < maxTries; t++) {
      const p = best[t % best.length]!;
      // Escalate mutation strength after many failed tries (dense, already explored neighbourhoods).
      const rate = t < size * 5 ? undefined : Math.min(0.5, (t / maxTries) * 0.5 + 0.1);
      tryAdd(space.mutate(p.genome, rng, rate));
    }
    for (let t = 0; out.length < size && t < maxTries; t++) tryAdd(space.sample(rng));
    return out;
  }

  /**
   * The `k` candidates with the highest acquisition `scores` (ties keep pool order), marked as proposed
   * in `history` so that later pools skip them.
   */
  selectTop(history: History<G>, cands: readonly G[], scores: ArrayLike<number>, k: number): G[] {
    const order = Array.from(scores, (s, i) => ({ s, i })).sort((a, b) => b.s - a.s || a.i - b.i);
    const batch = order.slice(0, k).map((p) => cands[p.i]!);
    for (const g of batch) history.mark(this.ctx.space.key(g));
    return batch;
  }
}
