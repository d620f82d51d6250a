// The epilogue of the fused analog tile forward (analog_tile.h): the ADC of single-output (depthwise) vectors,
// the output factors fround(outScale/s), the finishing step y = fround(yy·f)·post + bias (accumulated or not, plus
// a bias after the accumulation) and the bound-management retry flags. Same conventions as analog.h: float32
// values, the reference's roundings, FMA contraction off.
#pragma once
#include <type_traits>

#include "analog.h"

#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")

namespace kh {
namespace KH_NS {

/**
 * One finished output from a = fround(yy_i·scale): val = a·post_i + bias_i in float32 (a rounded product, then a
 * rounded sum, as aihwkit's float tile), then accumulate ? y_i + val : val, plus biasAfter_i.
 */
template <bool POST, bool BIAS, bool ACC, bool AFTER>
static inline float finishValue(float a, int64_t i, const float* post, const float* bias, const float* biasAfter,
                                const float* y) {
  float val;
  if (POST && BIAS) val = a * post[i] + bias[i];
  else if (POST) val = a * post[i];
  else if (BIAS) val = a + bias[i];
  else val = a;
  float o = ACC ? y[i] + val : val;
  if (AFTER) o = o + biasAfter[i];
  return o;
}

/** Output of one finished vector: y_i = finishValue(fround(yy_i·f)) for i < m. */
template <bool POST, bool BIAS, bool ACC, bool AFTER>
static void finishRowT(const float* __restrict yy, int64_t m, float f, const float* __restrict post,
                       const float* __restrict bias, const float* __restrict biasAfter, float* __restrict y) {
  for (int64_t i = 0; i < m; i++) y[i] = finishValue<POST, BIAS, ACC, AFTER>(yy[i] * f, i, post, bias, biasAfter, y);
}

/** finishRowT for rows r < nr of yy[nr × m] (factor f[r]) into y + r·ldy, skipping rows with skip[r·skipStride]. */
template <bool POST, bool BIAS, bool ACC, bool AFTER>
static void finishRowsT(const float* yy, int64_t nr, int64_t m, const float* f, const uint8_t* skip,
                        int64_t skipStride, const float* post, const float* bias, const float* biasAfter, float* y,
                        int64_t ldy) {
  for (int64_t r = 0; r < nr; r++)
    if (!skip[r * skipStride])
      finishRowT<POST, BIAS, ACC, AFTER>(yy + r * m, m, f[r], post, bias, biasAfter, y + r * ldy);
}

/**
 * Calls f(POST, BIAS, ACC, AFTER) with std::bool_constant arguments for the finishing step's case (post and
 * bias given, accumulating, a bias after the accumulation): each case is its own instance, a plain loop that
 * vectorises.
 */
template <class F>
static void finishCase(const float* post, const float* bias, bool accumulate, const float* biasAfter, F&& f) {
  const int mode = (post ? 1 : 0) | (bias ? 2 : 0) | (accumulate ? 4 : 0) | (biasAfter ? 8 : 0);
  switch (mode) {
#define KH_FINISH(c)                                                                                        \
  case c:                                                                                                   \
    return f(std::bool_constant<(c & 1) != 0>{}, std::bool_constant<(c & 2) != 0>{},                        \
             std::bool_constant<(c & 4) != 0>{}, std::bool_constant<(c & 8) != 0>{});
    KH_FINISH(0) KH_FINISH(1) KH_FINISH(2) KH_FINISH(3) KH_FINISH(4) KH_FINISH(5) KH_FINISH(6) KH_FINISH(7)
    KH_FINISH(8) KH_FINISH(9) KH_FINISH(10) KH_FINISH(11) KH_FINISH(12) KH_FINISH(13) KH_FINISH(14) KH_FINISH(15)
#undef KH_FINISH
  }
}

/** finishRowsT for the finishing step's case (finishCase). */
static void finishRows(const float* yy, int64_t nr, int64_t m, const float* f, const uint8_t* skip, int64_t skipStride,
                       const float* post, const float* bias, const float* biasAfter, bool accumulate, float* y,
                       int64_t ldy) {
  finishCase(post, bias, accumulate, biasAfter, [&](auto P, auto B, auto A, auto F) {
    finishRowsT<P, B, A, F>(yy, nr, m, f, skip, skipStride, post, bias, biasAfter, y, ldy);
  });
}

/**
 * ADC of n single-output vectors d[0..n) in place, W at a time, with adcRow's arithmetic (asymmetry applied
 * as adcOne does: ×1 is exact); flags[i] = the clip bits of d[i] (1: above +bound, 2: below −bound).
 */
template <bool NOISE, bool QUANT>
static void adcEach(float* __restrict d, const float* __restrict z, int64_t n, double asym1, double sigma,
                    double invStep, double step, double bound, float bDown, int32_t* __restrict flags) {
  if (QUANT && adcFloatPath(asym1, step, bound)) {
    adcRowF<NOISE, true>(d, z, n, sigma, invStep, step, bound, bDown, flags);
    return;
  }
  const AdcLanes b(bound, bDown);
  int64_t i = 0;
  for (; i + W <= n; i += W) {
    vi fl;
    vstore(d + i, adcLanes<NOISE, QUANT, true>(vload(d + i), NOISE ? z + i : nullptr, asym1, sigma, invStep, step,
                                                b, fl));
    std::memcpy(flags + i, &fl, sizeof fl);
  }
  for (; i < n; i++) {
    int fl = 0;
    d[i] = adcOne<NOISE, QUANT>(d[i], NOISE ? z[i] : 0.f, asym1, sigma, invStep, step, bound, fl);
    flags[i] = fl;
  }
}

/**
 * The factors fr[i] = fround(outScale / sc[i]) (quotientF) that turn ADC outputs of vectors with DAC scale
 * sc[i] back into layer units (0 for an exact-zero vector, sc = 0).
 */
static inline void outFactors(const float* sc, int64_t n, double outScale, float* fr) {
  const float oF = static_cast<float>(outScale);
  if (static_cast<double>(oF) == outScale) {  // quotientF's float case, hoisted so that the loop vectorises
    for (int64_t i = 0; i < n; i++) fr[i] = sc[i] == 0.f ? 0.f : oF / sc[i];
    return;
  }
  for (int64_t i = 0; i < n; i++) fr[i] = sc[i] == 0.f ? 0.f : quotientF(outScale, sc[i]);
}

/**
 * finishRowT for the n single-output vectors of one depthwise row (d is overwritten): vector i (scale fr[i],
 * skipped when skip[i]) writes y[i]; post/bias/biasAfter are indexed by i.
 */
template <bool POST, bool BIAS, bool ACC, bool AFTER>
static void finishEachT(float* __restrict d, const float* __restrict fr, const uint8_t* skip, int64_t n,
                        const float* post, const float* bias, const float* biasAfter, float* y) {
  // every value computed into d (one plain loop that vectorises), then written where not skipped
  for (int64_t i = 0; i < n; i++) d[i] = finishValue<POST, BIAS, ACC, AFTER>(d[i] * fr[i], i, post, bias, biasAfter, y);
  for (int64_t i = 0; i < n; i++)
    if (!skip[i]) y[i] = d[i];
}

/** finishEachT for the finishing step's case (finishCase). */
static void finishEach(float* d, const float* fr, const uint8_t* skip, int64_t n, const float* post,
                       const float* bias, const float* biasAfter, bool accumulate, float* y) {
  finishCase(post, bias, accumulate, biasAfter, [&](auto P, auto B, auto A, auto F) {
    finishEachT<P, B, A, F>(d, fr, skip, n, post, bias, biasAfter, y);
  });
}

/**
 * retry[i·stride] = 1 for the vectors i < n with DAC scale sc[i] ≠ 0 whose clip bits flags[i] meet `mask`
 * (0: no retries), else 0; returns how many were flagged.
 */
static int64_t flagRetries(const float* __restrict sc, const int32_t* __restrict flags, int64_t n, int32_t mask,
                           uint8_t* __restrict retry, int64_t stride = 1) {
  int32_t count = 0;
  for (int64_t i = 0; i < n; i++) {
    const int32_t again = (sc[i] != 0.f) & ((flags[i] & mask) != 0);
    retry[i * stride] = static_cast<uint8_t>(again);
    count += again;
  }
  return count;
}

}  // namespace KH_NS
}  // namespace kh

#pragma GCC pop_options
