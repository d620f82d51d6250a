import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../src/core/index.js";
import {
  type Evaluation,
  type Evaluator,
  latinHypercube,
  MemoryStorage,
  type Nb201Genome,
  Nb201Space,
  parseObjective,
  Study,
  strategyFactory,
} from "../../src/nas/index.js";
import { syntheticScore } from "./fixtures/synthetic.js";

const space = new Nb201Space();

/** Fails on cells whose first edge is conv1x1, calls cells with e2 = avgpool "invalid" only after evaluating. */
class FlakyEvaluator implements Evaluator<Nb201Genome> {
  readonly name = "flaky";
  calls = 0;
  async evaluate(g: Nb201Genome): Promise<Evaluation> {
    this.calls++;
    if (g[0] === 3) throw new Error("training diverged");
    if (g[1] === 4) return { status: "invalid", reason: "no result" };
    return { status: "ok", metrics: { acc: syntheticScore(g) }, cost: 1 };
  }
}

test("study: failed trials are charged and journaled, late-invalid ones are not; the curve is best-so-far", async () => {
  const storage = new MemoryStorage();
  const ev = new FlakyEvaluator();
  const study = new Study({
    space,
    evaluator: ev,
    objectives: [parseObjective("acc")],
    strategy: strategyFactory("random"),
    seed: 3,
    storage,
  });
  const res = await study.optimize(40);
  assert.equal(res.trials.length, 40);
  const failed = res.trials.filter((t) => t.status === "failed");
  assert.ok(failed.length > 0 && failed.every((t) => (t.genome as number[])[0] === 3));
  const invalid = storage.events.filter((e) => e.type === "invalid");
  assert.ok(invalid.length > 0);
  assert.equal(ev.calls, 40 + invalid.length);
  assert.ok(storage.events.some((e) => e.type === "failed" && e.error === "training diverged"));
  assert.equal(storage.events[0]!.type, "study");
  const okVals = res.trials.map((t) => (t.status === "ok" ? t.values![0]! : Number.NEGATIVE_INFINITY));
  res.curve.forEach((c, i) => {
    const best = Math.max(...okVals.slice(0, i + 1));
    assert.equal(c, best === Number.NEGATIVE_INFINITY ? Number.NaN : best);
  });
  assert.deepEqual(
    res.best.map((t) => t.values![0]),
    okVals.sort((a, b) => b - a).slice(0, 10),
  );
});

test("study: a space smaller than the budget ends when exhausted instead of looping", async () => {
  const only = new Set(["(0, 2, 0, 3, 2, 2)", "(2, 2, 2, 2, 2, 2)", "(0, 0, 0, 0, 0, 0)"]);
  const ev: Evaluator<Nb201Genome> = {
    name: "tiny",
    precheck: (g) => (only.has(space.key(g)) ? null : "absent"),
    evaluate: async (g) => ({ status: "ok", metrics: { acc: syntheticScore(g) }, cost: 1 }),
  };
  const study = new Study({
    space,
    evaluator: ev,
    objectives: [parseObjective("acc")],
    strategy: strategyFactory("random"),
    seed: 0,
    maxIdleProposals: 100_000,
  });
  const res = await study.optimize(10);
  assert.equal(res.trials.length, 3);
  assert.ok(res.freeProposals >= 100_000);
});

test("Latin hypercube: every choice of every dimension appears ⌊n/K⌋ or ⌈n/K⌉ times", () => {
  const design = latinHypercube(space, new Rng(9), 23);
  for (let d = 0; d < 6; d++) {
    const counts = [0, 0, 0, 0, 0];
    for (const g of design) counts[g[d]!]!++;
    for (const c of counts) assert.ok(c === 4 || c === 5, `dim ${d}: ${counts}`);
  }
});

test("budget must be a positive integer", async () => {
  const study = new Study({
    space,
    evaluator: new FlakyEvaluator(),
    objectives: [parseObjective("acc")],
    strategy: strategyFactory("random"),
    seed: 0,
  });
  await assert.rejects(study.optimize(0), /budget: expected an integer ≥ 1, got 0/);
});

test("workers sharing a journal learn from each other's trials and never repeat them", async () => {
  const { mkdtempSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const { JournalStorage } = await import("../../src/nas/index.js");
  const path = join(mkdtempSync(join(tmpdir(), "kirchhoff-share-")), "j.jsonl");
  const told: string[][] = [];
  const make = (worker: string) => {
    const seen: string[] = [];
    told.push(seen);
    return new Study({
      space,
      evaluator: {
        name: "syn",
        evaluate: async (g: Nb201Genome) => {
          seen.push(space.key(g));
          return { status: "ok", metrics: { acc: syntheticScore(g) }, cost: 1 };
        },
      },
      objectives: [parseObjective("acc")],
      strategy: strategyFactory("bananas", { initSize: 5, ensembleSize: 2, poolSize: 30, batchSize: 3 }),
      seed: 1,
      storage: new JournalStorage(path),
      worker,
    });
  };
  await make("a").optimize(12);
  const res = await make("b").optimize(24);
  assert.equal(res.trials.length, 24);
  assert.equal(told[1]!.length, 12, "worker b evaluated only the remaining budget");
  assert.equal(new Set([...told[0]!, ...told[1]!]).size, 24);
  // b skipped its random initial design: its first batch mutates a's results (Hamming distance ≤ 2).
  const dist = (x: number[], y: number[]) => x.filter((v, k) => v !== y[k]).length;
  const aGenomes = told[0]!.map((k) => space.parseKey(k));
  for (const k of told[1]!.slice(0, 3)) {
    assert.ok(
      Math.min(...aGenomes.map((g) => dist(g, space.parseKey(k)))) <= 2,
      `${k} is not near a's trials`,
    );
  }
});
