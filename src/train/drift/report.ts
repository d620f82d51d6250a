/** Drift-evaluation results as JSON, CSV and a short text table, written atomically. */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { WeightMapping } from "../../analog/index.js";
import { KirchhoffError, writeFileAtomic } from "../../core/index.js";
import type { DriftSummary } from "./stats.js";

/** CSV header of `driftCsv`. */
export const DRIFT_CSV_COLUMNS = [
  "t_inference_sec",
  "label",
  "accuracy_mean_pct",
  "accuracy_std_pct",
  "reps",
  "digital_accuracy_pct",
  "drop_from_first_pct",
] as const;

/** One row per inference time. */
export function driftCsv(s: DriftSummary): string {
  const first = s.points[0]?.accuracyMean ?? Number.NaN;
  const rows = s.points.map((p) =>
    [
      p.tInferenceSec,
      p.label,
      p.accuracyMean.toFixed(3),
      p.accuracyStd.toFixed(3),
      s.reps,
      s.digitalAccuracy.toFixed(3),
      (first - p.accuracyMean).toFixed(3),
    ].join(","),
  );
  return `${DRIFT_CSV_COLUMNS.join(",")}\n${rows.join("\n")}\n`;
}

/** Fixed-width table for the terminal. */
export function driftTable(s: DriftSummary, title = "accuracy over drift"): string {
  const lines = [
    `${title} (${s.reps} programmings; digital ${s.digitalAccuracy.toFixed(2)} %)`,
    "  time      accuracy (%)        ",
  ];
  for (const p of s.points) {
    lines.push(
      `  ${p.label.padEnd(8)}  ${p.accuracyMean.toFixed(2).padStart(6)} ± ${p.accuracyStd.toFixed(2)}`,
    );
  }
  if (s.dropTo1Month !== null) lines.push(`  drop 1 s → 1 month: ${s.dropTo1Month.toFixed(2)} points`);
  return lines.join("\n");
}

/**
 * One line saying which weights the evaluation put on tiles: "on tiles: 10 layers, 22,016 weights, 262 tiles (more than the chip's 64 cores); digital: …"
 * (every weight tensor left digital, with its size: on purpose, or a layer that toAnalog does not convert).
 */
export function mappingLine(m: WeightMapping): string {
  const n = (v: number) => v.toLocaleString("en-US");
  const digital =
    m.digitalWeights.length === 0
      ? "none"
      : `${n(m.digitalWeights.reduce((a, w) => a + w.size, 0))} weights in ${m.digitalWeights
          .map((w) => w.name)
          .join(", ")}`;
  const cores =
    m.chipCores === null
      ? ""
      : ` (${m.tiles > m.chipCores ? "more than" : "of"} the chip's ${n(m.chipCores)} cores)`;
  return `on tiles: ${m.analogLayers} layers, ${n(m.analogWeights)} weights, ${n(m.tiles)} tiles${cores}; digital: ${digital}`;
}

/** Writes `<prefix>.json` and `<prefix>.csv` into `dir` (created if needed); returns both paths. */
export function writeDriftResults(
  dir: string,
  prefix: string,
  s: DriftSummary,
  extra: Record<string, unknown> = {},
): { json: string; csv: string } {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new KirchhoffError("io", `cannot create output folder ${dir}: ${(e as Error).message}`);
  }
  const json = join(dir, `${prefix}.json`);
  const csv = join(dir, `${prefix}.csv`);
  writeFileAtomic(json, `${JSON.stringify({ ...extra, ...s }, null, 2)}\n`);
  writeFileAtomic(csv, driftCsv(s));
  return { json, csv };
}
