/** The study's view of its journal: every trial by key and number, budget accounting, the told order. */
import type { Metrics } from "../objective/objectives.js";
import type { JournalEvent } from "./journal.js";

export interface TrialRecord {
  trial: number;
  worker: string;
  key: string;
  genome: unknown;
  status: "pending" | "ok" | "failed" | "invalid";
  metrics?: Metrics;
  cost?: number;
  error?: string;
}

export class StudyState {
  readonly byKey = new Map<string, TrialRecord>();
  readonly byTrial = new Map<number, TrialRecord>();
  /** Charged trials (ok or failed) in the order they were told. */
  readonly completed: TrialRecord[] = [];
  studyConfig: unknown = undefined;
  nextTrial = 0;

  apply(ev: JournalEvent): void {
    switch (ev.type) {
      case "study":
        if (this.studyConfig === undefined) this.studyConfig = ev.config;
        return;
      case "asked": {
        this.nextTrial = Math.max(this.nextTrial, ev.trial + 1);
        if (this.byTrial.has(ev.trial)) return; // a re-run of a pending trial re-announces nothing new
        const rec: TrialRecord = {
          trial: ev.trial,
          worker: ev.worker,
          key: ev.key,
          genome: ev.genome,
          status: "pending",
        };
        this.byTrial.set(ev.trial, rec);
        if (!this.byKey.has(ev.key)) this.byKey.set(ev.key, rec);
        return;
      }
      default: {
        const rec = this.byTrial.get(ev.trial);
        if (rec?.status !== "pending") return; // unknown or already finished: ignore duplicates
        if (ev.type === "told") {
          rec.status = "ok";
          rec.metrics = ev.metrics;
          rec.cost = ev.cost;
          this.completed.push(rec);
        } else if (ev.type === "failed") {
          rec.status = "failed";
          rec.error = ev.error;
          this.completed.push(rec);
        } else {
          rec.status = "invalid";
        }
      }
    }
  }

  /** Trials counted against the budget: finished (ok/failed) plus pending ones. */
  charged(): number {
    let pending = 0;
    for (const r of this.byTrial.values()) if (r.status === "pending") pending++;
    return this.completed.length + pending;
  }

  pendingOf(worker: string): TrialRecord[] {
    return [...this.byTrial.values()].filter((r) => r.status === "pending" && r.worker === worker);
  }
}
