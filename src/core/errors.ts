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

/** Shape mismatch between operands: `shapeError("matmul", "inner dims", [2,3], [4,5])`. */
export function shapeError(op: string, what: string, expected: unknown, got: unknown): KirchhoffError {
  return new KirchhoffError(
    "shape",
    `${op}: ${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(got)}`,
  );
}

/** Invalid configuration value: `configError("analog.gMaxMicroSiemens", "> 0", -1)`. */
export function configError(field: string, expected: string, got: unknown, where?: string): KirchhoffError {
  const loc = where ? `${where}: ` : "";
  return new KirchhoffError("config", `${loc}${field}: expected ${expected}, got ${JSON.stringify(got)}`);
}

/** Throws a KirchhoffError("value") when the condition is false. */
export function check(condition: unknown, code: string, message: string): asserts condition {
  if (!condition) throw new KirchhoffError(code, message);
}
