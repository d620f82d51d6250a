// Fused analog-tile periphery kernels (contract: AnalogKernels in src/core/kernels/types.ts; reference:
// src/core/kernels/js/analog.ts, which these match bit for bit). aihwkit C++ order (SPEC 7.1-7.2): values are
// float32, every product is rounded to float32 where the reference calls Math.fround, quantisation is
// rint(v/step)·step with round half to EVEN (the 1.5·2^52 magic-number trick in double, as in the reference)
// applied before clipping. FMA contraction is disabled here: a fused t + σ·z would round differently. Float
// steps (every preset's) take all-float paths with a certified error bound and an exact redo of the rare
// elements near a rounding tie (adcRowF here, quantLoopF in analog_dac.h): same bits, no double widening.
// Rows are independent and split over the thread pool. The DAC stage (analogInput) is in analog_dac.h.
#pragma once
#include "analog_dac.h"
#include "normals.h"
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

/** adcRowF's tie margin: a level argument within mag·(1/step)·2^-20 of a half-integer is redone exactly. */
constexpr float kAdcTieMargin = 9.5367431640625e-7f;  // 2^-20

/** adcRowF's constants as lane vectors (float σ, 1/step, step, ±bound, the level limit c, bDown, the tie margin). */
struct AdcF {
  vf sV, invV, stepV, hiV, cV, bDownV, marginV;
  AdcF(double sigma, double invStep, double step, double bound, float bDown)
      : sV(vbcast(static_cast<float>(sigma))), invV(vbcast(static_cast<float>(invStep))),
        stepV(vbcast(static_cast<float>(step))), hiV(vbcast(static_cast<float>(bound))),
        cV(vbcast(levelLimit(step, bound))), bDownV(vbcast(bDown)), marginV(vbcast(kAdcTieMargin)) {}
};

/**
 * adcRowF's arithmetic on W lanes: the clipped output of u (+ σ·z when NOISE), with near |= the lanes within the
 * tie margin of a half-integer, and over / under the lanes above +bound / below −bound.
 */
template <bool NOISE>
static inline vf adcLanesF(vf u, const float* z, const AdcF& a, vi& near, vi& over, vi& under) {
  const vf p = NOISE ? a.sV * vload(z) : vf{};
  vf tc = (NOISE ? u + p : u) * a.invV;
  tc = tc > a.cV ? a.cV : (tc < -a.cV ? -a.cV : tc);               // clampLevel
  const vf r = (tc + vbcast(12582912.f)) - vbcast(12582912.f);     // rintF
  const vf mag = NOISE ? vabs(u) + vabs(p) : vabs(u);
  near |= vbcast(0.5f) - vabs(tc - r) <= mag * a.invV * a.marginV;  // nearTie
  const vf q = r * a.stepV;
  over = q > a.bDownV;
  under = q < -a.bDownV;
  return over ? a.hiV : (under ? -a.hiV : q);
}

/**
 * adcRow<NOISE, true, false> in float arithmetic only, for a float `step` with bound/step < 2^21 (quantLoopF's
 * argument in analog_dac.h, extended to the noisy sum): a' = u + fround(σ)·z and t' = a'·fround(1/step) differ
 * from the reference's double-rounded t by at most 2^-21·(|u| + |σz|)/step, so rint(t') = rint(t) unless t' lies
 * that close to a half-integer; a block of 64 outputs with such an element (flagged with twice the margin) is
 * redone from its saved inputs by adcOne. The output value and clip bits depend on the level r only: r·stepF.
 * Returns the OR of the clip bits; EACH: also each output's own bits in each[i] (adcEach's single-output
 * vectors).
 */
template <bool NOISE, bool EACH>  // inlined: adcRows' constants are then computed once for all rows
__attribute__((always_inline)) static inline int adcRowF(float* __restrict y, const float* __restrict z, int64_t m,
                                                         double sigma, double invStep,
                   double step, double bound, float bDown, int32_t* __restrict each = nullptr) {
  constexpr int64_t B = 64;
  const float sF = static_cast<float>(sigma), invF = static_cast<float>(invStep), stepF = static_cast<float>(step);
  const float hi = static_cast<float>(bound), lo = static_cast<float>(-bound), c = levelLimit(step, bound);
  const float margin = kAdcTieMargin;
  const AdcF a(sigma, invStep, step, bound, bDown);
  int flags = 0;
  alignas(64) float u0[B];
  for (int64_t i0 = 0; i0 < m; i0 += B) {
    const int64_t n = imin(B, m - i0);
    float* yb = y + i0;
    const float* zb = NOISE ? z + i0 : nullptr;
    int32_t* eb = EACH ? each + i0 : nullptr;
    // whole vectors in registers (the arithmetic of the scalar loop below, lane by lane), saving the inputs
    vi nearV{}, overV{}, underV{};
    int64_t j = 0;
    for (; j + W <= n; j += W) {
      const vf u = vload(yb + j);
      vstore(u0 + j, u);
      vi over, under;
      const vf q = adcLanesF<NOISE>(u, NOISE ? zb + j : nullptr, a, nearV, over, under);
      overV |= over;
      underV |= under;
      if (EACH) {
        const vi f = (over & 1) | (under & 2);
        std::memcpy(eb + j, &f, sizeof f);
      }
      vstore(yb + j, q);
    }
    int suspect = vany(nearV), fl = (vany(overV) ? 1 : 0) | (vany(underV) ? 2 : 0);
    for (; j < n; j++) {
      u0[j] = yb[j];
      const float u = u0[j], p = NOISE ? sF * zb[j] : 0.f;
      const float tc = clampLevel((NOISE ? u + p : u) * invF, c), r = rintF(tc);
      const float mag = NOISE ? std::fabs(u) + std::fabs(p) : std::fabs(u);
      suspect |= nearTie(tc, r, mag * invF * margin);
      const float q = r * stepF;
      const int over = q > bDown, under = q < -bDown, f = over | (under << 1);
      fl |= f;
      if (EACH) eb[j] = f;
      yb[j] = over ? hi : (under ? lo : q);
    }
    if (suspect) {
      fl = 0;
      for (int64_t j = 0; j < n; j++) {
        int f = 0;
        yb[j] = adcOne<NOISE, true>(u0[j], NOISE ? zb[j] : 0.f, 1.0, sigma, invStep, step, bound, f);
        fl |= f;
        if (EACH) eb[j] = f;
      }
    }
    flags |= fl;
  }
  return flags;
}

/** Whether a quantising ADC takes the all-float adcRowF: no output asymmetry and a float step (as presets). */
static inline bool adcFloatPath(double asym1, double step, double bound) {
  return asym1 == 1.0 && floatStepLevels(step, bound);
}

/**
 * The ADC of rows y[r·m .. r·m + m) for r < nr in place (row r's noise at z + r·zStride), fl[r] = row r's clip
 * bits: adcRow, or adcRowF for a float step without output asymmetry (as presets), dispatched once for all rows.
 */
template <bool NOISE, bool QUANT>
static void adcRows(float* y, const float* z, int64_t zStride, int64_t nr, int64_t m, double asym1, double sigma,
                    double invStep, double step, double bound, float bDown, int32_t* fl) {
  auto zr = [&](int64_t r) { return NOISE ? z + r * zStride : nullptr; };
  if (QUANT && adcFloatPath(asym1, step, bound)) {
    for (int64_t r = 0; r < nr; r++)
      fl[r] = adcRowF<NOISE, false>(y + r * m, zr(r), m, sigma, invStep, step, bound, bDown);
  } else if (asym1 == 1.0) {
    for (int64_t r = 0; r < nr; r++)
      fl[r] = adcRow<NOISE, QUANT, false>(y + r * m, zr(r), m, asym1, sigma, invStep, step, bound, bDown);
  } else {
    for (int64_t r = 0; r < nr; r++)
      fl[r] = adcRow<NOISE, QUANT, true>(y + r * m, zr(r), m, asym1, sigma, invStep, step, bound, bDown);
  }
}

/** adcRows on whether there is noise and quantisation (z: the noise rows; ignored without noise). */
static void adcRowsAny(bool noise, bool quant, float* y, const float* z, int64_t zStride, int64_t nr, int64_t m,
                       double asym1, double sigma, double invStep, double step, double bound, float bDown,
                       int32_t* fl) {
  if (noise && quant) adcRows<true, true>(y, z, zStride, nr, m, asym1, sigma, invStep, step, bound, bDown, fl);
  else if (noise) adcRows<true, false>(y, z, zStride, nr, m, asym1, sigma, invStep, step, bound, bDown, fl);
  else if (quant) adcRows<false, true>(y, z, zStride, nr, m, asym1, sigma, invStep, step, bound, bDown, fl);
  else adcRows<false, false>(y, z, zStride, nr, m, asym1, sigma, invStep, step, bound, bDown, fl);
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
    int32_t fl[64];
    for (int64_t b = r0; b < r1; b += 64) {
      const int64_t nb = imin(64, r1 - b);
      adcRowsAny(noise, quant, y + b * m, noise ? zt + b * m : nullptr, m, nb, m, asym1, sigma, invStep, step,
                 p.bound, bDown, fl);
      for (int64_t r = 0; r < nb; r++) failed[b + r] = static_cast<uint8_t>((fl[r] & mask) != 0);
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
