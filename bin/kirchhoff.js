#!/usr/bin/env node
// Entry point of the `kirchhoff` command: runs the compiled CLI (dist/, built by `npm install`).
import { existsSync } from "node:fs";

const compiled = new URL("../dist/cli/main.js", import.meta.url);
if (!existsSync(compiled)) {
  process.stderr.write("kirchhoff: dist/ is missing; run `npm install` (or `npm run build`) in the package folder\n");
  process.exit(1);
}
const { main } = await import(compiled.href);
process.exitCode = await main(process.argv);
