/**
 * Chooses the kernel backend. `KIRCHHOFF_BACKEND` = `native` | `js` | `auto` (default). In auto mode the
 * native addon is used when it loads; otherwise Kirchhoff prints one warning line and uses the TypeScript
 * reference kernels. Requesting `native` explicitly when it cannot load is an error.
 */
import { KirchhoffError } from "../errors.js";
import { jsBackend } from "./js/index.js";
import { loadNativeBackend } from "./native/index.js";
import type { KernelBackend } from "./types.js";

export type BackendName = "js" | "native" | "auto";

let current: KernelBackend | null = null;
let native: KernelBackend | null | undefined;
let nativeError: string | null = null;
let warned = false;

function tryNative(): KernelBackend | null {
  if (native !== undefined) return native;
  try {
    native = loadNativeBackend();
  } catch (err) {
    native = null;
    nativeError = err instanceof Error ? err.message : String(err);
  }
  return native;
}

function parseName(raw: string | undefined): BackendName {
  const v = (raw ?? "auto").trim().toLowerCase();
  if (v === "" || v === "auto") return "auto";
  if (v === "js" || v === "native") return v;
  throw new KirchhoffError(
    "backend",
    `KIRCHHOFF_BACKEND: expected "native", "js" or "auto", got ${JSON.stringify(raw)}`,
  );
}

/** Selects a backend by name; throws a clear error when `native` is requested but unavailable. */
export function setBackend(name: BackendName): KernelBackend {
  if (name === "js") {
    current = jsBackend;
  } else {
    const nb = tryNative();
    if (nb) current = nb;
    else if (name === "native") {
      throw new KirchhoffError("backend", `native kernel backend unavailable: ${nativeError}`);
    } else {
      if (!warned && process.env.KIRCHHOFF_QUIET_BACKEND !== "1") {
        process.stderr.write(
          `kirchhoff: warning: native kernels unavailable (${nativeError}); using the slower TypeScript kernels\n`,
        );
      }
      warned = true;
      current = jsBackend;
    }
  }
  return current;
}

/** The backend in use (chosen on first call from KIRCHHOFF_BACKEND). */
export function getBackend(): KernelBackend {
  return current ?? setBackend(parseName(process.env.KIRCHHOFF_BACKEND));
}

/** Every backend that can run on this machine (js always; native when the addon loads). */
export function availableBackends(): KernelBackend[] {
  const nb = tryNative();
  return nb ? [jsBackend, nb] : [jsBackend];
}

/** Why the native addon did not load, or null when it did (or was not tried yet). */
export function nativeLoadError(): string | null {
  tryNative();
  return nativeError;
}
