/**
 * NSGA-II (Deb et al., IEEE TEC 2002) for multi-objective studies: generations of `populationSize`
 * offspring made by binary tournament (front rank, then crowding distance), uniform crossover and
 * mutation; survivors are chosen from parents ∪ offspring by non-dominated sorting and crowding.
 * Infeasible results (metric-constraint violation > 0) rank behind every feasible one (Deb's rule).
 */
import { crowdingDistance, nonDominatedSort } from "../objective/pareto.js";
import type { Strategy, StrategyContext, TrialResult } from "./types.js";

export interface Nsga2Options {
  populationSize?: number;
  crossoverProb?: number;
}

interface Member<G> {
  genome: G;
  key: string;
  u: number[];
  violation: number;
  rank: number;
  crowd: number;
}

export class Nsga2<G> implements Strategy<G> {
  readonly name = "nsga2";
  private readonly N: number;
  private readonly pc: number;
  private parents: Member<G>[] = [];
  private offspring: Member<G>[] = [];
  private readonly seen = new Set<string>();

  constructor(
    private readonly ctx: StrategyContext<G>,
    opts: Nsga2Options = {},
  ) {
    this.N = opts.populationSize ?? 20;
    this.pc = opts.crossoverProb ?? 0.9;
  }

  ask(n: number): G[] {
    const out: G[] = [];
    const { space, rng } = this.ctx;
    for (let i = 0; i < n; i++) {
      if (this.parents.length === 0) {
        out.push(space.sample(rng));
        continue;
      }
      let child: G | null = null;
      for (let t = 0; t < 50 && child === null; t++) {
        const a = this.tournament();
        const b = this.tournament();
        let g = rng.uniform() < this.pc ? space.crossover(a.genome, b.genome, rng) : a.genome;
        g = space.mutate(g, rng);
        if (!this.seen.has(space.key(g))) child = g;
      }
      out.push(child ?? space.sample(rng));
    }
    return out;
  }

  tell(results: readonly TrialResult<G>[]): void {
    for (const r of results) {
      this.seen.add(r.key);
      if (r.status !== "ok" || !r.utilities) continue;
      this.offspring.push({
        genome: r.genome,
        key: r.key,
        u: r.utilities,
        violation: r.violation ?? 0,
        rank: 0,
        crowd: 0,
      });
      if (this.offspring.length >= this.N) this.survive();
    }
  }

  private tournament(): Member<G> {
    const { rng } = this.ctx;
    const a = this.parents[rng.int(this.parents.length)]!;
    const b = this.parents[rng.int(this.parents.length)]!;
    if (a.rank !== b.rank) return a.rank < b.rank ? a : b;
    return a.crowd >= b.crowd ? a : b;
  }

  /** Environmental selection from parents ∪ offspring. */
  private survive(): void {
    const all = [...this.parents, ...this.offspring];
    this.offspring = [];
    const feasible = all.filter((m) => m.violation === 0);
    const infeasible = all.filter((m) => m.violation > 0).sort((a, b) => a.violation - b.violation);
    const next: Member<G>[] = [];
    const fronts = nonDominatedSort(feasible.map((m) => m.u));
    fronts.forEach((front, rank) => {
      if (next.length >= this.N) return;
      const members = front.map((i) => feasible[i]!);
      const cd = crowdingDistance(members.map((m) => m.u));
      members.forEach((m, i) => {
        m.rank = rank;
        m.crowd = cd[i]!;
      });
      members.sort((a, b) => b.crowd - a.crowd);
      next.push(...members.slice(0, this.N - next.length));
    });
    infeasible.forEach((m, i) => {
      m.rank = fronts.length + i;
      m.crowd = 0;
    });
    next.push(...infeasible.slice(0, this.N - next.length));
    this.parents = next;
  }
}
