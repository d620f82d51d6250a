/**
 * Philox4x32-10 counter-based random number generator (Salmon et al., "Parallel random numbers: as easy as
 * 1, 2, 3", SC 2011). A block is a pure function of (key, counter), so any element of a stream can be
 * computed independently: results never depend on how work is split across threads or backends.
 *
 * Stream layout used everywhere in Kirchhoff (JS and native backends must agree bit for bit on uint32s):
 *   key     = (key0, key1)                     — derived from the user seed
 *   counter = (blockLo, blockHi, stream0, stream1) — block index within a stream, and the stream id
 * Block j yields 4 uint32 words w0..w3.
 *   uniform element 4j+r  = (w_r >>> 8) * 2^-24                      in [0, 1)
 *   normal  elements 4j+0, 4j+1 from (w0, w1); 4j+2, 4j+3 from (w2, w3), Box-Muller in float64:
 *       u1 = ((a >>> 8) + 1) * 2^-24 in (0, 1],  u2 = (b >>> 8) * 2^-24
 *       r = sqrt(-2 ln u1);  z_even = r cos(2π u2),  z_odd = r sin(2π u2)
 */

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;
const TWO_NEG24 = 1 / 16777216;

/** High 32 bits of the unsigned 64-bit product a*b (a, b uint32). */
function mulhi(a: number, b: number): number {
  const aLo = a & 0xffff;
  const aHi = a >>> 16;
  const bLo = b & 0xffff;
  const bHi = b >>> 16;
  const lolo = aLo * bLo;
  const hilo = aHi * bLo;
  const lohi = aLo * bHi;
  const hihi = aHi * bHi;
  const mid = (lolo >>> 16) + (hilo & 0xffff) + (lohi & 0xffff);
  return (hihi + (hilo >>> 16) + (lohi >>> 16) + (mid >>> 16)) >>> 0;
}

/** Computes one Philox4x32-10 block into out[0..3]. All arguments are uint32. */
export function philoxBlock(
  key0: number,
  key1: number,
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  out: Uint32Array,
): void {
  let k0 = key0 >>> 0;
  let k1 = key1 >>> 0;
  let x0 = c0 >>> 0;
  let x1 = c1 >>> 0;
  let x2 = c2 >>> 0;
  let x3 = c3 >>> 0;
  for (let round = 0; round < 10; round++) {
    const hi0 = mulhi(M0, x0);
    const lo0 = Math.imul(M0, x0) >>> 0;
    const hi1 = mulhi(M1, x2);
    const lo1 = Math.imul(M1, x2) >>> 0;
    x0 = (hi1 ^ x1 ^ k0) >>> 0;
    x1 = lo1;
    x2 = (hi0 ^ x3 ^ k1) >>> 0;
    x3 = lo0;
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  out[0] = x0;
  out[1] = x1;
  out[2] = x2;
  out[3] = x3;
}

/** Position of a fill in a Philox stream. `block` is the first block index (a safe integer < 2^53). */
export interface PhiloxStream {
  key0: number;
  key1: number;
  stream0: number;
  stream1: number;
  block: number;
}

const scratch = new Uint32Array(4);

/** Reference fill of out[i] = lo + (hi-lo) * uniform(4*block + i). */
export function philoxFillUniformJs(out: Float32Array, s: PhiloxStream, lo = 0, hi = 1): void {
  const span = hi - lo;
  const n = out.length;
  for (let j = 0; 4 * j < n; j++) {
    const b = s.block + j;
    philoxBlock(s.key0, s.key1, b >>> 0, Math.floor(b / 4294967296) >>> 0, s.stream0, s.stream1, scratch);
    const base = 4 * j;
    for (let r = 0; r < 4 && base + r < n; r++) out[base + r] = lo + span * ((scratch[r]! >>> 8) * TWO_NEG24);
  }
}

/** Reference fill of out[i] = mean + std * normal(4*block + i) (Box-Muller layout in the header). */
export function philoxFillNormalJs(out: Float32Array, s: PhiloxStream, mean = 0, std = 1): void {
  const n = out.length;
  for (let j = 0; 4 * j < n; j++) {
    const b = s.block + j;
    philoxBlock(s.key0, s.key1, b >>> 0, Math.floor(b / 4294967296) >>> 0, s.stream0, s.stream1, scratch);
    const base = 4 * j;
    for (let p = 0; p < 2; p++) {
      const u1 = ((scratch[2 * p]! >>> 8) + 1) * TWO_NEG24;
      const u2 = (scratch[2 * p + 1]! >>> 8) * TWO_NEG24;
      const r = Math.sqrt(-2 * Math.log(u1));
      const t = 2 * Math.PI * u2;
      const i0 = base + 2 * p;
      if (i0 < n) out[i0] = mean + std * r * Math.cos(t);
      if (i0 + 1 < n) out[i0 + 1] = mean + std * r * Math.sin(t);
    }
  }
}
