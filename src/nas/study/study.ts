/**
 * A study (Optuna-like): a space, an evaluator, objectives and constraints, a strategy, and a storage.
 * `optimize(budget)` runs the ask → check → claim → evaluate → tell loop until `budget` trials are charged.
 *
 * Budget: only trials that were evaluated (ok or failed) or are being evaluated count. Proposals violating
 * architecture constraints, failing the evaluator's pre-check (e.g. not in the table) or already evaluated
 * (the cached result is told to the strategy again) are free.
 *
 * Resume: the strategy is rebuilt by replaying — the loop runs again from the same seed and, for every
 * proposal already in the journal, tells the journaled result instead of evaluating. Strategies are
 * deterministic in (seed, ask/tell sequence), so a single worker re-proposes exactly its old sequence; the
 * trial it had asked but never told comes up again and is evaluated once, under its old trial number.
 * Several workers (distinct `worker` ids, seeded apart) may share one journal; claims happen under the
 * storage lock so no architecture is evaluated twice and the budget is never exceeded; each worker's
 * strategy is also told (as `foreign` results) the trials the other workers finish.
 */
import { KirchhoffError, Rng } from "../../core/index.js";
import type { Evaluation, Evaluator } from "../eval/types.js";
import { architectureViolation, type Constraints, metricViolation } from "../objective/constraints.js";
import { type Metrics, type Objective, utility } from "../objective/objectives.js";
import { dominates } from "../objective/pareto.js";
import type { SearchSpace } from "../space/types.js";
import type { Strategy, StrategyContext, TrialResult } from "../strategy/types.js";
import { type JournalEvent, MemoryStorage, type Storage } from "./journal.js";
import { StudyState, type TrialRecord } from "./state.js";

export interface StudyOptions<G> {
  space: SearchSpace<G>;
  evaluator: Evaluator<G>;
  objectives: readonly Objective[];
  constraints?: Constraints;
  strategy: (ctx: StrategyContext<G>) => Strategy<G>;
  seed: number;
  storage?: Storage;
  /** Worker id; workers sharing a journal need distinct ids (their strategies are seeded apart). */
  worker?: string;
  /** Recorded in the journal's first event. */
  config?: unknown;
  /** Stop after this many consecutive proposals that evaluate nothing new (space exhausted). */
  maxIdleProposals?: number;
  /** Called after every newly evaluated trial. */
  onTrial?: (t: CompletedTrial, charged: number) => void;
}

export interface CompletedTrial {
  trial: number;
  worker: string;
  key: string;
  genome: unknown;
  status: "ok" | "failed";
  metrics?: Metrics;
  /** Objective values in their own units. */
  values?: number[];
  feasible: boolean;
}

export interface StudyResult {
  /** Charged trials in completion order. */
  trials: CompletedTrial[];
  /** Best-so-far of the first objective after each charged trial (NaN before the first feasible one). */
  curve: number[];
  /** Best trials: top by the first objective (single objective) or the feasible Pareto front. */
  best: CompletedTrial[];
  /** Proposals that were free: constraint-violating, invalid, or duplicates. */
  freeProposals: number;
}

const now = (): string => new Date().toISOString();

export class Study<G> {
  readonly state = new StudyState();
  readonly storage: Storage;
  readonly worker: string;
  private readonly strategy: Strategy<G>;
  private readonly toldThisRun = new Set<string>();
  /** Other workers' finished trials not yet told to the strategy. */
  private foreign: TrialRecord[] = [];
  freeProposals = 0;

  constructor(private readonly o: StudyOptions<G>) {
    if (o.objectives.length === 0)
      throw new KirchhoffError("config", "study: at least one objective is required");
    this.storage = o.storage ?? new MemoryStorage();
    this.worker = o.worker ?? "0";
    const rng = new Rng(o.seed).fork(`strategy/worker:${this.worker}`);
    const c = o.constraints ?? {};
    this.strategy = o.strategy({
      space: o.space,
      rng,
      numObjectives: o.objectives.length,
      feasible: (g) =>
        architectureViolation(o.space, g, c) === null && (o.evaluator.precheck?.(g) ?? null) === null,
    });
  }

  private sync(): void {
    for (const ev of this.storage.readNew()) {
      this.state.apply(ev);
      if ((ev.type === "told" || ev.type === "failed") && ev.worker !== this.worker) {
        const rec = this.state.byTrial.get(ev.trial);
        if (rec) this.foreign.push(rec);
      }
    }
  }

  /** Tells the strategy what other workers sharing the journal have finished. */
  private shareForeign(): void {
    const recs = this.foreign.filter((r) => !this.toldThisRun.has(r.key));
    this.foreign = [];
    for (const r of recs) {
      this.toldThisRun.add(r.key);
      this.strategy.tell([{ ...this.resultOf(r, this.o.space.validate(r.genome)), foreign: true }]);
    }
  }

  /** Reads the storage (e.g. an existing journal) and returns the result so far without running anything. */
  load(): StudyResult {
    this.sync();
    return this.result();
  }

  /** Runs until `budget` trials are charged (counting those already in the journal). */
  async optimize(budget: number): Promise<StudyResult> {
    if (!(Number.isInteger(budget) && budget >= 1))
      throw new KirchhoffError("config", `budget: expected an integer ≥ 1, got ${budget}`);
    this.storage.locked(() => {
      this.sync();
      if (this.state.studyConfig === undefined) {
        const ev: JournalEvent = { type: "study", version: 1, config: this.o.config ?? null, time: now() };
        this.storage.append([ev]);
        this.state.apply(ev);
      }
    });
    const maxIdle = this.o.maxIdleProposals ?? 100_000;
    let idle = 0;
    while (idle < maxIdle) {
      this.shareForeign();
      const [genome] = this.strategy.ask(1);
      if (genome === undefined) break;
      const key = this.o.space.key(genome);
      const violation = architectureViolation(this.o.space, genome, this.o.constraints ?? {});
      const invalid = violation === null ? (this.o.evaluator.precheck?.(genome) ?? null) : null;
      if (violation !== null || invalid !== null) {
        this.freeProposals++;
        idle++;
        this.strategy.tell([{ genome, key, status: violation !== null ? "rejected" : "invalid" }]);
        continue;
      }
      const claim = this.storage.locked(() => this.claim(key, genome, budget));
      if (claim.kind === "full") break;
      if (claim.kind === "known") {
        // Replay of a journaled trial (first time this run) or a duplicate proposal (free).
        if (this.toldThisRun.has(key)) {
          this.freeProposals++;
          idle++;
        } else idle = 0;
        this.toldThisRun.add(key);
        this.strategy.tell([this.resultOf(claim.rec, genome)]);
        continue;
      }
      idle = 0;
      const ev = await this.evaluate(claim.trial, key, genome);
      this.storage.locked(() => {
        this.storage.append([ev]);
        this.sync();
      });
      const rec = this.state.byTrial.get(claim.trial)!;
      this.toldThisRun.add(key);
      this.strategy.tell([this.resultOf(rec, genome)]);
      if (rec.status === "ok" || rec.status === "failed")
        this.o.onTrial?.(this.completed(rec), this.state.completed.length);
    }
    return this.result();
  }

  /** Under the lock: decide whether `key` is known, a re-run of our own pending trial, new, or over budget. */
  private claim(
    key: string,
    genome: G,
    budget: number,
  ): { kind: "known"; rec: TrialRecord } | { kind: "run"; trial: number } | { kind: "full" } {
    this.sync();
    const rec = this.state.byKey.get(key);
    if (rec) {
      if (rec.status === "pending" && rec.worker === this.worker) return { kind: "run", trial: rec.trial };
      return { kind: "known", rec };
    }
    if (this.state.charged() >= budget) return { kind: "full" };
    const trial = this.state.nextTrial;
    const ev: JournalEvent = { type: "asked", trial, worker: this.worker, key, genome, time: now() };
    this.storage.append([ev]);
    this.state.apply(ev);
    return { kind: "run", trial };
  }

  private async evaluate(trial: number, key: string, genome: G): Promise<JournalEvent> {
    const base = { trial, worker: this.worker, key, time: now() };
    let res: Evaluation;
    try {
      res = await this.o.evaluator.evaluate(genome);
    } catch (err) {
      return { type: "failed", ...base, error: err instanceof Error ? err.message : String(err) };
    }
    if (res.status === "invalid") return { type: "invalid", ...base, reason: res.reason };
    return { type: "told", ...base, metrics: res.metrics, cost: res.cost, time: now() };
  }

  /** Strategy-facing result of a journal record. */
  private resultOf(rec: TrialRecord, genome: G): TrialResult<G> {
    if (rec.status === "pending") return { genome, key: rec.key, status: "invalid" }; // another worker's: skip
    if (rec.status === "invalid") return { genome, key: rec.key, status: "invalid" };
    if (rec.status === "failed" || !rec.metrics) return { genome, key: rec.key, status: "failed" };
    const utilities = this.o.objectives.map((o) => utility(o, rec.metrics!));
    const violation = metricViolation(rec.metrics, this.o.constraints ?? {});
    // Feasibility first: an infeasible trial ranks below every feasible one, less violation first.
    const score = violation > 0 ? -1e12 - violation : utilities[0]!;
    return { genome, key: rec.key, status: "ok", metrics: rec.metrics, utilities, violation, score };
  }

  private completed(rec: TrialRecord): CompletedTrial {
    const out: CompletedTrial = {
      trial: rec.trial,
      worker: rec.worker,
      key: rec.key,
      genome: rec.genome,
      status: rec.status === "ok" ? "ok" : "failed",
      feasible: false,
    };
    if (rec.status === "ok" && rec.metrics) {
      out.metrics = rec.metrics;
      out.values = this.o.objectives.map((o) => o.value(rec.metrics!));
      out.feasible = metricViolation(rec.metrics, this.o.constraints ?? {}) === 0;
    }
    return out;
  }

  /** Trials, anytime curve and best trials from the journal as it is now. */
  result(bestCount = 10): StudyResult {
    const trials = this.state.completed.map((r) => this.completed(r));
    const obj = this.o.objectives[0]!;
    const sign = obj.direction === "maximize" ? 1 : -1;
    let best = Number.NEGATIVE_INFINITY;
    const curve = trials.map((t) => {
      if (t.feasible && t.values) best = Math.max(best, sign * t.values[0]!);
      return best === Number.NEGATIVE_INFINITY ? Number.NaN : sign * best;
    });
    return {
      trials,
      curve,
      best: selectBest(trials, this.o.objectives, bestCount),
      freeProposals: this.freeProposals,
    };
  }
}

/** Top trials by the first objective, or the Pareto front (sorted by the first objective) for several. */
export function selectBest(
  trials: readonly CompletedTrial[],
  objectives: readonly Objective[],
  k: number,
): CompletedTrial[] {
  const ok = trials.filter((t) => t.feasible && t.values);
  const u = (t: CompletedTrial) =>
    objectives.map((o, i) => (o.direction === "maximize" ? t.values![i]! : -t.values![i]!));
  const byFirst = (a: CompletedTrial, b: CompletedTrial) => u(b)[0]! - u(a)[0]! || a.trial - b.trial;
  if (objectives.length === 1) return ok.sort(byFirst).slice(0, k);
  const front = ok.filter((t) => !ok.some((o) => o !== t && dominates(u(o), u(t))));
  return front.sort(byFirst);
}
