// Fused analog-tile periphery kernels (contract: AnalogKernels in src/core/kernels/types.ts; reference:
// src/core/kernels/js/analog.ts, which these match bit for bit). aihwkit C++ order (SPEC 7.1-7.2): values are
// float32, every product is rounded to float32 where the reference calls Math.fround, quantisation is
// rint(v/step)·step with round half to EVEN (the 1.5·2^52 magic-number trick in double, as in the reference)
// applied before clipping. FMA contraction is disabled here: a fused t + σ·z would round differently.
// Rows are independent and split over the thread pool. The DAC stage (analogInput) is in analog_dac.h.
#pragma once
#include "analog_dac.h"
#include "philox.h"
#include "prelude.h"

#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")

namespace kh {
namespace KH_NS {

typedef double vdw __attribute__((vector_size(KH_VBYTES * 2)));  // W doubles (one float vector widened)
typedef int64_t vlw __attribute__((vector_size(KH_VBYTES * 2)));
typedef int32_t vi __attribute__((vector_size(KH_VBYTES)));

/** quantStep on W lanes: fround(rint(fround(v·invStep))·step), rint by the magic number in double. */
static inline vf quantStepV(vf v, double invStep, double step) {
  const vdw t = __builtin_convertvector(__builtin_convertvector(__builtin_convertvector(v, vdw) * invStep, vf), vdw);
  const vdw a = t < 0 ? -t : t;
  const vdw r = a < kRintLimit ? (t + kRintMagic) - kRintMagic : t;
  return __builtin_convertvector(r * step, vf);
}

/** One ADC element (the scalar tail of adcRow); flags |= 1 above +bound, 2 below −bound. */
template <bool NOISE, bool QUANT>
static inline float adcOne(float u, float z, double asym1, double sigma, double invStep, double step, double bound,
                           int& flags) {
  if (u < 0.f) u = static_cast<float>(u * asym1);
  if (NOISE) u = static_cast<float>(static_cast<double>(u) + sigma * static_cast<double>(z));
  if (QUANT) u = quantStep(u, invStep, step);
  if (static_cast<double>(u) > bound) {
    flags |= 1;
    return static_cast<float>(bound);
  }
  if (static_cast<double>(u) < -bound) {
    flags |= 2;
    return static_cast<float>(-bound);
  }
  return u;
}

/** OR of the W lanes of v. */
static inline int orLanes(vi v) {
  int32_t a[W];
  std::memcpy(a, &v, sizeof a);
  int r = 0;
  for (int l = 0; l < W; l++) r |= a[l];
  return r;
}

/**
 * One ADC row in place, W lanes at a time; returns the clip flags (bit 0: above +bound, bit 1: below).
 * The bound test runs in float: for float u and double b, u > b ⟺ u > bDown and u < −b ⟺ u < −bDown, where
 * bDown is b rounded down to float (exact, no double widening). ASYM = false when asym1 = 1 (then the
 * asymmetry product is the identity, so skipping it is exact).
 */
/** The ADC bounds of adcRow as lane vectors: clip values ±bound, clip tests against ±bDown. */
struct AdcLanes {
  vf hi, lo, up, dn;
  AdcLanes(double bound, float bDown)
      : hi(vbcast(static_cast<float>(bound))), lo(vbcast(static_cast<float>(-bound))), up(vbcast(bDown)),
        dn(vbcast(-bDown)) {}
};

/** One W-lane step of adcRow's arithmetic on u (noise from z): the clipped value; clip bits per lane in fl. */
template <bool NOISE, bool QUANT, bool ASYM>
static inline vf adcLanes(vf u, const float* z, double asym1, double sigma, double invStep, double step,
                          const AdcLanes& b, vi& fl) {
  if (ASYM) {
    const vf ua = __builtin_convertvector(__builtin_convertvector(u, vdw) * asym1, vf);
    u = u < 0 ? ua : u;
  }
  if (NOISE)
    u = __builtin_convertvector(__builtin_convertvector(u, vdw) + sigma * __builtin_convertvector(vload(z), vdw),
                                vf);
  if (QUANT) u = quantStepV(u, invStep, step);
  const vi over = u > b.up, under = u < b.dn;
  fl = (over & 1) | (under & 2);
  return over ? b.hi : (under ? b.lo : u);
}

template <bool NOISE, bool QUANT, bool ASYM>
static int adcRow(float* __restrict y, const float* __restrict z, int64_t m, double asym1, double sigma,
                  double invStep, double step, double bound, float bDown) {
  const AdcLanes b(bound, bDown);
  vi fl{};
  int64_t i = 0;
  for (; i + W <= m; i += W) {
    vi f;
    vstore(y + i, adcLanes<NOISE, QUANT, ASYM>(vload(y + i), NOISE ? z + i : nullptr, asym1, sigma, invStep, step,
                                                b, f));
    fl |= f;
  }
  int flags = orLanes(fl);
  for (; i < m; i++) y[i] = adcOne<NOISE, QUANT>(y[i], NOISE ? z[i] : 0.f, asym1, sigma, invStep, step, bound, flags);
  return flags;
}

/** Dispatches adcRow on asym1 = 1 (the common case: no output asymmetry). */
template <bool NOISE, bool QUANT>
static int adcRowAny(float* y, const float* z, int64_t m, double asym1, double sigma, double invStep, double step,
                     double bound, float bDown) {
  if (asym1 == 1.0) return adcRow<NOISE, QUANT, false>(y, z, m, asym1, sigma, invStep, step, bound, bDown);
  return adcRow<NOISE, QUANT, true>(y, z, m, asym1, sigma, invStep, step, bound, bDown);
}

typedef double vd16 __attribute__((vector_size(16 * 8)));  // kLanes doubles (GCC splits to the ISA width)
typedef int64_t vl16 __attribute__((vector_size(16 * 8)));
typedef uint64_t vul16 __attribute__((vector_size(16 * 8)));
typedef uint32_t vu16 __attribute__((vector_size(16 * 4), aligned(4)));
static_assert(kLanes == 16, "vd16 holds one lane group");

/** ln(u) for u in (0, 1] per lane: exponent by bit manipulation, ln m = 2·atanh((m−1)/(m+1)), |err| < 1e-12. */
static inline vd16 lnUnit(vd16 u) {
  vul16 bits;
  std::memcpy(&bits, &u, sizeof bits);
  vl16 e = (vl16)(bits >> 52) - 1023;
  bits = (bits & 0x000fffffffffffffull) | 0x3ff0000000000000ull;
  vd16 m;
  std::memcpy(&m, &bits, sizeof m);
  const vl16 big = m > 1.4142135623730951;  // −1 where m is reduced to [√½, 1)
  m = big ? m * 0.5 : m;
  e -= big;
  const vd16 t = (m - 1.0) / (m + 1.0), t2 = t * t;
  const vd16 p =
      1.0 + t2 * (1.0 / 3 + t2 * (1.0 / 5 + t2 * (1.0 / 7 + t2 * (1.0 / 9 + t2 * (1.0 / 11 + t2 * (1.0 / 13))))));
  return __builtin_convertvector(e, vd16) * 0.6931471805599453 + 2.0 * t * p;
}

/**
 * out[l] = sqrt(v[l]) for the kLanes lanes: a plain array loop that GCC vectorises (-fno-math-errno) to the
 * ISA's vector square root (correctly rounded, as libm's).
 */
static inline void sqrtLanes(vd16 v, double* __restrict out) {
  alignas(64) double in[kLanes];
  std::memcpy(in, &v, sizeof in);
  for (int i = 0; i < kLanes; i++) out[i] = __builtin_sqrt(in[i]);
}

/**
 * Standard-normal fill of elements [e0, e1) of a Philox stream, into out[0 .. e1−e0): the same stream layout
 * and Box-Muller pairing as fillNormal (philox.h / src/core/philox.ts: element i from block s.block + i/4,
 * words (0,1) → cos/sin pair, (2,3) → next pair), vectorised over 16 blocks: the angle 2π·u2 is reduced
 * exactly by quadrant (u2 has 24 bits) and sin/cos/log are polynomials accurate to ~1e-11, far below float32
 * resolution (fillNormal itself uses libm; both agree to ~1e-7 relative).
 */
static void normalsRange(const Stream& s, int64_t e0, int64_t e1, float* out) {
  alignas(64) uint32_t wv[4 * kLanes];
  alignas(64) double n0[2][kLanes], n1[2][kLanes];
  const double halfPi = 1.5707963267948966, two24 = 1.0 / 16777216.0, two22 = 1.0 / 4194304.0;
  for (int64_t b = e0 / 4; 4 * b < e1; b += kLanes) {
    philoxLanes(s, s.block + static_cast<uint64_t>(b), wv);
    for (int pair = 0; pair < 2; pair++) {
      vu16 a, c;
      std::memcpy(&a, wv + 2 * pair * kLanes, sizeof a);
      std::memcpy(&c, wv + (2 * pair + 1) * kLanes, sizeof c);
      a >>= 8;
      c >>= 8;
      const vd16 r2 = -2.0 * lnUnit(__builtin_convertvector(a + 1, vd16) * two24);
      alignas(64) double r[kLanes];
      sqrtLanes(r2, r);
      const vu16 q = c >> 22;
      const vd16 x = __builtin_convertvector(c & 0x3fffffu, vd16) * (two22 * halfPi), x2 = x * x;  // [0, π/2)
      const vd16 sn =
          x * (1 + x2 * (-1.0 / 6 + x2 * (1.0 / 120 + x2 * (-1.0 / 5040 + x2 * (1.0 / 362880 + x2 * (-1.0 / 39916800 +
          x2 * (1.0 / 6227020800 + x2 * (-1.0 / 1307674368000))))))));
      const vd16 cs =
          1 + x2 * (-0.5 + x2 * (1.0 / 24 + x2 * (-1.0 / 720 + x2 * (1.0 / 40320 + x2 * (-1.0 / 3628800 +
          x2 * (1.0 / 479001600 + x2 * (-1.0 / 87178291200 + x2 * (1.0 / 20922789888000))))))));
      // quadrant q: odd q swaps sin/cos; cos is negative for q = 1, 2 and sin for q = 2, 3
      const vd16 swap = __builtin_convertvector(q & 1u, vd16);
      const vd16 c1 = sn * swap + cs * (1.0 - swap), s1 = cs * swap + sn * (1.0 - swap);
      const vd16 cosT = c1 * (1.0 - 2.0 * __builtin_convertvector((q ^ (q >> 1)) & 1u, vd16));
      const vd16 sinT = s1 * (1.0 - 2.0 * __builtin_convertvector(q >> 1, vd16));
      for (int l = 0; l < kLanes; l++) {
        n0[pair][l] = r[l] * cosT[l];
        n1[pair][l] = r[l] * sinT[l];
      }
    }
    if (4 * b >= e0 && 4 * (b + kLanes) <= e1) {  // the whole group is inside the range
      float* o = out + (4 * b - e0);
      for (int lane = 0; lane < kLanes; lane++) {
        o[4 * lane] = static_cast<float>(n0[0][lane]);
        o[4 * lane + 1] = static_cast<float>(n1[0][lane]);
        o[4 * lane + 2] = static_cast<float>(n0[1][lane]);
        o[4 * lane + 3] = static_cast<float>(n1[1][lane]);
      }
      continue;
    }
    for (int lane = 0; lane < kLanes; lane++) {
      for (int pair = 0; pair < 2; pair++) {
        const int64_t e = 4 * (b + lane) + 2 * pair;
        if (e >= e0 && e < e1) out[e - e0] = static_cast<float>(n0[pair][lane]);
        if (e + 1 >= e0 && e + 1 < e1) out[e + 1 - e0] = static_cast<float>(n1[pair][lane]);
      }
    }
  }
}

/** ADC of y[rows, m]; noise from z (explicit normals) or, when `s` is given, drawn inline from the stream. */
static void analogOutput(float* y, int64_t rows, int64_t m, const AnalogOut& p, const float* z, const Stream* s,
                         uint8_t* failed) {
  const double invStep = 1.0 / p.step, step = p.step, sigma = p.outNoise, asym1 = 1.0 - p.outAsymmetry;
  const bool noise = (z || s) && sigma > 0.0, quant = step != 0.0;
  const int mask = p.testNegativeBound ? 3 : 1;
  // the bound rounded down to float, for the exact float bound test in adcRow
  float bDown = static_cast<float>(p.bound);
  if (static_cast<double>(bDown) > p.bound) bDown = std::nextafter(bDown, -INFINITY);
  const int64_t perTask = imax(1, 16384 / imax(m, 1));
  auto f = [&](int64_t t, int thread) {
    const int64_t r0 = t * perTask, r1 = imin(rows, (t + 1) * perTask);
    const float* zt = nullptr;
    if (noise && s) {
      float* buf = scratch(thread, 7, static_cast<size_t>((r1 - r0) * m));
      normalsRange(*s, r0 * m, r1 * m, buf);
      zt = buf - r0 * m;
    } else if (noise) {
      zt = z;
    }
    for (int64_t r = r0; r < r1; r++) {
      float* yr = y + r * m;
      const float* zr = noise ? zt + r * m : nullptr;
      int fl;
      if (noise && quant) fl = adcRowAny<true, true>(yr, zr, m, asym1, sigma, invStep, step, p.bound, bDown);
      else if (noise) fl = adcRowAny<true, false>(yr, zr, m, asym1, sigma, invStep, step, p.bound, bDown);
      else if (quant) fl = adcRowAny<false, true>(yr, zr, m, asym1, sigma, invStep, step, p.bound, bDown);
      else fl = adcRowAny<false, false>(yr, zr, m, asym1, sigma, invStep, step, p.bound, bDown);
      failed[r] = static_cast<uint8_t>((fl & mask) != 0);
    }
  };
  prun(ceilDiv(rows, perTask), (s ? 60.0 : 10.0) * static_cast<double>(rows * m), f);
}

static void analogIm2col(const ConvP& p, const float* x, int64_t g0, int64_t ng, int64_t row0, int64_t nRows,
                         float* out) {
  const int64_t cgOne = p.inC / p.groups, cg = cgOne * ng, kk = p.kH * p.kW, K = cg * kk, c0 = g0 * cgOne;
  const int64_t hw = p.outH * p.outW;
  const int64_t perTask = imax(1, 16384 / imax(K, 1));
  auto f = [&](int64_t t, int) {
    for (int64_t r = t * perTask; r < imin(nRows, (t + 1) * perTask); r++) {
      const int64_t row = row0 + r, n = row / hw, oh = (row - n * hw) / p.outW, ow = row - n * hw - oh * p.outW;
      float* o = out + r * K;
      for (int64_t ki = 0; ki < p.kH; ki++) {
        const int64_t ih = oh * p.strideH - p.padTop + ki * p.dilH;
        for (int64_t kj = 0; kj < p.kW; kj++) {
          const int64_t iw = ow * p.strideW - p.padLeft + kj * p.dilW;
          float* d = o + ki * p.kW + kj;
          if (ih < 0 || ih >= p.inH || iw < 0 || iw >= p.inW) {
            for (int64_t c = 0; c < cg; c++) d[c * kk] = 0.f;
          } else {
            const float* s = x + ((n * p.inH + ih) * p.inW + iw) * p.inC + c0;
            for (int64_t c = 0; c < cg; c++) d[c * kk] = s[c];
          }
        }
      }
    }
  };
  prun(ceilDiv(nRows, perTask), 4.0 * static_cast<double>(nRows * K), f);
}

}  // namespace KH_NS
}  // namespace kh

#pragma GCC pop_options
