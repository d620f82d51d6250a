/** Reading a UTF-8 text file whose failure names the file and the OS reason (ENOENT, EACCES, …). */
import { readFileSync } from "node:fs";
import { KirchhoffError } from "../../core/index.js";

/**
 * The whole file at `path` as UTF-8 text. A missing or unreadable file throws an "io" KirchhoffError
 * "`what` `path`: cannot read (CODE)"; `what` (e.g. "search config") is omitted when not given.
 */
export function readTextFile(path: string, what?: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    const where = what === undefined ? path : `${what} ${path}`;
    throw new KirchhoffError(
      "io",
      `${where}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
}
