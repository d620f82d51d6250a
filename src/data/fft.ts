/**
 * Real-input FFT of a power-of-two length N, computed as one complex radix-2 FFT of length N/2 on the
 * even/odd samples packed as z[n] = x[2n] + i·x[2n+1] (Cooley–Tukey, iterative, bit-reversed input,
 * precomputed twiddles), followed by the standard split step. Float64 throughout.
 */
import { configError } from "../core/index.js";

export class RealFft {
  /** Transform length N (a power of two ≥ 4). */
  readonly n: number;
  private readonly half: number;
  private readonly rev: Uint32Array;
  /** cos/sin of −2πk/(N/2), k < N/4: twiddles of the half-length complex FFT. */
  private readonly cosH: Float64Array;
  private readonly sinH: Float64Array;
  /** cos/sin of −2πk/N, k ≤ N/2: twiddles of the split step. */
  private readonly cosN: Float64Array;
  private readonly sinN: Float64Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;

  constructor(n: number) {
    if (!(Number.isInteger(n) && n >= 4 && (n & (n - 1)) === 0))
      throw configError("fft length", "a power of two ≥ 4", n);
    this.n = n;
    const h = n >> 1;
    this.half = h;
    const bits = Math.log2(h);
    this.rev = new Uint32Array(h);
    for (let i = 0; i < h; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.rev[i] = r;
    }
    this.cosH = new Float64Array(h >> 1);
    this.sinH = new Float64Array(h >> 1);
    for (let k = 0; k < h >> 1; k++) {
      this.cosH[k] = Math.cos((-2 * Math.PI * k) / h);
      this.sinH[k] = Math.sin((-2 * Math.PI * k) / h);
    }
    this.cosN = new Float64Array(h + 1);
    this.sinN = new Float64Array(h + 1);
    for (let k = 0; k <= h; k++) {
      this.cosN[k] = Math.cos((-2 * Math.PI * k) / n);
      this.sinN[k] = Math.sin((-2 * Math.PI * k) / n);
    }
    this.re = new Float64Array(h);
    this.im = new Float64Array(h);
  }

  /**
   * Forward transform of `input` (zero-padded to N when shorter) into N/2+1 bins:
   * X[k] = Σ x[n]·e^{−2πikn/N}. Writes `outRe`/`outIm` (length ≥ N/2+1).
   */
  forward(input: ArrayLike<number>, outRe: Float64Array, outIm: Float64Array): void {
    const h = this.half;
    const re = this.re;
    const im = this.im;
    const len = input.length;
    for (let i = 0; i < h; i++) {
      const j = this.rev[i]!;
      re[j] = 2 * i < len ? input[2 * i]! : 0;
      im[j] = 2 * i + 1 < len ? input[2 * i + 1]! : 0;
    }
    // Stage 1 (size 2) has only the twiddle 1.
    for (let a = 0; a < h; a += 2) {
      const tr = re[a + 1]!;
      const ti = im[a + 1]!;
      re[a + 1] = re[a]! - tr;
      im[a + 1] = im[a]! - ti;
      re[a] = re[a]! + tr;
      im[a] = im[a]! + ti;
    }
    for (let size = 4; size <= h; size <<= 1) {
      const halfSize = size >> 1;
      const step = h / size;
      for (let k = 0; k < halfSize; k++) {
        const wr = this.cosH[k * step]!;
        const wi = this.sinH[k * step]!;
        for (let a = k; a < h; a += size) {
          const b = a + halfSize;
          const br = re[b]!;
          const bi = im[b]!;
          const tr = br * wr - bi * wi;
          const ti = br * wi + bi * wr;
          const ar = re[a]!;
          const ai = im[a]!;
          re[b] = ar - tr;
          im[b] = ai - ti;
          re[a] = ar + tr;
          im[a] = ai + ti;
        }
      }
    }
    // Split: E[k] = (Z[k] + conj Z[h−k]) / 2, O[k] = (Z[k] − conj Z[h−k]) / (2i), X[k] = E[k] + W^k O[k].
    for (let k = 0; k <= h; k++) {
      const a = k % h;
      const b = (h - k) % h;
      const zr = re[a]!;
      const zi = im[a]!;
      const cr = re[b]!;
      const ci = -im[b]!;
      const er = 0.5 * (zr + cr);
      const ei = 0.5 * (zi + ci);
      const or = 0.5 * (zi - ci);
      const oi = -0.5 * (zr - cr);
      const wr = this.cosN[k]!;
      const wi = this.sinN[k]!;
      outRe[k] = er + wr * or - wi * oi;
      outIm[k] = ei + wr * oi + wi * or;
    }
  }

  /** |X[k]| for k = 0..N/2 into `out` (length ≥ N/2+1). */
  magnitude(
    input: ArrayLike<number>,
    out: Float64Array | Float32Array,
    scratchRe?: Float64Array,
    scratchIm?: Float64Array,
  ): void {
    const re = scratchRe ?? new Float64Array(this.half + 1);
    const im = scratchIm ?? new Float64Array(this.half + 1);
    this.forward(input, re, im);
    for (let k = 0; k <= this.half; k++) out[k] = Math.sqrt(re[k]! * re[k]! + im[k]! * im[k]!);
  }
}
