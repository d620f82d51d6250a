/**
 * Bad input never crashes or silently corrupts: wrong lengths/types raise KirchhoffError naming the
 * argument, NaNs flow through the arithmetic, and an addon that cannot load falls back to the TypeScript
 * kernels (or errors clearly when `native` was demanded). Loader behaviour is tested in child processes.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { type Conv2dParams, KirchhoffError } from "../../src/core/index.js";
import { variants } from "./variants.js";

const p: Conv2dParams = {
  n: 2,
  inH: 5,
  inW: 5,
  inC: 4,
  outH: 5,
  outW: 5,
  outC: 6,
  kH: 3,
  kW: 3,
  strideH: 1,
  strideW: 1,
  padTop: 1,
  padLeft: 1,
  dilationH: 1,
  dilationW: 1,
  groups: 1,
};
const xs = 2 * 5 * 5 * 4;
const ws = 6 * 9 * 4;
const ys = 2 * 5 * 5 * 6;

function throwsKirchhoff(fn: () => void, pattern: RegExp, label: string): void {
  assert.throws(fn, (e: unknown) => e instanceof KirchhoffError && pattern.test(e.message), label);
}

for (const v of variants()) {
  test(`wrong lengths and types raise KirchhoffError [${v.label}]`, () => {
    v.enter();
    const b = v.backend;
    const f = (n: number) => new Float32Array(n);
    throwsKirchhoff(
      () => b.sgemm(false, false, 4, 4, 4, 1, f(15), 4, f(16), 4, 0, f(16), 4),
      /sgemm: a: expected at least 16/,
      "sgemm a",
    );
    throwsKirchhoff(
      () => b.sgemm(false, false, 4, 4, 4, 1, f(16), 4, f(16), 4, 0, f(16), 3),
      /ldc/,
      "sgemm ldc",
    );
    throwsKirchhoff(
      () => b.sgemm(false, true, 4, 4, 4, 1, f(16), 4, f(16), 4, 0, f(20), 4, 0, 0, 5),
      /sgemm: c/,
      "sgemm cOff",
    );
    throwsKirchhoff(
      () => b.sgemm(false, false, -1, 4, 4, 1, f(16), 4, f(16), 4, 0, f(16), 4),
      /m: expected an integer/,
      "m<0",
    );
    throwsKirchhoff(
      () =>
        b.sgemm(
          false,
          false,
          2,
          2,
          2,
          1,
          new Float64Array(4) as unknown as Float32Array,
          2,
          f(4),
          2,
          0,
          f(4),
          2,
        ),
      /a: expected a Float32Array, got Float64Array/,
      "sgemm type",
    );
    throwsKirchhoff(
      () => b.conv2dForward(p, f(xs - 1), f(ws), f(ys)),
      /conv2dForward: x: expected 200 elements, got 199/,
      "x",
    );
    throwsKirchhoff(() => b.conv2dForward(p, f(xs), f(ws), f(ys + 1)), /y: expected 300/, "y");
    throwsKirchhoff(
      () => b.conv2dForward(p, f(xs), f(ws), f(ys), { bias: f(5) }),
      /epilogue.bias: expected 6/,
      "bias",
    );
    throwsKirchhoff(
      () => b.conv2dForward(p, f(xs), f(ws), f(ys), { act: "gelu" as "relu" }),
      /epilogue.act/,
      "act",
    );
    throwsKirchhoff(
      () => b.conv2dForward({ ...p, groups: 3 }, f(xs), f(ws), f(ys)),
      /divisible by groups/,
      "groups",
    );
    throwsKirchhoff(() => b.conv2dForward({ ...p, strideH: 0 }, f(xs), f(ws), f(ys)), /strideH/, "stride");
    throwsKirchhoff(() => b.conv2dBackwardInput(p, f(ys), f(ws), f(xs + 1)), /dx: expected 200/, "dx");
    throwsKirchhoff(() => b.conv2dBackwardWeight(p, f(xs), f(ys), f(ws), f(7)), /dbias: expected 6/, "dbias");
    throwsKirchhoff(
      () => b.channelStats(f(10), 5, 2, new Float64Array(2), new Float64Array(3)),
      /sumSq/,
      "stats",
    );
    throwsKirchhoff(
      () => b.batchNormBackward(f(6), f(6), 3, 2, f(2), f(2), f(2), f(6), f(2), f(2), "relu"),
      /actOut: expected a Float32Array, got null/,
      "bn actOut",
    );
    throwsKirchhoff(
      () => b.fillUniform(f(4), { key0: -1, key1: 0, stream0: 0, stream1: 0, block: 0 }),
      /stream.key0/,
      "fill key",
    );
    throwsKirchhoff(() => b.setThreads(0), /threads/, "threads");
  });

  test(`NaN inputs propagate without crashing [${v.label}]`, () => {
    v.enter();
    const b = v.backend;
    const a = new Float32Array(64 * 64).fill(1);
    a[5] = Number.NaN; // row 0 of A
    const c = new Float32Array(64 * 64);
    b.sgemm(false, false, 64, 64, 64, 1, a, 64, new Float32Array(64 * 64).fill(1), 64, 0, c, 64);
    assert.ok(Number.isNaN(c[0]!) && Number.isNaN(c[63]!), "row 0 of C is NaN");
    assert.equal(c[64], 64, "other rows are finite");
    const x = new Float32Array(xs).fill(0.5);
    x[0] = Number.NaN;
    const y = new Float32Array(ys);
    b.conv2dForward(p, x, new Float32Array(ws).fill(1), y, { act: "relu" });
    assert.ok(Number.isNaN(y[0]!), "relu keeps NaN");
    assert.ok(Number.isFinite(y[ys - 1]!), "far pixels stay finite");
  });
}

const stubPath = join(tmpdir(), `kirchhoff-bogus-${process.pid}.node`);
writeFileSync(stubPath, "this is not a shared library");

function runChild(code: string, env: Record<string, string>) {
  return spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
    cwd: new URL("../..", import.meta.url).pathname,
    env: { ...process.env, KIRCHHOFF_QUIET_BACKEND: "", ...env },
    encoding: "utf8",
  });
}

test("an addon that cannot load falls back to the js backend with one warning", () => {
  for (const path of [stubPath, "/nonexistent/kirchhoff_native.node"]) {
    const r = runChild(
      `import { getBackend, nativeLoadError } from "./src/core/index.js";
       console.log(JSON.stringify({ name: getBackend().name, err: nativeLoadError() }));`,
      { KIRCHHOFF_NATIVE_PATH: path, KIRCHHOFF_BACKEND: "auto" },
    );
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim());
    assert.equal(out.name, "js");
    assert.match(out.err, /native addon/);
    assert.equal(r.stderr.match(/warning: native kernels unavailable/g)?.length, 1, r.stderr);
  }
  const strict = runChild(
    `import { getBackend } from "./src/core/index.js";
     try { getBackend(); console.log("no error"); } catch (e) { console.log(e.name + ": " + e.message); }`,
    { KIRCHHOFF_NATIVE_PATH: stubPath, KIRCHHOFF_BACKEND: "native" },
  );
  assert.match(strict.stdout, /KirchhoffError: native kernel backend unavailable/);
});

test("KIRCHHOFF_ISA forces a lower code path in the native addon", (t) => {
  const probe = runChild(
    `import { availableBackends } from "./src/core/index.js";
     const nb = availableBackends().find((b) => b.name === "native");
     console.log(JSON.stringify(nb ? { isa: nb.isa, isas: nb.isas } : null));`,
    { KIRCHHOFF_ISA: "generic" },
  );
  const info = JSON.parse(probe.stdout.trim());
  if (!info) return t.skip("native addon not built");
  assert.equal(info.isa, "generic");
  assert.ok(info.isas.includes("generic"));
});
