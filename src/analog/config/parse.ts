/** Turns zod validation failures into one clear KirchhoffError naming every bad field. */

import type { z } from "zod";
import { KirchhoffError } from "../../core/index.js";

/** Parses `value` with `schema`; on failure throws KirchhoffError("config") listing path, problem and value. */
export function parseConfig<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const res = schema.safeParse(value, { reportInput: true });
  if (res.success) return res.data;
  const issues = res.error.issues.map((i) => {
    const path = i.path.length > 0 ? i.path.join(".") : "(root)";
    const got = "input" in i && i.input !== undefined ? ` (got ${JSON.stringify(i.input)})` : "";
    return `${path}: ${i.message}${got}`;
  });
  throw new KirchhoffError("config", `${where}: invalid configuration: ${issues.join("; ")}`);
}
