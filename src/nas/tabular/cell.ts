/**
 * Metric cells of benchmark tables: "mean ± std", "mean +- std", "mean +/- std", a plain number, or empty /
 * "nan" / "NA" for a missing measurement.
 */
export interface MetricValue {
  mean: number;
  /** Spread as written in the table ("± std"); undefined for plain numbers. */
  std: number | undefined;
}

const NUM = "[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?";
const WITH_STD = new RegExp(`^(${NUM})\\s*(?:±|\\+-|\\+/-)\\s*(${NUM})$`);
const PLAIN = new RegExp(`^${NUM}$`);
const MISSING = new Set(["", "nan", "na", "n/a", "null", "none", "-"]);

/** Parses one cell: a MetricValue, null for a missing value, or undefined when the text is not a metric. */
export function parseMetricCell(text: string): MetricValue | null | undefined {
  const s = text.trim();
  if (MISSING.has(s.toLowerCase())) return null;
  const m = WITH_STD.exec(s);
  if (m) return { mean: Number(m[1]), std: Number(m[2]) };
  if (PLAIN.test(s)) return { mean: Number(s), std: undefined };
  return undefined;
}
