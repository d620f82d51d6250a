import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";

const root = new URL("../..", import.meta.url).pathname;

function cli(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ["--import", "tsx", "src/cli/bin.ts", ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
}

test("kirchhoff --version prints the package version", () => {
  const r = cli(["--version"]);
  assert.equal(r.status, 0);
  assert.match(r.stdout.trim(), /^\d+\.\d+\.\d+$/);
});

test("kirchhoff info --json reports backend, isa and threads", () => {
  const r = cli(["info", "--json"], { KIRCHHOFF_BACKEND: "js" });
  assert.equal(r.status, 0, r.stderr);
  const info = JSON.parse(r.stdout) as { backend: string; isa: string; threads: number };
  assert.equal(info.backend, "js");
  assert.equal(typeof info.isa, "string");
  assert.ok(info.threads >= 1);
});

test("an unknown KIRCHHOFF_BACKEND value is a clear one-line error, not a stack trace", () => {
  const r = cli(["info"], { KIRCHHOFF_BACKEND: "gpu" });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /KIRCHHOFF_BACKEND: expected "native", "js" or "auto", got "gpu"/);
  assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/);
});

test("an unknown subcommand exits non-zero with help", () => {
  const r = cli(["frobnicate"]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /unknown command/);
});
