/**
 * The idle-array pool behind gradient and activation recycling (src/tensor/buffer-pool.ts): ownership,
 * the per-length and byte bounds, and eviction of the least recently used lengths when the byte bound is
 * reached (a process that trains models of other shapes one after another must not keep the first one's
 * arrays for good).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { BufferPool } from "../../src/tensor/buffer-pool.js";

/** An array of n floats that the pool owns. */
function owned(pool: BufferPool, n: number): Float32Array {
  const a = new Float32Array(n);
  pool.own(a);
  return a;
}

test("BufferPool: only owned arrays come back, each once, and are handed out again by length", () => {
  const pool = new BufferPool(1 << 20, 4);
  const a = owned(pool, 100);
  assert.equal(pool.give(new Float32Array(100)), false, "a foreign array");
  assert.equal(pool.give(a), true);
  assert.equal(pool.give(a), false, "given back twice");
  assert.equal(pool.take(50), null);
  assert.equal(pool.take(100), a);
  assert.equal(pool.take(100), null);
});

test("BufferPool: at most maxPerLength idle arrays per length; an array larger than the byte bound is dropped", () => {
  const pool = new BufferPool(1 << 20, 2);
  const arrays = [1, 2, 3].map(() => owned(pool, 10));
  for (const a of arrays) assert.equal(pool.give(a), true);
  assert.equal(pool.take(10), arrays[1]);
  assert.equal(pool.take(10), arrays[0]);
  assert.equal(pool.take(10), null, "the third was dropped");
  assert.equal(pool.give(owned(pool, (1 << 18) + 1)), true);
  assert.equal(pool.take((1 << 18) + 1), null, "over the byte bound on its own");
});

test("BufferPool: at the byte bound the least recently used lengths make room", () => {
  const pool = new BufferPool(4 * 300, 8); // room for 300 floats
  const a = owned(pool, 100);
  const b = owned(pool, 100);
  const c = owned(pool, 200);
  pool.give(a);
  pool.give(b); // idle: 200 floats of length 100
  const d = owned(pool, 150);
  pool.give(d); // 350 > 300: one array of length 100 (the least recent length) goes
  assert.equal(pool.take(150), d);
  assert.ok(pool.take(100), "one array of length 100 is left");
  assert.equal(pool.take(100), null);
  // a length used recently is kept over an older one
  const e = owned(pool, 100);
  pool.give(e);
  pool.give(owned(pool, 150)); // idle: 100 (e) + 150
  assert.equal(pool.take(100), e); // touches length 100: now 150 is the least recent
  pool.own(e); // (as allocActivation / gradAlloc do with every array they hand out)
  pool.give(e);
  pool.give(c); // 100 + 150 + 200 > 300: the least recent length, 150, goes; 100 + 200 fit
  assert.equal(pool.take(150), null);
  assert.equal(pool.take(100), e);
  assert.equal(pool.take(200), c);
});
