/**
 * Architecture rules from the developers' brief, checked on the source tree:
 * - each src/<folder>/index.ts is the folder's only public door (no deep imports across folders);
 * - imports flow one way: core ← tensor ← nn ← analog ← train ← nas ← cli, with data beside nn,
 *   io beside analog, and report reading only plain records (core at most).
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { test } from "node:test";

const src = resolve(new URL("../../src", import.meta.url).pathname);

const ALLOWED: Record<string, string[]> = {
  core: [],
  tensor: ["core"],
  nn: ["core", "tensor"],
  data: ["core", "tensor"],
  analog: ["core", "tensor", "nn", "data"],
  io: ["core", "tensor", "nn", "data"],
  train: ["core", "tensor", "nn", "data", "analog", "io"],
  nas: ["core", "tensor", "nn", "data", "analog", "io", "train"],
  report: ["core"],
  cli: ["core", "tensor", "nn", "data", "analog", "io", "train", "nas", "report"],
};

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith(".ts")) out.push(p);
  }
  return out;
}

const IMPORT_RE = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["'](\.[^"']+)["']/g;

test("cross-folder imports go through index.ts and follow the layer order", () => {
  const problems: string[] = [];
  for (const file of walk(src)) {
    const rel = relative(src, file);
    const folder = rel.split("/")[0]!;
    if (!rel.includes("/")) continue; // src/index.ts re-exports every door
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(IMPORT_RE)) {
      const target = relative(src, resolve(join(file, ".."), m[1]!));
      const tFolder = target.split("/")[0]!;
      if (tFolder === folder) continue;
      if (!(tFolder in ALLOWED)) continue;
      if (!(ALLOWED[folder] ?? []).includes(tFolder))
        problems.push(`${rel}: ${folder} may not import ${tFolder}`);
      if (target !== `${tFolder}/index.js`)
        problems.push(`${rel}: deep import ${m[1]} (use ${tFolder}/index.js)`);
    }
  }
  assert.deepEqual(problems, []);
});

test("source files stay readable (under 400 lines)", () => {
  const long = walk(src)
    .map((f) => ({ f: relative(src, f), n: readFileSync(f, "utf8").split("\n").length }))
    .filter((x) => x.n > 400)
    .map((x) => `${x.f}: ${x.n} lines`);
  assert.deepEqual(long, []);
});
