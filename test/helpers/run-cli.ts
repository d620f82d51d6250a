/** Runs the `kirchhoff` CLI in-process with stdout/stderr captured (faster than spawning a process). */
import { main } from "../../src/cli/main.js";

export async function runCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const wo = process.stdout.write.bind(process.stdout);
  const we = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string) => out.push(String(s)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => err.push(String(s)) > 0) as typeof process.stderr.write;
  try {
    const code = await main(["node", "kirchhoff", ...args]);
    return { code, out: out.join(""), err: err.join("") };
  } finally {
    process.stdout.write = wo;
    process.stderr.write = we;
  }
}
