#!/usr/bin/env node
// Builds the native kernel addon from source with node-gyp (bundled with npm). A failed build is not fatal:
// Kirchhoff then falls back to its TypeScript kernels and says so once at run time.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
if (!existsSync(join(root, "binding.gyp"))) process.exit(0);
if (process.env.KIRCHHOFF_SKIP_NATIVE === "1") {
  console.error("kirchhoff: KIRCHHOFF_SKIP_NATIVE=1, not building the native addon");
  process.exit(0);
}

function findNodeGyp() {
  if (process.env.npm_config_node_gyp && existsSync(process.env.npm_config_node_gyp))
    return process.env.npm_config_node_gyp;
  const candidates = [];
  try {
    candidates.push(createRequire(import.meta.url).resolve("node-gyp/bin/node-gyp.js"));
  } catch {}
  const npmDir = join(dirname(process.execPath), "..", "lib", "node_modules", "npm");
  candidates.push(join(npmDir, "node_modules", "node-gyp", "bin", "node-gyp.js"));
  return candidates.find((c) => existsSync(c));
}

const gyp = findNodeGyp();
if (!gyp) {
  console.error(
    "kirchhoff: warning: node-gyp not found; native kernels not built (TypeScript kernels will be used)",
  );
  process.exit(0);
}
const jobs = ["-j", "max"];
// Use the headers installed next to this node binary (offline machines) unless npm already chose a nodedir.
const extra = [];
const prefix = join(dirname(process.execPath), "..");
if (!process.env.npm_config_nodedir && existsSync(join(prefix, "include", "node", "node_api.h"))) {
  extra.push(`--nodedir=${prefix}`);
}
// Concurrent builds of one checkout would clobber each other's build/ folder: serialise them with flock(1)
// where it exists (Linux), keyed by the checkout path.
// configure + build (not rebuild): the previous addon stays loadable until the new one replaces it.
const gypArgs = [gyp, "configure", "build", ...jobs, ...extra];
const lockFile = join(
  tmpdir(),
  `kirchhoff-native-build-${createHash("sha1").update(root).digest("hex").slice(0, 12)}.lock`,
);
const flock = spawnSync("flock", ["--version"], { stdio: "ignore" }).status === 0;
const res = flock
  ? spawnSync("flock", [lockFile, process.execPath, ...gypArgs], { cwd: root, stdio: "inherit" })
  : spawnSync(process.execPath, gypArgs, { cwd: root, stdio: "inherit" });
if (res.status !== 0) {
  console.error("kirchhoff: warning: native addon build failed; TypeScript kernels will be used");
}
process.exit(0);
