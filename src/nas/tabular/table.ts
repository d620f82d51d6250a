/**
 * A tabular NAS benchmark (AnalogNAS-Bench style): one row per architecture, key column(s) naming the
 * architecture, and metric columns holding "mean ± std" or plain numbers. Keys are canonical strings: the key
 * cells' tokens joined by "," — "(0, 4, 0, 2, 2, 3)" in one `architecture` column and e1..e6 columns holding
 * 0,4,0,2,2,3 both give "0,4,0,2,2,3"; lookups accept that string, any spelling of it, or the number array.
 */
import { KirchhoffError } from "../../core/index.js";
import { type MetricValue, parseMetricCell } from "./cell.js";
import { parseCsv } from "./csv.js";
import { readTextFile } from "./read-text.js";
import { closeMatches } from "./suggest.js";

export type TabularKey = string | readonly number[];

export interface TabularOptions {
  /** Columns forming the architecture key; default "architecture" if present, else e1..e6 if present. */
  keyColumns?: string[];
  /** Columns to ignore (e.g. free-text notes); every other non-key column must hold metric cells. */
  ignoreColumns?: string[];
  /** Repeated keys: keep the "first" row (default) or fail with an "error". */
  onDuplicate?: "first" | "error";
  /** Name of the source in error messages (the file path when loaded with loadTabularCsv). */
  source?: string;
}

/** A cell that was read as missing because it does not match its column's format. */
export interface TabularAnomaly {
  line: number;
  column: string;
  text: string;
  reason: string;
}

export interface TabularRow {
  key: string;
  /** 1-based line in the source file. */
  line: number;
  /** Metric name → value, or null when the cell is missing. */
  values: Record<string, MetricValue | null>;
}

/** Canonical key string of a key given as a string (any spacing/brackets) or as numbers. */
export function canonicalKey(key: TabularKey): string {
  if (typeof key !== "string") return key.join(",");
  return key
    .replace(/[()[\]{}]/g, "")
    .split(",")
    .map((t) => t.trim())
    .join(",");
}

export class TabularTable {
  readonly source: string;
  /** All header columns, in file order. */
  readonly columns: readonly string[];
  readonly keyColumns: readonly string[];
  /** Metric columns (every column that is neither a key nor ignored). */
  readonly metrics: readonly string[];
  /** Keys that appeared on more than one row (only the first row of each is used). */
  readonly duplicateKeys: readonly string[];
  /**
   * Cells treated as missing because they break their column's format: a plain number in a column of
   * "mean ± std" cells (nb201_cifar10_partial.csv line 1641 has "8" for finetuned_drift_86400, a truncated cell).
   */
  readonly anomalies: readonly TabularAnomaly[];
  private readonly byKey = new Map<string, TabularRow>();
  private readonly allRows: TabularRow[];

  private constructor(
    source: string,
    columns: string[],
    keyColumns: string[],
    metrics: string[],
    rows: TabularRow[],
    dup: string[],
    anomalies: TabularAnomaly[],
  ) {
    this.source = source;
    this.anomalies = anomalies;
    this.columns = columns;
    this.keyColumns = keyColumns;
    this.metrics = metrics;
    this.allRows = rows;
    this.duplicateKeys = dup;
    for (const r of rows) if (!this.byKey.has(r.key)) this.byKey.set(r.key, r);
  }

  /** Parses CSV text (see TabularOptions). */
  static fromCsv(text: string, opts: TabularOptions = {}): TabularTable {
    const source = opts.source ?? "table";
    const records = parseCsv(text, source);
    if (records.length === 0) throw new KirchhoffError("data", `${source}: empty file (no header line)`);
    const header = records[0]!.fields.map((h) => h.trim());
    const seen = new Set<string>();
    for (const h of header) {
      if (h === "") throw new KirchhoffError("data", `${source}: line 1: empty column name in header`);
      if (seen.has(h)) throw new KirchhoffError("data", `${source}: line 1: column "${h}" appears twice`);
      seen.add(h);
    }
    const keyColumns = opts.keyColumns ?? defaultKeyColumns(header, source);
    for (const k of [...keyColumns, ...(opts.ignoreColumns ?? [])]) {
      if (!seen.has(k)) {
        throw new KirchhoffError(
          "data",
          `${source}: no column "${k}" (columns: ${header.join(", ")}; closest: ${closeMatches(k, header)})`,
        );
      }
    }
    const keyIdx = keyColumns.map((k) => header.indexOf(k));
    const skip = new Set([...keyColumns, ...(opts.ignoreColumns ?? [])]);
    const metrics = header.filter((h) => !skip.has(h));
    const metricIdx = metrics.map((m) => header.indexOf(m));
    const rows: TabularRow[] = [];
    const firstLine = new Map<string, number>();
    const dup: string[] = [];
    for (const rec of records.slice(1)) {
      if (rec.fields.length !== header.length) {
        throw new KirchhoffError(
          "data",
          `${source}: line ${rec.line}: ${rec.fields.length} fields, the header has ${header.length}`,
        );
      }
      const key = keyIdx.map((i) => canonicalKey(rec.fields[i]!)).join(",");
      if (key.split(",").some((t) => t === "")) {
        throw new KirchhoffError(
          "data",
          `${source}: line ${rec.line}: empty architecture key in ${keyColumns.join(", ")}`,
        );
      }
      const values: Record<string, MetricValue | null> = {};
      metrics.forEach((m, j) => {
        const cell = rec.fields[metricIdx[j]!]!;
        const v = parseMetricCell(cell);
        if (v === undefined) {
          throw new KirchhoffError(
            "data",
            `${source}: line ${rec.line}, column "${m}": expected a number, "mean ± std" or empty, got ${JSON.stringify(cell)}`,
          );
        }
        values[m] = v;
      });
      const prev = firstLine.get(key);
      if (prev !== undefined) {
        if (opts.onDuplicate === "error") {
          throw new KirchhoffError(
            "data",
            `${source}: line ${rec.line}: architecture ${key} already on line ${prev}`,
          );
        }
        dup.push(key);
      } else firstLine.set(key, rec.line);
      rows.push({ key, line: rec.line, values });
    }
    const anomalies = flagMixedFormats(rows, metrics);
    return new TabularTable(source, header, keyColumns, metrics, rows, [...new Set(dup)], anomalies);
  }

  /** Number of distinct architectures. */
  get size(): number {
    return this.byKey.size;
  }

  /** Distinct architecture keys in file order. */
  keys(): string[] {
    return [...this.byKey.keys()];
  }

  /** The key's tokens as numbers (e.g. NB201 op ids); throws when a token is not numeric. */
  keyNumbers(key: TabularKey): number[] {
    const k = canonicalKey(key);
    return k.split(",").map((t) => {
      const v = Number(t);
      if (t === "" || !Number.isFinite(v))
        throw new KirchhoffError("data", `${this.source}: key "${k}" is not numeric`);
      return v;
    });
  }

  has(key: TabularKey): boolean {
    return this.byKey.has(canonicalKey(key));
  }

  /** One row per distinct architecture (the first one for repeated keys), in file order. */
  rows(): TabularRow[] {
    return [...this.byKey.values()];
  }

  /** Every data row of the file, repeated keys included. */
  rawRows(): readonly TabularRow[] {
    return this.allRows;
  }

  /**
   * The metric of an architecture; null when that row's cell is empty (a missing measurement). Throws a
   * KirchhoffError for an unknown architecture or metric, listing close matches.
   */
  get(key: TabularKey, metric: string): MetricValue | null {
    this.checkMetric(metric);
    const k = canonicalKey(key);
    const row = this.byKey.get(k);
    if (!row) {
      throw new KirchhoffError(
        "data",
        `${this.source}: unknown architecture "${k}" (closest: ${closeMatches(k, this.byKey.keys())})`,
      );
    }
    return row.values[metric] ?? null;
  }

  /** Keys whose every metric is present, in file order. */
  completeKeys(): string[] {
    return this.rows()
      .filter((r) => this.metrics.every((m) => r.values[m] !== null))
      .map((r) => r.key);
  }

  /** Keys whose metric is present (not missing), in file order. */
  keysWith(metric: string): string[] {
    this.checkMetric(metric);
    return this.rows()
      .filter((r) => r.values[metric] !== null)
      .map((r) => r.key);
  }

  /** Throws a KirchhoffError naming close matches when the metric is not a column of this table. */
  checkMetric(metric: string): void {
    if (!this.metrics.includes(metric)) {
      throw new KirchhoffError(
        "data",
        `${this.source}: unknown metric "${metric}" (closest: ${closeMatches(metric, this.metrics)})`,
      );
    }
  }
}

/** Reads and parses a CSV file; errors name the file. */
export function loadTabularCsv(path: string, opts: Omit<TabularOptions, "source"> = {}): TabularTable {
  const text = readTextFile(path);
  return TabularTable.fromCsv(text, { ...opts, source: path });
}

/** In columns holding "mean ± std" cells, plain-number cells are malformed: set them missing and report them. */
function flagMixedFormats(rows: TabularRow[], metrics: readonly string[]): TabularAnomaly[] {
  const out: TabularAnomaly[] = [];
  for (const m of metrics) {
    if (!rows.some((r) => r.values[m]?.std !== undefined)) continue;
    for (const r of rows) {
      const v = r.values[m];
      if (v && v.std === undefined) {
        out.push({
          line: r.line,
          column: m,
          text: String(v.mean),
          reason: 'plain number in a "mean ± std" column',
        });
        r.values[m] = null;
      }
    }
  }
  return out;
}

function defaultKeyColumns(header: string[], source: string): string[] {
  if (header.includes("architecture")) return ["architecture"];
  const edges = ["e1", "e2", "e3", "e4", "e5", "e6"];
  if (edges.every((e) => header.includes(e))) return edges;
  throw new KirchhoffError(
    "data",
    `${source}: no "architecture" or e1..e6 columns; name the key columns (keyColumns / --key-columns)`,
  );
}
