/**
 * Parsing of command-line flag values and JSON inputs, shared by every subcommand. Each failure is one
 * KirchhoffError naming the flag or file, what was expected and what was given
 * (e.g. `--epochs: expected an integer >= 1, got "0"`), so the CLI prints a single line and exits 1.
 */
import { configError, KirchhoffError } from "../core/index.js";
import { readTextFile } from "../nas/index.js";

export interface NumberFlagRule {
  /** Only integers are accepted. */
  integer?: boolean;
  /** Smallest accepted value (inclusive). */
  min?: number;
  /** Only values > 0 are accepted. */
  positive?: boolean;
}

function expectedText(rule: NumberFlagRule): string {
  const kind = rule.integer ? "an integer" : "a number";
  if (rule.positive) return rule.integer ? "a positive integer" : "a positive number";
  return rule.min === undefined ? kind : `${kind} >= ${rule.min}`;
}

/** The number a flag's text denotes (undefined when the flag was not given); rejects "", NaN, ±Infinity. */
export function numberFlag(
  v: string | undefined,
  flag: string,
  rule: NumberFlagRule = {},
): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  const ok =
    v.trim() !== "" &&
    Number.isFinite(x) &&
    (!rule.integer || Number.isInteger(x)) &&
    (!rule.positive || x > 0) &&
    (rule.min === undefined || x >= rule.min);
  if (!ok) throw configError(flag, expectedText(rule), v);
  return x;
}

/** An integer flag with a lower bound (default 1: counts, sizes, epochs). */
export function intFlag(v: string | undefined, flag: string, min = 1): number | undefined {
  return numberFlag(v, flag, { integer: true, min });
}

/** A JSON value given inline as a flag's text. */
export function jsonFlag(flag: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new KirchhoffError("config", `${flag}: not valid JSON (${(err as Error).message}): ${text}`);
  }
}

/** The parsed contents of a JSON file; `what` names the file's role in messages ("config", "genome file"). */
export function readJsonFile(path: string, what: string): unknown {
  const text = readTextFile(path, what);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new KirchhoffError("config", `${what} ${path}: not valid JSON (${(err as Error).message})`);
  }
}
