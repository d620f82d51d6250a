/**
 * Bookkeeping of accuracy-over-drift experiments: per inference time the mean and sample standard deviation
 * over independent programmings, the drop from 1 s to 1 month, and human-readable time labels.
 */
import { configError } from "../../core/index.js";

/** Default inference times after programming, seconds: 1 s, 1 h, 1 day, 1 month (30 d), 1 year (365 d). */
export const DEFAULT_DRIFT_TIMES_SEC: readonly number[] = [1, 3600, 86_400, 2_592_000, 31_536_000];
export const ONE_MONTH_SEC = 2_592_000;

export interface DriftPoint {
  tInferenceSec: number;
  label: string;
  /** Percent, mean over repetitions. */
  accuracyMean: number;
  /** Percent, sample standard deviation (n − 1; 0 for a single repetition). */
  accuracyStd: number;
  /** Accuracy of each repetition (percent). */
  accuracies: number[];
}

export interface DriftSummary {
  points: DriftPoint[];
  reps: number;
  /** Digital (floating-point) accuracy of the same model on the same data, percent. */
  digitalAccuracy: number;
  /** mean(first time ≈ 1 s) − mean(1 month), percentage points; null when either time is missing. */
  dropTo1Month: number | null;
}

/** "1 s", "1 h", "1 d", "30 d" (1 month), "1 y", or seconds with a unit for anything else. */
export function timeLabel(sec: number): string {
  const units: [number, string][] = [
    [31_536_000, "y"],
    [2_592_000, "mo"],
    [86_400, "d"],
    [3600, "h"],
    [60, "min"],
    [1, "s"],
  ];
  for (const [u, name] of units) {
    if (sec >= u && Number.isInteger(sec / u)) return `${sec / u} ${name}`;
  }
  return `${sec} s`;
}

/** Mean and sample standard deviation. */
export function meanStd(xs: readonly number[]): { mean: number; std: number } {
  if (xs.length === 0) throw configError("meanStd", "at least one value", xs.length);
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  if (xs.length < 2) return { mean, std: 0 };
  const ss = xs.reduce((a, b) => a + (b - mean) * (b - mean), 0);
  return { mean, std: Math.sqrt(ss / (xs.length - 1)) };
}

/**
 * accuracies[rep][timeIndex] (percent) → summary. The drop is taken from the earliest time (the 1 s read) to
 * 1 month (2,592,000 s).
 */
export function summarizeDrift(
  times: readonly number[],
  accuracies: readonly (readonly number[])[],
  digitalAccuracy: number,
): DriftSummary {
  if (accuracies.length === 0) throw configError("drift repetitions", ">= 1", 0);
  for (const [r, row] of accuracies.entries()) {
    if (row.length !== times.length)
      throw configError(`drift accuracies[${r}] length`, String(times.length), row.length);
  }
  const points = times.map((t, i) => {
    const col = accuracies.map((row) => row[i]!);
    const { mean, std } = meanStd(col);
    return { tInferenceSec: t, label: timeLabel(t), accuracyMean: mean, accuracyStd: std, accuracies: col };
  });
  const first = points.reduce<DriftPoint | null>(
    (a, p) => (a === null || p.tInferenceSec < a.tInferenceSec ? p : a),
    null,
  );
  const month = points.find((p) => p.tInferenceSec === ONE_MONTH_SEC);
  return {
    points,
    reps: accuracies.length,
    digitalAccuracy,
    dropTo1Month: first && month && first !== month ? first.accuracyMean - month.accuracyMean : null,
  };
}

/** Parses "1,3600,1d,1mo,1y"-style lists: plain seconds or a number with s/min/h/d/mo/y. */
export function parseTimes(spec: string): number[] {
  const mult: Record<string, number> = { s: 1, min: 60, h: 3600, d: 86_400, mo: 2_592_000, y: 31_536_000 };
  const out = spec.split(",").map((raw) => {
    const s = raw.trim();
    const m = /^(\d+(?:\.\d+)?)\s*(s|min|h|d|mo|y)?$/.exec(s);
    if (!m) throw configError("--times", "comma-separated times such as 1,3600,1d,1mo,1y", s);
    return Number(m[1]) * mult[m[2] ?? "s"]!;
  });
  if (out.length === 0) throw configError("--times", "at least one time", spec);
  return out;
}
