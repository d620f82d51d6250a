// PLACEHOLDER — the kernels helper replaces this file with the N-API addon loader.
import type { KernelBackend } from "../types.js";

export function loadNativeBackend(): KernelBackend {
  throw new Error("native addon not built yet");
}
