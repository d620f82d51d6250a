/** Small shared imports for the core tests. */
import { availableBackends, type KernelBackend } from "../../src/core/index.js";

export { type Activation, Rng } from "../../src/core/index.js";

/** The TypeScript reference backend (always the first available backend). */
export function jsBackendForTests(): KernelBackend {
  const js = availableBackends().find((b) => b.name === "js");
  if (!js) throw new Error("js backend missing");
  return js;
}
