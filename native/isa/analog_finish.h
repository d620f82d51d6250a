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
 * rounded sum, as aihwkit's float tile), then accumulate ? y_i + val : val, plus biasAfter_i; for a float or for
 * W lanes (T), each operand read by at(array).
 */
template <bool POST, bool BIAS, bool ACC, bool AFTER, class T, class At>
static inline T finishOf(T a, const float* post, const float* bias, const float* biasAfter, const float* y, At&& at) {
  T val;
  if (POST && BIAS) val = a * at(post) + at(bias);
  else if (POST) val = a * at(post);
  else if (BIAS) val = a + at(bias);
  else val = a;
  T o = ACC ? at(y) + val : val;
  if (AFTER) o = o + at(biasAfter);
  return o;
}

/** finishOf for output i as one float. */
template <bool POST, bool BIAS, bool ACC, bool AFTER>
static inline float finishValue(float a, int64_t i, const float* post, const float* bias, const float* biasAfter,
                                const float* y) {
  return finishOf<POST, BIAS, ACC, AFTER>(a, post, bias, biasAfter, y, [i](const float* p) { return p[i]; });
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
 * The epilogue of nr rows of yy[nr × m] in one pass per row for m = NV·W (the common tile widths), with the
 * arithmetic of adcRowF<NOISE, false> (one block: m ≤ 64), flagRetries and finishRowsT, each row's m values
 * held in registers: ADC with noise (row r's normals at z + r·zStride), clip bits, the retry flag
 * (retry[r·stride]), and, unless flagged, y + r·ldy = finishValue(fround(q·fr[r])). A row with an element
 * near a rounding tie is redone by adcOne, as adcRowF redoes its block. Returns how many rows it flagged.
 */
template <int NV, bool NOISE, bool POST, bool BIAS, bool ACC, bool AFTER>
static int64_t adcFinishRowsT(const float* yy, int64_t nr, const float* z, int64_t zStride, double sigma,
                              double invStep, double step, double bound, float bDown, const float* sc,
                              const float* fr, int32_t mask, uint8_t* retry, int64_t stride, const float* post,
                              const float* bias, const float* biasAfter, float* y, int64_t ldy) {
  constexpr int64_t M = NV * W;
  const AdcF a(sigma, invStep, step, bound, bDown);
  int64_t count = 0;
  for (int64_t r = 0; r < nr; r++) {
    const float* u0 = yy + r * M;
    const float* zr = NOISE ? z + r * zStride : nullptr;
    vf q[NV];
    vi nearV{}, overV{}, underV{};
    for (int j = 0; j < NV; j++) {
      vi over, under;
      q[j] = adcLanesF<NOISE>(vload(u0 + j * W), NOISE ? zr + j * W : nullptr, a, nearV, over, under);
      overV |= over;
      underV |= under;
    }
    int fl = (vany(overV) ? 1 : 0) | (vany(underV) ? 2 : 0);
    if (vany(nearV)) {  // the reference's double path for the whole row
      alignas(64) float e[M];
      fl = 0;
      for (int64_t i = 0; i < M; i++) e[i] = adcOne<NOISE, true>(u0[i], NOISE ? zr[i] : 0.f, 1.0, sigma, invStep, step,
                                                                  bound, fl);
      for (int j = 0; j < NV; j++) q[j] = vload(e + j * W);
    }
    const int32_t again = (sc[r] != 0.f) & ((fl & mask) != 0);
    retry[r * stride] = static_cast<uint8_t>(again);
    count += again;
    if (again) continue;
    const vf f = vbcast(fr[r]);
    float* yr = y + r * ldy;
    for (int j = 0; j < NV; j++) {
      const int64_t i = j * W;
      vstore(yr + i, finishOf<POST, BIAS, ACC, AFTER>(q[j] * f, post, bias, biasAfter, yr,
                                                      [i](const float* p) { return vload(p + i); }));
    }
  }
  return count;
}

/** Whether adcFinishRows applies: a quantising float-path ADC (adcFloatPath) and m = W, 2W or 4W outputs. */
static inline bool adcFinishFits(bool quant, double asym1, double step, double bound, int64_t m) {
  return quant && adcFloatPath(asym1, step, bound) && (m == W || m == 2 * W || m == 4 * W);
}

/** adcFinishRowsT for adcFinishFits shapes, dispatched on m, noise and the finishing step's case. */
static int64_t adcFinishRows(bool noise, const float* yy, int64_t nr, int64_t m, const float* z, int64_t zStride,
                             double sigma, double invStep, double step, double bound, float bDown, const float* sc,
                             const float* fr, int32_t mask, uint8_t* retry, int64_t stride, const float* post,
                             const float* bias, const float* biasAfter, bool accumulate, float* y, int64_t ldy) {
  int64_t n = 0;
  finishCase(post, bias, accumulate, biasAfter, [&](auto P, auto B, auto A, auto F) {
    auto run = [&](auto nv, auto ns) {
      n = adcFinishRowsT<decltype(nv)::value, decltype(ns)::value, P, B, A, F>(
          yy, nr, z, zStride, sigma, invStep, step, bound, bDown, sc, fr, mask, retry, stride, post, bias, biasAfter,
          y, ldy);
    };
    using One = std::integral_constant<int, 1>;
    using Two = std::integral_constant<int, 2>;
    using Four = std::integral_constant<int, 4>;
    if (m == W) noise ? run(One{}, std::true_type{}) : run(One{}, std::false_type{});
    else if (m == 2 * W) noise ? run(Two{}, std::true_type{}) : run(Two{}, std::false_type{});
    else noise ? run(Four{}, std::true_type{}) : run(Four{}, std::false_type{});
  });
  return n;
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
