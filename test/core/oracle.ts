/**
 * Float64 oracles for the kernel conformance suite: deliberately naive loops, written independently of the
 * backends. Each returns the exact value and the sum of |terms| (to scale the float32 tolerance).
 */
import type { Activation, Conv2dParams, Epilogue } from "../../src/core/index.js";

/**
 * Round half to even by floor and compare (independent of the magic-number trick the kernels use): the
 * quantisers' oracle.
 */
export function rintRef(t: number): number {
  const fl = Math.floor(t);
  const d = t - fl;
  if (d < 0.5) return fl;
  if (d > 0.5) return fl + 1;
  return fl % 2 === 0 ? fl : fl + 1;
}

export interface Ref {
  val: Float64Array;
  mag: Float64Array;
}

export function gemmRef(
  tA: boolean,
  tB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Float32Array,
  lda: number,
  b: Float32Array,
  ldb: number,
  beta: number,
  c: Float32Array,
  ldc: number,
  aOff: number,
  bOff: number,
  cOff: number,
): Ref {
  const val = new Float64Array(m * n);
  const mag = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let sa = 0;
      for (let p = 0; p < k; p++) {
        const av = tA ? a[aOff + p * lda + i]! : a[aOff + i * lda + p]!;
        const bv = tB ? b[bOff + j * ldb + p]! : b[bOff + p * ldb + j]!;
        s += av * bv;
        sa += Math.abs(av * bv);
      }
      const cv = beta === 0 ? 0 : beta * c[cOff + i * ldc + j]!;
      val[i * n + j] = alpha * s + cv;
      mag[i * n + j] = Math.abs(alpha) * sa + Math.abs(cv);
    }
  }
  return { val, mag };
}

/** Visits (n, oh, ow, kh, kw, ih, iw) for every in-bounds tap. */
function taps(p: Conv2dParams, fn: (yPix: number, xPix: number, tap: number) => void): void {
  for (let n = 0; n < p.n; n++)
    for (let oh = 0; oh < p.outH; oh++)
      for (let ow = 0; ow < p.outW; ow++)
        for (let kh = 0; kh < p.kH; kh++)
          for (let kw = 0; kw < p.kW; kw++) {
            const ih = oh * p.strideH - p.padTop + kh * p.dilationH;
            const iw = ow * p.strideW - p.padLeft + kw * p.dilationW;
            if (ih < 0 || iw < 0 || ih >= p.inH || iw >= p.inW) continue;
            fn((n * p.outH + oh) * p.outW + ow, (n * p.inH + ih) * p.inW + iw, kh * p.kW + kw);
          }
}

function act(v: number, a: Activation | undefined): number {
  if (a === "relu") return Math.max(0, v);
  if (a === "relu6") return Math.min(6, Math.max(0, v));
  return v;
}

export function convForwardRef(p: Conv2dParams, x: Float32Array, w: Float32Array, e?: Epilogue): Ref {
  const cg = p.inC / p.groups;
  const og = p.outC / p.groups;
  const ny = p.n * p.outH * p.outW * p.outC;
  const val = new Float64Array(ny);
  const mag = new Float64Array(ny);
  taps(p, (yPix, xPix, tap) => {
    for (let o = 0; o < p.outC; o++) {
      const g = Math.floor(o / og);
      for (let ci = 0; ci < cg; ci++) {
        const t = x[xPix * p.inC + g * cg + ci]! * w[(o * p.kH * p.kW + tap) * cg + ci]!;
        val[yPix * p.outC + o] += t;
        mag[yPix * p.outC + o] += Math.abs(t);
      }
    }
  });
  for (let i = 0; i < ny; i++) {
    const c = i % p.outC;
    let v = val[i]!;
    let m = mag[i]!;
    if (e?.scale) {
      v *= e.scale[c]!;
      m *= Math.abs(e.scale[c]!);
    }
    for (const add of [e?.shift?.[c], e?.bias?.[c], e?.residual?.[i]]) {
      if (add !== undefined) {
        v += add;
        m += Math.abs(add);
      }
    }
    val[i] = act(v, e?.act);
    mag[i] = m;
  }
  return { val, mag };
}

export function convBackwardInputRef(p: Conv2dParams, dy: Float32Array, w: Float32Array): Ref {
  const cg = p.inC / p.groups;
  const og = p.outC / p.groups;
  const nx = p.n * p.inH * p.inW * p.inC;
  const val = new Float64Array(nx);
  const mag = new Float64Array(nx);
  taps(p, (yPix, xPix, tap) => {
    for (let ic = 0; ic < p.inC; ic++) {
      const g = Math.floor(ic / cg);
      for (let o = g * og; o < (g + 1) * og; o++) {
        const t = dy[yPix * p.outC + o]! * w[(o * p.kH * p.kW + tap) * cg + (ic - g * cg)]!;
        val[xPix * p.inC + ic] += t;
        mag[xPix * p.inC + ic] += Math.abs(t);
      }
    }
  });
  return { val, mag };
}

export function convBackwardWeightRef(p: Conv2dParams, x: Float32Array, dy: Float32Array): Ref {
  const cg = p.inC / p.groups;
  const og = p.outC / p.groups;
  const nw = p.outC * p.kH * p.kW * cg;
  const val = new Float64Array(nw);
  const mag = new Float64Array(nw);
  taps(p, (yPix, xPix, tap) => {
    for (let o = 0; o < p.outC; o++) {
      const g = Math.floor(o / og);
      for (let ci = 0; ci < cg; ci++) {
        const t = dy[yPix * p.outC + o]! * x[xPix * p.inC + g * cg + ci]!;
        val[(o * p.kH * p.kW + tap) * cg + ci] += t;
        mag[(o * p.kH * p.kW + tap) * cg + ci] += Math.abs(t);
      }
    }
  });
  return { val, mag };
}

/** Asserts |got - ref| <= rel * mag + abs elementwise; returns the worst normalised error for messages. */
export function expectClose(got: Float32Array, ref: Ref, label: string, rel = 2e-5, abs = 1e-5): void {
  if (got.length !== ref.val.length) throw new Error(`${label}: length ${got.length} vs ${ref.val.length}`);
  for (let i = 0; i < got.length; i++) {
    const want = ref.val[i]!;
    const g = got[i]!;
    const tol = rel * ref.mag[i]! + abs;
    if (Number.isNaN(want) ? !Number.isNaN(g) : !(Math.abs(g - want) <= tol)) {
      throw new Error(`${label}: element ${i}: got ${g}, expected ${want} (tol ${tol.toExponential(2)})`);
    }
  }
}

/** A Float32Array of uniform values in [-1, 1) from a simple seeded LCG-free Philox-based source. */
export function randomArray(len: number, next: () => number): Float32Array {
  const a = new Float32Array(len);
  for (let i = 0; i < len; i++) a[i] = next() * 2 - 1;
  return a;
}
