/**
 * Philox4x32-10 known-answer vectors (Random123 kat_vectors), Rng determinism and independence, normal
 * moments within Monte-Carlo error, and bit-identical fills on every backend variant.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  availableBackends,
  philoxBlock,
  philoxFillNormalJs,
  philoxFillUniformJs,
  Rng,
} from "../../src/core/index.js";
import { variants } from "./variants.js";

test("Philox4x32-10 matches the Random123 known-answer vectors", () => {
  const out = new Uint32Array(4);
  const kat: [number[], number[], number[]][] = [
    [
      [0, 0],
      [0, 0, 0, 0],
      [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8],
    ],
    [
      [0xffffffff, 0xffffffff],
      [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff],
      [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd],
    ],
    [
      [0xa4093822, 0x299f31d0],
      [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
      [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1],
    ],
  ];
  for (const [key, ctr, want] of kat) {
    philoxBlock(key[0]!, key[1]!, ctr[0]!, ctr[1]!, ctr[2]!, ctr[3]!, out);
    assert.deepEqual([...out], want);
  }
});

test("same seed gives the same numbers; different seeds differ", () => {
  const a = new Rng(123);
  const b = new Rng(123);
  const c = new Rng(124);
  const sa = Array.from({ length: 50 }, () => a.uniform());
  const sb = Array.from({ length: 50 }, () => b.uniform());
  const sc = Array.from({ length: 50 }, () => c.uniform());
  assert.deepEqual(sa, sb);
  assert.notDeepEqual(sa, sc);
  assert.deepEqual(
    new Rng("exp").fillNormal(new Float32Array(33)),
    new Rng("exp").fillNormal(new Float32Array(33)),
  );
});

test("split and fork give independent, reproducible streams", () => {
  const root = new Rng(5);
  const c1 = root.split();
  const c2 = root.split();
  const f = new Rng(5).fork("dropout");
  const f2 = new Rng(5).fork("dropout");
  const n = 4000;
  const x1 = Array.from({ length: n }, () => c1.uniform());
  const x2 = Array.from({ length: n }, () => c2.uniform());
  assert.notDeepEqual(x1, x2);
  assert.equal(f.uniform(), f2.uniform());
  assert.notEqual(new Rng(5).fork("a").uniform(), new Rng(5).fork("b").uniform());
  // forking does not advance the parent
  const p = new Rng(9);
  const q = new Rng(9);
  p.fork("x");
  assert.equal(p.uniform(), q.uniform());
  // sample correlation of two children is ~0 (|r| < 4/sqrt(n))
  const m1 = x1.reduce((s, v) => s + v, 0) / n;
  const m2 = x2.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x1[i]! - m1) * (x2[i]! - m2);
    sxx += (x1[i]! - m1) ** 2;
    syy += (x2[i]! - m2) ** 2;
  }
  assert.ok(Math.abs(sxy / Math.sqrt(sxx * syy)) < 4 / Math.sqrt(n));
});

test("normal fills have mean 0 and std 1 within Monte-Carlo error", () => {
  const n = 200000;
  const buf = new Rng(77).fillNormal(new Float32Array(n));
  let s = 0;
  let q = 0;
  for (const v of buf) {
    s += v;
    q += v * v;
  }
  const mean = s / n;
  const std = Math.sqrt(q / n - mean * mean);
  assert.ok(Math.abs(mean) < 5 / Math.sqrt(n), `mean ${mean}`);
  assert.ok(Math.abs(std - 1) < 5 / Math.sqrt(2 * n), `std ${std}`);
  const r = new Rng(78);
  let s2 = 0;
  for (let i = 0; i < 20000; i++) s2 += r.normal();
  assert.ok(Math.abs(s2 / 20000) < 5 / Math.sqrt(20000));
});

for (const v of variants()) {
  test(`fills agree with the philox.ts reference [${v.label}]`, () => {
    v.enter();
    for (const [len, block] of [
      [1, 0],
      [7, 3],
      [1001, 2 ** 32 - 2],
      [300001, 12345],
    ] as const) {
      const s = { key0: 0xdeadbeef, key1: 17, stream0: 3, stream1: 0x80000000, block };
      const uRef = new Float32Array(len);
      philoxFillUniformJs(uRef, s, -2, 3);
      const u = new Float32Array(len);
      v.backend.fillUniform(u, s, -2, 3);
      assert.deepEqual(u, uRef, `${v.label} uniform len ${len}`);
      const nRef = new Float32Array(len);
      philoxFillNormalJs(nRef, s, 0.5, 2);
      const z = new Float32Array(len);
      v.backend.fillNormal(z, s, 0.5, 2);
      for (let i = 0; i < len; i++) {
        assert.ok(
          Math.abs(z[i]! - nRef[i]!) <= 1e-6 * (1 + Math.abs(nRef[i]!)),
          `${v.label} normal[${i}] ${z[i]} vs ${nRef[i]}`,
        );
      }
    }
  });
}

test("native normals are the same bits on every ISA path (explicit FMA, nothing contracted)", (t) => {
  const native = availableBackends().find((b) => b.name === "native");
  if (!native?.isas || native.isas.length < 2) return t.skip("needs the native backend with two ISA paths");
  const s = { key0: 7, key1: 0x9e3779b9, stream0: 1, stream1: 2, block: 5 };
  const len = 70001; // a partial last Philox lane group
  const fills = native.isas.map((isa) => {
    native.setIsa?.(isa);
    const z = new Float32Array(len);
    native.fillNormal(z, s);
    return z;
  });
  native.setIsa?.(native.isas[0]!);
  for (let k = 1; k < fills.length; k++)
    assert.deepEqual(fills[k], fills[0], `${native.isas[k]} vs ${native.isas[0]}`);
});
