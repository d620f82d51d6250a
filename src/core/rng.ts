/**
 * Seeded, splittable random generator on top of Philox4x32-10 (see philox.ts). Every random draw in
 * Kirchhoff comes from an Rng: the same seed gives the same numbers, and bulk fills give the same numbers
 * on every backend and thread count because each element is a pure function of (key, stream, index).
 *
 *   const rng = new Rng(42);
 *   const child = rng.split();           // independent stream, deterministic sequence of children
 *   const named = rng.fork("dropout");   // independent stream derived from a label, does not advance rng
 *   rng.fillNormal(buf, 0, 1);           // bulk fill through the active kernel backend
 */
import { configError } from "./errors.js";
import { getBackend } from "./kernels/registry.js";
import type { RandomStream } from "./kernels/types.js";
import { philoxBlock } from "./philox.js";

const TWO_NEG32 = 1 / 4294967296;
const TWO_NEG53 = 1 / 9007199254740992;

function hashLabel(label: string | number): number {
  const s = String(label);
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export class Rng {
  readonly key0: number;
  readonly key1: number;
  readonly stream0: number;
  readonly stream1: number;
  private block = 0;
  private readonly buf = new Uint32Array(4);
  private bufPos = 4;
  private children = 0;
  private spareNormal: number | null = null;

  /** seed: a non-negative integer (up to 2^53) or a string; stream: an optional sub-stream id. */
  constructor(seed: number | string = 0, stream = 0) {
    if (typeof seed === "number" && !(Number.isSafeInteger(seed) && seed >= 0)) {
      throw configError("seed", "a non-negative integer", seed);
    }
    if (typeof seed === "string") {
      this.key0 = hashLabel(seed);
      this.key1 = hashLabel(`${seed}#`);
    } else {
      this.key0 = seed >>> 0;
      this.key1 = Math.floor(seed / 4294967296) >>> 0;
    }
    this.stream0 = stream >>> 0;
    this.stream1 = Math.floor(stream / 4294967296) >>> 0;
  }

  /** Builds a generator from explicit Philox key and stream words. */
  static fromKey(key0: number, key1: number, stream0: number, stream1: number): Rng {
    const r = new Rng(0);
    (r as { key0: number }).key0 = key0 >>> 0;
    (r as { key1: number }).key1 = key1 >>> 0;
    (r as { stream0: number }).stream0 = stream0 >>> 0;
    (r as { stream1: number }).stream1 = stream1 >>> 0;
    return r;
  }

  private derive(a: number, b: number): Rng {
    const out = new Uint32Array(4);
    // Reserved counter words (0xffffffff, 0xfffffffe) keep derivations apart from data streams.
    philoxBlock(this.key0 ^ this.stream0, this.key1 ^ this.stream1, a, b, 0xffffffff, 0xfffffffe, out);
    return Rng.fromKey(out[0]!, out[1]!, out[2]!, out[3]!);
  }

  /** A new independent generator; successive calls give different, reproducible children. */
  split(): Rng {
    return this.derive(this.children++, 0x5eed);
  }

  /** An independent generator named by a label; does not change this generator's state. */
  fork(label: string | number): Rng {
    return this.derive(hashLabel(label), 0xf0);
  }

  /** Reserves `count` values of this generator's stream for a bulk fill and returns where they start. */
  takeStream(count: number): RandomStream {
    const s = {
      key0: this.key0,
      key1: this.key1,
      stream0: this.stream0,
      stream1: this.stream1,
      block: this.block,
    };
    this.block += Math.ceil(count / 4);
    return s;
  }

  nextUint32(): number {
    if (this.bufPos >= 4) {
      const b = this.block++;
      philoxBlock(
        this.key0,
        this.key1,
        b >>> 0,
        Math.floor(b / 4294967296) >>> 0,
        this.stream0,
        this.stream1,
        this.buf,
      );
      this.bufPos = 0;
    }
    return this.buf[this.bufPos++]!;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) * TWO_NEG53;
  }

  /** Standard normal double (polar-free Box-Muller, pairs cached). */
  normal(): number {
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return z;
    }
    const u1 = (this.nextUint32() + 1) * TWO_NEG32;
    const u2 = this.nextUint32() * TWO_NEG32;
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spareNormal = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!(Number.isInteger(n) && n > 0)) throw configError("Rng.int(n)", "a positive integer", n);
    return Math.floor(this.uniform() * n);
  }

  /** In-place Fisher-Yates shuffle. */
  shuffle<T>(items: T[] | Int32Array | Uint32Array | Float32Array): typeof items {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i]!;
      items[i] = items[j]!;
      items[j] = t;
    }
    return items;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    this.shuffle(p);
    return p;
  }

  /** Fills `out` with uniforms in [lo, hi) through the active kernel backend. */
  fillUniform(out: Float32Array, lo = 0, hi = 1): Float32Array {
    getBackend().fillUniform(out, this.takeStream(out.length), lo, hi);
    return out;
  }

  /** Fills `out` with N(mean, std²) draws through the active kernel backend. */
  fillNormal(out: Float32Array, mean = 0, std = 1): Float32Array {
    getBackend().fillNormal(out, this.takeStream(out.length), mean, std);
    return out;
  }
}
