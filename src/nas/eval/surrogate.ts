/**
 * Surrogate evaluator: scores genomes with a fitted or imported model (e.g. IBM's XGBoost AVM/accuracy
 * models through `analognasFeatureVector(toAnalogNasConfig(g))`). Cost 0; every genome is valid.
 */
import type { SearchSpace } from "../space/types.js";
import type { Evaluation, Evaluator } from "./types.js";

/** Anything that scores feature rows (a Surrogate or an imported XGBoost ensemble). */
export interface RowPredictor {
  predict(X: readonly (readonly number[])[]): Float64Array;
}

export class SurrogateEvaluator<G> implements Evaluator<G> {
  readonly name = "surrogate";
  private readonly features: (g: G) => number[];

  /**
   * metric: name the prediction is reported under; features: genome → model input (default
   * `space.encode`).
   */
  constructor(
    space: SearchSpace<G>,
    private readonly model: RowPredictor,
    private readonly metric: string,
    features?: (g: G) => number[],
  ) {
    this.features = features ?? ((g) => space.encode(g));
  }

  async evaluate(genome: G): Promise<Evaluation> {
    const y = this.model.predict([this.features(genome)])[0]!;
    return { status: "ok", metrics: { [this.metric]: y }, cost: 0 };
  }
}
