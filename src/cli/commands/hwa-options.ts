/**
 * HWA flags of `kirchhoff train` (`--hwa-noise`, `--hwa-noise-scale`, `--hwa-time`, `--digital-layers`,
 * `--distill`) turned into `HwaConfig` overrides, validated with clear errors naming the flag.
 */
import { z } from "zod";
import type { AnalogConfig } from "../../analog/index.js";
import { configError, KirchhoffError } from "../../core/index.js";
import { type DigitalLayers, type HwaConfig, hwaConfigFromPreset, parseTimes } from "../../train/index.js";
import { intFlag } from "../flags.js";
import { loadAnalogConfig } from "./presets.js";

/** CLI name of a weight-noise type → `WeightNoiseConfig.type` ("additive" is aihwkit's ADD_NORMAL). */
const NOISE_TYPES = { additive: "addNormal", pcmProg: "pcmProg", chip: "chip" } as const;
const noiseSchema = z.enum(["additive", "pcmProg", "chip"]);
const digitalSchema = z.enum(["none", "depthwise"]);

/** Distillation defaults of the HWA recipe (bench/hwa.ts): α = 0.5, temperature 4 (Hinton et al. 2015). */
export const DEFAULT_DISTILL = { temperature: 4, alpha: 0.5 } as const;

export interface HwaFlags {
  hwa?: string;
  hwaNoise?: string;
  hwaNoiseScale?: string;
  hwaTime?: string;
  digitalLayers?: string;
  distill?: boolean;
  teacher?: string;
  /** `--hwa-bn-calibration`: calibration batches, "0" = off (default: the preset's DEFAULT_BN_CALIBRATION). */
  hwaBnCalibration?: string;
}

/** `--digital-layers` value (default "none"), or a KirchhoffError listing the choices. */
export function parseDigitalLayers(v: string | undefined): DigitalLayers {
  const r = digitalSchema.safeParse(v ?? "none");
  if (!r.success) throw configError("--digital-layers", "none | depthwise", v);
  return r.data;
}

/** One time ("1mo", "3600") in seconds, errors naming `flag`. */
function oneTime(s: string, flag: string): number {
  try {
    const t = parseTimes(s);
    if (t.length === 1 && t[0]! > 0) return t[0]!;
  } catch {
    // reported below with the right flag name
  }
  throw configError(flag, "a time > 0 such as 3600, 1h, 1d, 1mo, 1y", s);
}

/**
 * `--hwa-time`: a fixed drift time ("1mo" → { tInferenceSec }) or a log-uniform range ("1h..1y" →
 * { tRangeSec: [3600, 31536000] }).
 */
export function parseHwaTime(spec: string): { tInferenceSec: number } | { tRangeSec: [number, number] } {
  const parts = spec.split("..");
  if (parts.length === 1) return { tInferenceSec: oneTime(spec, "--hwa-time") };
  if (parts.length !== 2) throw configError("--hwa-time", "a time (1mo) or a range (1h..1y)", spec);
  const lo = oneTime(parts[0]!.trim(), "--hwa-time");
  const hi = oneTime(parts[1]!.trim(), "--hwa-time");
  if (lo > hi) throw configError("--hwa-time", "a range min..max with min <= max", spec);
  return { tRangeSec: [lo, hi] };
}

/**
 * The HWA configuration for `--hwa <preset>` and its flags (null without `--hwa`). The preset's default weight
 * noise is kept unless `--hwa-noise` / `--hwa-noise-scale` / `--hwa-time` change it; a time range needs
 * `--hwa-noise chip`. `loaded`: `--hwa`'s configuration when the caller has read it already.
 */
export function hwaConfigFromFlags(f: HwaFlags, loaded: AnalogConfig | null = null): HwaConfig | null {
  const digitalLayers = parseDigitalLayers(f.digitalLayers);
  if (!f.hwa) {
    for (const [flag, v] of [
      ["--hwa-noise", f.hwaNoise],
      ["--hwa-noise-scale", f.hwaNoiseScale],
      ["--hwa-time", f.hwaTime],
      ["--distill", f.distill],
      ["--hwa-bn-calibration", f.hwaBnCalibration],
    ] as const) {
      if (v !== undefined && v !== false) throw configError(flag, "--hwa <preset> as well", v);
    }
    return null;
  }
  const preset = loaded ?? loadAnalogConfig(f.hwa, "--hwa");
  const base = hwaConfigFromPreset(preset);
  const weightNoise = { ...base.weightNoise };
  if (f.hwaNoise !== undefined) {
    const r = noiseSchema.safeParse(f.hwaNoise);
    if (!r.success) throw configError("--hwa-noise", "additive | pcmProg | chip", f.hwaNoise);
    weightNoise.type = NOISE_TYPES[r.data];
    if (weightNoise.type === "addNormal") {
      delete weightNoise.tInferenceSec;
      // The preset's scale is relative to the programming noise; additive noise is relative to max|W|.
      if (f.hwaNoiseScale === undefined) {
        throw configError(
          "--hwa-noise-scale",
          "a value with --hwa-noise additive (σ / max|W|, e.g. 0.05)",
          undefined,
        );
      }
    }
  }
  if (f.hwaNoiseScale !== undefined) {
    const s = Number(f.hwaNoiseScale);
    if (!(Number.isFinite(s) && s >= 0))
      throw configError("--hwa-noise-scale", "a number >= 0", f.hwaNoiseScale);
    weightNoise.stdDev = s;
  }
  if (f.hwaTime !== undefined) {
    if (weightNoise.type === "addNormal" || weightNoise.type === "none") {
      throw configError(
        "--hwa-time",
        "--hwa-noise pcmProg or chip (additive noise has no drift time)",
        f.hwaTime,
      );
    }
    const t = parseHwaTime(f.hwaTime);
    if ("tRangeSec" in t && weightNoise.type !== "chip") {
      throw configError(
        "--hwa-time",
        "a single time unless --hwa-noise chip (ranges need chip noise)",
        f.hwaTime,
      );
    }
    delete weightNoise.tInferenceSec;
    Object.assign(weightNoise, t);
  }
  if (f.teacher !== undefined && !f.distill) throw configError("--teacher", "--distill as well", f.teacher);
  if (f.distill && !f.teacher) {
    throw new KirchhoffError("config", "--distill needs --teacher <model.safetensors> (the digital model)");
  }
  const calBatches = intFlag(f.hwaBnCalibration, "--hwa-bn-calibration", 0);
  return hwaConfigFromPreset(preset, {
    weightNoise,
    digitalLayers,
    distill: f.distill ? { ...DEFAULT_DISTILL } : null,
    ...(calBatches === undefined ? {} : { bnCalibration: calBatches > 0 ? { batches: calBatches } : null }),
  });
}
