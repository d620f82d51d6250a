// Noise management of the analog DAC stage (analog_dac.h): each input vector's NM maximum (rowMax), its NM
// value (capped, or an exact-zero vector) and the DAC scale fround(1/nm) in the reference's arithmetic, one
// vector at a time or vectorised across vectors (scalesFromMax). Conventions as analog_dac.h.
#pragma once
#include "prelude.h"

#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")

namespace kh {
namespace KH_NS {

/** The largest lane of v (no NaN lanes: then every order of the comparisons gives the same value). */
static inline float laneMax(vf v) {
#if KH_VBYTES == 64
// GCC 12 reports a false "may be used uninitialized" inside its own AVX-512 intrinsic headers here (philox.h)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
  return _mm512_reduce_max_ps((__m512)v);
#pragma GCC diagnostic pop
#else
  float m = v[0];
  for (int l = 1; l < W; l++) m = v[l] > m ? v[l] : m;
  return m;
#endif
}

/** max_j |x_j| (abs = true) or max_j x_j, vectorised; NaN never wins (as `if (a > m) m = a`). */
static float rowMax(const float* x, int64_t k, bool abs) {
  const float init = abs ? 0.f : -INFINITY;
  vf acc = vbcast(init);
  int64_t j = 0;
  if (abs) {
    for (; j + W <= k; j += W) {
      const vf a = vload(x + j);
      const vf b = a < 0 ? -a : a;
      acc = vmax(b, acc);
    }
  } else {
    for (; j + W <= k; j += W) {
      const vf a = vload(x + j);
      acc = vmax(a, acc);
    }
  }
  float m = laneMax(acc);  // acc holds no NaN (a NaN value never wins vmax(b, acc))
  for (; j < k; j++) {
    const float a = abs ? std::fabs(x[j]) : x[j];
    m = a > m ? a : m;
  }
  return m;
}

/**
 * fround(a / b) as the reference computes it (a double quotient rounded once to float), in float when a is a
 * float: for a division of floats computed in double, the double rounding is innocuous (53 ≥ 2·24 + 2 bits;
 * S. A. Figueroa, "When is double rounding innocuous?", SIGNUM Newsl. 1995), so the float quotient is the same
 * number without a double division.
 */
static inline float quotientF(double a, float b) {
  const float aF = static_cast<float>(a);
  if (static_cast<double>(aF) == a) return aF / b;
  return static_cast<float>(a / static_cast<double>(b));
}

/** The DAC scale of a vector with NM value nm and BM reduction red: fround((nm > 0 ? 1/nm : 1) / red). */
static inline float nmScale(const AnalogIn& p, double nm, double red) {
  if (p.nmMode == 0 || !(nm > 0)) return static_cast<float>(1.0 / red);
  const float nF = static_cast<float>(nm);
  if (red == 1.0 && static_cast<double>(nF) == nm) return quotientF(1.0, nF);
  return static_cast<float>(1.0 / nm / red);
}

/**
 * A vector's NM value from its NM maximum m, nm = min(m, nmCap); returns whether it may be an exact-zero
 * vector (scale 0, zero output): m is not > 0. The maximum never takes a NaN, so a caller that writes zeros
 * for such a vector must still check it for NaN (hasNaN): a NaN among zeros must reach the outputs.
 */
static inline bool zeroVector(const AnalogIn& p, float m, double& nm) {
  nm = static_cast<double>(m) < p.nmCap ? static_cast<double>(m) : p.nmCap;
  return !(m > 0.f) && p.zeroRowsExact;
}

/** Whether x[0 .. k) holds a NaN. */
static inline bool hasNaN(const float* x, int64_t k) {
  for (int64_t j = 0; j < k; j++)
    if (x[j] != x[j]) return true;
  return false;
}

/**
 * For single-output vectors whose scale-0 DAC let x·0 through (NaN for a NaN or ∞ element): an exact-zero
 * vector (NM maximum mx[g] not > 0, SPEC 7.1 "nm ≤ 0 returns zeros") whose output d[g] came out NaN gets 0
 * unless it holds a NaN (nanAt(g)); it came out NaN from −∞ under NM max. (With abs-max an exact-zero vector
 * holds only zeros and NaN.)
 */
template <class NanAt>
static inline void zeroVectorOutputs(int64_t G, const AnalogIn& in, const float* mx, float* d, NanAt&& nanAt) {
  if (!in.zeroRowsExact) return;
  for (int64_t g = 0; g < G; g++)
    if (d[g] != d[g] && !(mx[g] > 0.f) && !nanAt(g)) d[g] = 0.f;
}

/**
 * DAC scales of G vectors from their NM maxima mx[g] (abs-max or max), as dacRow computes them:
 * nm[g] = min(mx, nmCap), sc[g] = nmScale (1 when nm <= 0), 0 for an exact-zero vector. Uncapped lanes take
 * the float quotient 1.f/mx (quotientF) in one loop that vectorises; capped lanes are redone by nmScale.
 * Returns whether any lane was capped.
 */
static inline bool scalesFromMax(const float* mx, int64_t G, const AnalogIn& in, double* nm, float* sc) {
  const bool zeroExact = in.zeroRowsExact;
  int capped = 0;
  for (int64_t g = 0; g < G; g++) {
    const float m = mx[g];
    capped |= !(static_cast<double>(m) < in.nmCap);
    nm[g] = m;
    const bool zero = !(m > 0.f) && zeroExact;
    sc[g] = zero ? 0.f : (m > 0.f ? 1.f / m : 1.f);
  }
  if (!capped) return false;
  for (int64_t g = 0; g < G; g++) sc[g] = zeroVector(in, mx[g], nm[g]) ? 0.f : nmScale(in, nm[g], 1.0);
  return true;
}

/** DAC scales of G vectors from given NM values nm[g] (dacRow without computeNm). */
static inline void scalesFromNm(int64_t G, const AnalogIn& in, const double* nm, float* sc) {
  for (int64_t g = 0; g < G; g++) sc[g] = nmScale(in, nm[g], 1.0);
}

}  // namespace KH_NS
}  // namespace kh

#pragma GCC pop_options
