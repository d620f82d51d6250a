/** An ensemble of surrogates fit on bootstrap resamples: mean and spread of predictions (BANANAS §4). */
import type { Rng } from "../../core/index.js";
import type { SearchSpace } from "../space/types.js";
import type { History, SurrogateFactory, SurrogateModel } from "./types.js";

export class SurrogateEnsemble {
  private members: SurrogateModel[] = [];

  constructor(
    private readonly factory: SurrogateFactory,
    private readonly size: number,
    /** Fit each member on a bootstrap resample (true) or on all rows with a different seed (false). */
    private readonly bootstrap = true,
  ) {}

  fit(X: number[][], y: number[], rng: Rng): void {
    this.members = [];
    for (let m = 0; m < this.size; m++) {
      const r = rng.split();
      let Xm = X;
      let ym = y;
      if (this.bootstrap && this.size > 1) {
        const idx = Array.from({ length: X.length }, () => r.int(X.length));
        Xm = idx.map((i) => X[i]!);
        ym = idx.map((i) => y[i]!);
      }
      const model = this.factory(r.int(2 ** 31));
      model.fit(Xm, ym, { rng: r });
      this.members.push(model);
    }
  }

  /** Fits on every scored result of `history`, genomes encoded by `space`. */
  fitHistory<G>(history: History<G>, space: SearchSpace<G>, rng: Rng): void {
    this.fit(
      history.scored.map((s) => space.encode(s.genome)),
      history.scored.map((s) => s.score),
      rng,
    );
  }

  /** Mean and standard deviation across members per row. */
  predict(X: number[][]): { mean: Float64Array; std: Float64Array } {
    const n = X.length;
    const mean = new Float64Array(n);
    const sq = new Float64Array(n);
    for (const m of this.members) {
      const p = m.predict(X);
      for (let i = 0; i < n; i++) {
        mean[i]! += p[i]!;
        sq[i]! += p[i]! * p[i]!;
      }
    }
    const k = this.members.length;
    const std = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      mean[i]! /= k;
      std[i] = Math.sqrt(Math.max(0, sq[i]! / k - mean[i]! * mean[i]!));
    }
    return { mean, std };
  }
}
