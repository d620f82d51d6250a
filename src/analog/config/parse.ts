/** Turns zod validation failures into one clear KirchhoffError naming every bad field. */

import type { z } from "zod";
import { describeValue, KirchhoffError } from "../../core/index.js";

/** Parses `value` with `schema`; on failure throws KirchhoffError("config") listing path, problem and value. */
export function parseConfig<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const res = schema.safeParse(value, { reportInput: true });
  if (res.success) return res.data;
  const issues = res.error.issues.map((i) => {
    const path = i.path.length > 0 ? i.path.join(".") : "(root)";
    // an unknown key's message names it; the object around it would only bury it
    const got = i.code === "unrecognized_keys" || !("input" in i) ? "" : gotText(fieldValue(i.input, i.path));
    return `${path}: ${i.message}${got}`;
  });
  throw new KirchhoffError("config", `${where}: invalid configuration: ${issues.join("; ")}`);
}

/**
 * The bad field's own value: a discriminated union reports the whole object as its input with the path of
 * the discriminator (`noiseModel.type`), so the value under the last path key is what was wrong.
 */
function fieldValue(input: unknown, path: readonly PropertyKey[]): unknown {
  const key = path.at(-1);
  if (input === null || typeof input !== "object" || Array.isArray(input) || typeof key !== "string")
    return input;
  return key in input ? (input as Record<string, unknown>)[key] : input;
}

/** " (got …)" for a bad value (describeValue), nothing when zod gave none. */
function gotText(input: unknown): string {
  return input === undefined ? "" : ` (got ${describeValue(input)})`;
}
