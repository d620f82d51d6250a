/**
 * Analog configurations written by users as JSON (a chip of their own): either a whole configuration (as
 * `kirchhoff presets <name>` prints one) or one that `extends` a preset and overrides some of its fields, e.g.
 *   { "extends": "hermes", "forward": { "outNoise": 0.02 }, "mapping": { "maxInputSize": 512 } }
 * The result is validated like every preset (analogConfig): unknown keys and bad values are errors naming
 * the field, never silently ignored.
 */
import { configError } from "../../core/index.js";
import { type AnalogConfig, analogConfig } from "./analog-config.js";
import { PRESET_NAMES, presetInput } from "./presets.js";

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * `over` laid over `base`: objects merge key by key; anything else (numbers, strings, arrays, null) replaces.
 * An object whose `type` differs from the base's (another noise model or converter) replaces it whole: the
 * fields of one type mean nothing to another.
 */
export function mergeConfig(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  if ("type" in over && over.type !== base.type) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = Object.hasOwn(base, k) ? mergeConfig(base[k], v) : v;
  return out;
}

/**
 * The validated configuration a parsed JSON value describes; `where` names its source in errors (e.g. the
 * file). Without a `name` field the configuration is called `defaultName` (a preset's own name would
 * hide that it was changed).
 */
export function analogConfigFromJson(value: unknown, where: string, defaultName = "custom"): AnalogConfig {
  if (!isPlainObject(value)) throw configError(where, "a JSON object holding an analog configuration", value);
  const { extends: base, ...fields } = value;
  const named = { name: defaultName, ...fields };
  if (base === undefined) return analogConfig(named, where);
  if (typeof base !== "string" || !PRESET_NAMES.includes(base)) {
    throw configError(`${where}: extends`, `one of ${PRESET_NAMES.join(", ")}`, base);
  }
  return analogConfig(mergeConfig(presetInput(base), named), where);
}
