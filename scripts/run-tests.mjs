#!/usr/bin/env node
// Runs every test file under test/ with node's built-in test runner (Node 20's --test does not expand
// globs). Extra arguments filter files by substring: `npm test -- analog`.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith(".test.ts")) out.push(relative(root, p));
  }
  return out;
}
const filters = process.argv.slice(2);
const files = walk(join(root, "test"), [])
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error("no test files matched");
  process.exit(1);
}
const res = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-concurrency=2", ...files], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, KIRCHHOFF_QUIET_BACKEND: "1" },
});
process.exit(res.status ?? 1);
