import assert from "node:assert/strict";
import { test } from "node:test";
import {
  defaultSurrogateFactory,
  GradientBoostedTrees,
  Nb201Space,
  parseObjective,
  STRATEGY_NAMES,
  Study,
  strategyFactory,
} from "../../src/nas/index.js";
import { SyntheticNb201Evaluator } from "./fixtures/synthetic.js";

const space = new Nb201Space();
/** Small surrogates keep the guided strategies fast in tests. */
const smallSurrogate = (seed: number) =>
  new GradientBoostedTrees({ nEstimators: 20, maxDepth: 3, learningRate: 0.3, seed });
const options: Record<string, Record<string, unknown>> = {
  bananas: { initSize: 8, ensembleSize: 2, poolSize: 40, batchSize: 4 },
  analognas: { initSize: 8, poolSize: 40, topK: 4 },
  evolution: { populationSize: 10, sampleSize: 3 },
  nsga2: { populationSize: 8 },
};
const MAX_PARAMS = 600_000;

async function run(name: string, seed: number, budget: number, constrained = false) {
  const evaluator = new SyntheticNb201Evaluator();
  const study = new Study({
    space,
    evaluator,
    objectives:
      name === "nsga2"
        ? [parseObjective("acc"), parseObjective("drop", "minimize")]
        : [parseObjective("acc")],
    constraints: constrained ? { maxParams: MAX_PARAMS } : {},
    strategy: strategyFactory(name, options[name] ?? {}, smallSurrogate),
    seed,
  });
  const res = await study.optimize(budget);
  return { res, queries: evaluator.queries };
}

for (const name of STRATEGY_NAMES) {
  test(`strategy ${name}: budget, constraints, seeds`, async () => {
    const a = await run(name, 1, 30, true);
    // Budget: exactly 30 charged trials, each evaluated once, all distinct and all valid.
    assert.equal(a.res.trials.length, 30);
    assert.equal(a.queries, 30);
    assert.equal(new Set(a.res.trials.map((t) => t.key)).size, 30);
    assert.equal(a.res.curve.length, 30);
    for (let i = 1; i < 30; i++) assert.ok(a.res.curve[i]! >= a.res.curve[i - 1]!, "best-so-far is monotone");
    // Constraints are checked before evaluation: nothing over the parameter budget was evaluated.
    for (const t of a.res.trials) {
      assert.ok(space.counts(space.validate(t.genome)).params <= MAX_PARAMS, `${t.key} violates maxParams`);
      assert.equal(
        new SyntheticNb201Evaluator().precheck(space.validate(t.genome)),
        null,
        "invalid cell evaluated",
      );
    }
    // Same seed ⇒ identical trial sequence; different seeds ⇒ different sequences.
    const b = await run(name, 1, 30, true);
    assert.deepEqual(
      b.res.trials.map((t) => t.key),
      a.res.trials.map((t) => t.key),
    );
    const c = await run(name, 2, 30, true);
    assert.notDeepEqual(
      c.res.trials.map((t) => t.key),
      a.res.trials.map((t) => t.key),
    );
  });
}

test("guided strategies beat random search on the synthetic benchmark (mean of 3 seeds, 40 queries)", async () => {
  const mean = async (name: string) => {
    let s = 0;
    for (const seed of [0, 1, 2]) s += (await run(name, seed, 40)).res.curve.at(-1)!;
    return s / 3;
  };
  const random = await mean("random");
  for (const name of ["evolution", "local", "bananas"])
    assert.ok((await mean(name)) > random, `${name} ≤ random`);
});

test("the default surrogate factory builds seedable GBT models", () => {
  const m = defaultSurrogateFactory(3);
  const X = Array.from({ length: 30 }, (_, i) => [i % 5, i % 3, i]);
  const y = X.map((r) => r[0]! * 2 + r[1]!);
  m.fit(X, y);
  const p = m.predict(X);
  assert.ok(p[4]! > p[0]!);
});

test("unknown strategy names and options are config errors", () => {
  assert.throws(() => strategyFactory("annealing"), /strategy: expected one of random, lhs/);
  assert.throws(
    () => strategyFactory("evolution", { popSize: 5 }),
    /strategy evolution: unknown option "popSize" \(options: populationSize/,
  );
  assert.throws(
    () => strategyFactory("bananas", { acquisition: "ei" }),
    /bananas: acquisition: expected one of ucb, its, got "ei"/,
  );
});
