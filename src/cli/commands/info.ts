/** `kirchhoff info`: version, kernel backend in use, CPU features and threads. */
import { cpus } from "node:os";
import type { Command } from "commander";
import { getBackend, nativeLoadError, VERSION } from "../../core/index.js";

export function registerInfo(program: Command): void {
  program
    .command("info")
    .description("show version, kernel backend, CPU features and threads")
    .option("--json", "print JSON")
    .action((opts: { json?: boolean }) => {
      const backend = getBackend();
      const info = {
        version: VERSION,
        node: process.version,
        backend: backend.name,
        isa: backend.isa,
        threads: backend.getThreads(),
        cpu: cpus()[0]?.model ?? "unknown",
        logicalCpus: cpus().length,
        nativeError: nativeLoadError(),
      };
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
        return;
      }
      const lines = [
        `kirchhoff ${info.version} (node ${info.node})`,
        `kernel backend : ${info.backend} (${info.isa})`,
        `threads        : ${info.threads}`,
        `cpu            : ${info.cpu} × ${info.logicalCpus}`,
      ];
      if (info.nativeError) lines.push(`native addon   : not loaded — ${info.nativeError}`);
      process.stdout.write(`${lines.join("\n")}\n`);
    });
}
