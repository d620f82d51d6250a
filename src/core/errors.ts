/**
 * Errors that Kirchhoff reports to users. Every error names what was wrong (file, field, expected vs got)
 * so that the CLI can print one clear line instead of a stack trace.
 */
export class KirchhoffError extends Error {
  /** Machine-readable category, e.g. "shape", "config", "io", "data", "backend". */
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "KirchhoffError";
    this.code = code;
  }
}

/**
 * A value as an error message shows it: numbers as JavaScript writes them (NaN, Infinity; JSON would say
 * null), strings quoted, short arrays inline ([2,3], nested up to three levels), longer arrays and typed arrays
 * by their length, objects by their keys: a message names the bad value and never dumps a large one.
 */
export function describeValue(v: unknown, depth = 0): string {
  if (v === null || v === undefined || typeof v === "number" || typeof v === "boolean") return String(v);
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "string") return JSON.stringify(v.length > 120 ? `${v.slice(0, 120)}…` : v);
  if (typeof v === "function") return "a function";
  if (typeof v === "symbol") return v.toString();
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of ${"length" in v ? v.length : v.byteLength}`;
  if (Array.isArray(v)) {
    if (v.length > 16 || depth >= 3) return `an array of ${v.length}`;
    return `[${v.map((e) => describeValue(e, depth + 1)).join(",")}]`;
  }
  const keys = Object.keys(v as object);
  if (keys.length === 0) return "an empty object";
  return `an object with keys ${keys.slice(0, 12).join(", ")}${keys.length > 12 ? ", …" : ""}`;
}

/** Shape mismatch between operands: `shapeError("matmul", "inner dims", [2,3], [4,5])`. */
export function shapeError(op: string, what: string, expected: unknown, got: unknown): KirchhoffError {
  return new KirchhoffError(
    "shape",
    `${op}: ${what}: expected ${describeValue(expected)}, got ${describeValue(got)}`,
  );
}

/** Invalid configuration value: `configError("analog.gMaxMicroSiemens", "> 0", -1)`. */
export function configError(field: string, expected: string, got: unknown, where?: string): KirchhoffError {
  const loc = where ? `${where}: ` : "";
  return new KirchhoffError("config", `${loc}${field}: expected ${expected}, got ${describeValue(got)}`);
}

/** Throws a KirchhoffError("value") when the condition is false. */
export function check(condition: unknown, code: string, message: string): asserts condition {
  if (!condition) throw new KirchhoffError(code, message);
}
