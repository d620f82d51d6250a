/**
 * Feature/target files for fitting and evaluating surrogates (`kirchhoff surrogate fit|eval`):
 *  - JSON: { "X": [[...], ...], "y": [...], "featureNames"?: [...] };
 *  - CSV: a header, a target column and feature columns (default: every other column); cells may be numbers or
 *    "mean ± std" (the mean is used); an empty feature cell is a missing value (NaN); rows with an empty target
 *    are skipped and counted;
 *  - CSV with featurize "nb201": an AnalogNAS-Bench table; features = nb201Features(architecture key).
 */
import { KirchhoffError } from "../../core/index.js";
import { NB201_FEATURE_NAMES, nb201Features } from "../surrogate/index.js";
import { parseMetricCell } from "./cell.js";
import { parseCsv } from "./csv.js";
import { readTextFile } from "./read-text.js";
import { closeMatches } from "./suggest.js";
import { TabularTable } from "./table.js";

export interface FeatureData {
  X: number[][];
  y: number[];
  featureNames: string[];
  /** Rows skipped because the target was missing. */
  skipped: number;
}

export interface FeatureDataOptions {
  /** Target column (CSV) — required for CSV input, ignored for JSON. */
  target?: string;
  /** Feature columns (CSV); default every column except the target. */
  features?: string[];
  /** Build features from the architecture key instead of columns. */
  featurize?: "nb201";
  /** Key columns for featurize "nb201" (default: "architecture" or e1..e6). */
  keyColumns?: string[];
}

/** Loads X and y from a .json or .csv file; every problem names the file (and line/column for CSV). */
export function loadFeatureData(path: string, opts: FeatureDataOptions = {}): FeatureData {
  const text = readTextFile(path);
  if (path.toLowerCase().endsWith(".json")) return fromJson(text, path);
  if (!opts.target) throw new KirchhoffError("config", `${path}: a CSV needs the target column (--target)`);
  if (opts.featurize === "nb201") return fromNb201(text, path, opts.target, opts.keyColumns);
  return fromCsv(text, path, opts.target, opts.features);
}

function fromJson(text: string, path: string): FeatureData {
  let o: { X?: unknown; y?: unknown; featureNames?: unknown };
  try {
    o = JSON.parse(text);
  } catch (err) {
    throw new KirchhoffError("data", `${path}: not valid JSON (${(err as Error).message})`);
  }
  const X = o?.X;
  const y = o?.y;
  if (!Array.isArray(X) || !Array.isArray(y))
    throw new KirchhoffError("data", `${path}: expected {"X": [[...]], "y": [...]}`);
  if (X.length !== y.length)
    throw new KirchhoffError("data", `${path}: X has ${X.length} rows, y has ${y.length} values`);
  const d = Array.isArray(X[0]) ? X[0].length : 0;
  X.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== d || row.some((v) => typeof v !== "number" && v !== null)) {
      throw new KirchhoffError("data", `${path}: X[${i}]: expected ${d} numbers (null for missing)`);
    }
  });
  y.forEach((v, i) => {
    if (typeof v !== "number")
      throw new KirchhoffError("data", `${path}: y[${i}]: expected a number, got ${JSON.stringify(v)}`);
  });
  const names = Array.isArray(o.featureNames)
    ? o.featureNames.map(String)
    : Array.from({ length: d }, (_, j) => `f${j}`);
  return {
    X: (X as (number | null)[][]).map((r) => r.map((v) => (v === null ? Number.NaN : v))),
    y: y as number[],
    featureNames: names,
    skipped: 0,
  };
}

function fromCsv(text: string, path: string, target: string, features?: string[]): FeatureData {
  const recs = parseCsv(text, path);
  if (recs.length === 0) throw new KirchhoffError("data", `${path}: empty file`);
  const header = recs[0]!.fields.map((h) => h.trim());
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0)
      throw new KirchhoffError(
        "data",
        `${path}: no column "${name}" (closest: ${closeMatches(name, header)})`,
      );
    return i;
  };
  const ti = col(target);
  const names = features ?? header.filter((h) => h !== target);
  const fi = names.map(col);
  const X: number[][] = [];
  const y: number[] = [];
  let skipped = 0;
  for (const rec of recs.slice(1)) {
    if (rec.fields.length !== header.length) {
      throw new KirchhoffError(
        "data",
        `${path}: line ${rec.line}: ${rec.fields.length} fields, the header has ${header.length}`,
      );
    }
    const cell = (i: number) => {
      const v = parseMetricCell(rec.fields[i]!);
      if (v === undefined) {
        throw new KirchhoffError(
          "data",
          `${path}: line ${rec.line}, column "${header[i]}": expected a number, got ${JSON.stringify(rec.fields[i])}`,
        );
      }
      return v === null ? Number.NaN : v.mean;
    };
    const t = cell(ti);
    if (Number.isNaN(t)) {
      skipped++;
      continue;
    }
    y.push(t);
    X.push(fi.map(cell));
  }
  return { X, y, featureNames: names, skipped };
}

function fromNb201(text: string, path: string, target: string, keyColumns?: string[]): FeatureData {
  const table = TabularTable.fromCsv(text, { source: path, ...(keyColumns ? { keyColumns } : {}) });
  const keys = table.keysWith(target);
  return {
    X: keys.map((k) => nb201Features(table.keyNumbers(k))),
    y: keys.map((k) => table.get(k, target)!.mean),
    featureNames: [...NB201_FEATURE_NAMES],
    skipped: table.size - keys.length,
  };
}
