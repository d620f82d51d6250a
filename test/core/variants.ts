/** Every backend configuration the conformance suites run against (backend × ISA path × threads). */
import { availableBackends, type KernelBackend } from "../../src/core/index.js";

export interface Variant {
  label: string;
  backend: KernelBackend;
  enter(): void;
}

export function variants(): Variant[] {
  const out: Variant[] = [];
  for (const b of availableBackends()) {
    const isas = b.isas ?? [b.isa];
    for (const isa of isas) {
      for (const threads of b.name === "js" ? [1] : [1, 2]) {
        out.push({
          label: `${b.name}/${isa}/${threads}t`,
          backend: b,
          enter: () => {
            b.setIsa?.(isa);
            b.setThreads(threads);
          },
        });
      }
    }
  }
  return out;
}
