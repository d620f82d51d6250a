/**
 * Helpers for the aihwkit oracle tests: loading pcm_oracle.json, time keys, and Monte-Carlo comparisons
 * with standard errors computed from the data (so tolerances follow the stated sample sizes).
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

export const ORACLE_PATH =
  process.env.KIRCHHOFF_PCM_ORACLE ?? "/work/shared/reference/analog/pcm_oracle.json";

// biome-ignore lint/suspicious/noExplicitAny: the oracle is free-form JSON written by Python
export type Json = any;

let cached: Json | null = null;
/** The parsed oracle file (read once per test process). */
export function oracle(): Json {
  cached ??= JSON.parse(readFileSync(ORACLE_PATH, "utf8"));
  return cached;
}

const UNIT_SEC: Record<string, number> = {
  s: 1,
  m: 60,
  min: 60,
  h: 3600,
  d: 86400,
  w: 604800,
  y: 365 * 86400,
};

/** Seconds for an oracle time key ("0s", "1h", "30d", ...): meta.times_s first, else parsed from the key. */
export function timeKeySeconds(key: string): number {
  const t = oracle().meta?.times_s?.[key];
  if (typeof t === "number") return t;
  const m = /^([0-9.]+)\s*([a-z]+)$/.exec(key);
  assert.ok(m && UNIT_SEC[m[2]!] !== undefined, `cannot parse oracle time key ${JSON.stringify(key)}`);
  return Number(m[1]) * UNIT_SEC[m[2]!]!;
}

/** Streaming moments of many samples of many quantities (float64). */
export class Moments {
  readonly n: Float64Array;
  private readonly s1: Float64Array;
  private readonly s2: Float64Array;
  private readonly s3: Float64Array;
  private readonly s4: Float64Array;
  private readonly shift: Float64Array;
  constructor(readonly size: number) {
    this.shift = new Float64Array(size);
    this.n = new Float64Array(size);
    this.s1 = new Float64Array(size);
    this.s2 = new Float64Array(size);
    this.s3 = new Float64Array(size);
    this.s4 = new Float64Array(size);
  }
  /** Adds one sample of quantities offset, offset+1, ... */
  add(values: ArrayLike<number>, offset = 0): void {
    for (let i = 0; i < values.length; i++) this.addOne(offset + i, values[i]!);
  }
  /** Adds many samples of quantity i. */
  addSamples(i: number, values: ArrayLike<number>): void {
    for (let k = 0; k < values.length; k++) this.addOne(i, values[k]!);
  }
  addOne(i: number, raw: number): void {
    if (this.n[i] === 0) this.shift[i] = raw; // shifted sums avoid cancellation for tiny spreads
    const v = raw - this.shift[i]!;
    const v2 = v * v;
    this.n[i]! += 1;
    this.s1[i]! += v;
    this.s2[i]! += v2;
    this.s3[i]! += v2 * v;
    this.s4[i]! += v2 * v2;
  }
  mean(i: number): number {
    return this.shift[i]! + this.s1[i]! / this.n[i]!;
  }
  /** Mean of the shifted values (used for central moments). */
  private shiftedMean(i: number): number {
    return this.s1[i]! / this.n[i]!;
  }
  /** Unbiased sample std. */
  std(i: number): number {
    const n = this.n[i]!;
    const m = this.shiftedMean(i);
    return Math.sqrt(Math.max(0, (this.s2[i]! / n - m * m) * (n / (n - 1))));
  }
  /** Central fourth moment. */
  m4(i: number): number {
    const n = this.n[i]!;
    const m = this.shiftedMean(i);
    const e2 = this.s2[i]! / n;
    const e3 = this.s3[i]! / n;
    const e4 = this.s4[i]! / n;
    return Math.max(0, e4 - 4 * m * e3 + 6 * m * m * e2 - 3 * m ** 4);
  }
}

/** Number of standard errors allowed (many comparisons per run; a seeded run is deterministic anyway). */
export const Z = 5;

/**
 * Asserts that our sample mean and std of quantity i (nOurs samples in `mom`) agree with the oracle's
 * (nOracle samples) within Z combined standard errors. The std's standard error uses the sample kurtosis:
 * se(s) ≈ sqrt((m4 − s⁴) / (4 s² n)). `extraRel` adds a relative tolerance for known systematic effects.
 */
export function assertMoments(
  label: string,
  mom: Moments,
  i: number,
  oracleMean: number | undefined,
  oracleStd: number | undefined,
  nOracle: number,
  extraRel = 0,
): void {
  const n = mom.n[i]!;
  const s = mom.std(i);
  const m4 = mom.m4(i);
  if (oracleMean !== undefined) {
    const se = s * Math.sqrt(1 / n + 1 / nOracle);
    const tol = Z * se + extraRel * Math.abs(oracleMean) + 1e-7;
    const got = mom.mean(i);
    assert.ok(
      Math.abs(got - oracleMean) <= tol,
      `${label} mean: got ${got}, oracle ${oracleMean}, tol ${tol}`,
    );
  }
  if (oracleStd !== undefined) {
    const varS = s > 0 ? (m4 - s ** 4) / (4 * s * s) : 0;
    const se = Math.sqrt(Math.max(varS, 0) * (1 / n + 1 / nOracle));
    const tol = Z * se + extraRel * oracleStd + 1e-7;
    assert.ok(Math.abs(s - oracleStd) <= tol, `${label} std: got ${s}, oracle ${oracleStd}, tol ${tol}`);
  }
}
