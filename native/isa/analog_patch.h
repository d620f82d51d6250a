// Conv input vectors gathered inside the fused analog tile kernel (AnalogTileArgs.patches), so that no patch
// matrix is ever written. A tile holds columns [k0, k0 + K) of its group's patch in aihwkit's (c, ki, kj)
// order; inside the kernel the vector is laid out TAP-MAJOR (for each tap, its run of consecutive channels),
// so that every tap is one contiguous run of the NHWC input and gathering a vector is a few vector copies
// (no strided scalar scatter as in (c, ki, kj) order). The tile's weight columns
// are permuted the same way (TapRuns::perm), so each product pairs the same input and weight as in (c, ki, kj)
// order; only the order in which the MVM sums them (a physical current sum) differs.
#pragma once
#include <vector>

#include "prelude.h"

#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")

namespace kh {
namespace KH_NS {

/** The tap-major layout of a tile's K patch columns: tap t holds channels [lo[t], lo[t] + len[t]) at off[t]. */
struct TapRuns {
  int64_t kk = 0, cgOne = 0;
  std::vector<int64_t> lo, len, off;
  /** perm[i]: the (c, ki, kj) column (relative to k0) at tap-major position i. */
  std::vector<int64_t> perm;
  /** Whether perm is the identity (one tap, or one channel per group): the orders coincide. */
  bool identity = true;

  TapRuns() = default;
  TapRuns(const ConvP& p, int64_t k0, int64_t K) : kk(p.kH * p.kW), cgOne(p.inC / p.groups) {
    lo.resize(kk);
    len.resize(kk);
    off.resize(kk);
    perm.reserve(K);
    for (int64_t t = 0; t < kk; t++) {  // channels c with k0 <= c·kk + t < k0 + K
      const int64_t cLo = t >= k0 ? 0 : (k0 - t + kk - 1) / kk;
      const int64_t cHi = t > k0 + K - 1 ? 0 : imin(cgOne, (k0 + K - 1 - t) / kk + 1);
      lo[t] = cLo;
      len[t] = imax(0, cHi - cLo);
      off[t] = static_cast<int64_t>(perm.size());
      for (int64_t c = cLo; c < cHi; c++) perm.push_back(c * kk + t - k0);
    }
    for (int64_t i = 0; i < K; i++) identity = identity && perm[i] == i;
  }
};

/** Output pixel `row` (n, oh, ow) and the input pixel of each tap (null: outside the image, zero). */
struct PixelTaps {
  std::vector<const float*> src;
  explicit PixelTaps(int64_t kk) : src(kk) {}
  void at(const ConvP& p, const float* x, int64_t row) {
    const int64_t hw = p.outH * p.outW, n = row / hw, oh = (row - n * hw) / p.outW, ow = row - n * hw - oh * p.outW;
    for (int64_t ki = 0; ki < p.kH; ki++) {
      const int64_t ih = oh * p.strideH - p.padTop + ki * p.dilH;
      for (int64_t kj = 0; kj < p.kW; kj++) {
        const int64_t iw = ow * p.strideW - p.padLeft + kj * p.dilW;
        const bool in = ih >= 0 && ih < p.inH && iw >= 0 && iw < p.inW;
        src[ki * p.kW + kj] = in ? x + ((n * p.inH + ih) * p.inW + iw) * p.inC : nullptr;
      }
    }
  }
};

/** The tap-major vectors of groups g0..g0+ng−1 of one pixel into o (group j at o + j·K). */
static void patchRowRuns(const TapRuns& tr, const PixelTaps& px, int64_t g0, int64_t ng, int64_t K, float* o) {
  for (int64_t j = 0; j < ng; j++) {
    const int64_t c0 = (g0 + j) * tr.cgOne;
    for (int64_t t = 0; t < tr.kk; t++) {
      float* d = o + j * K + tr.off[t];
      if (!px.src[t]) zeroFloats(d, tr.len[t]);
      else copyFloats(d, px.src[t] + c0 + tr.lo[t], tr.len[t]);
    }
  }
}

/**
 * patchRowRuns for one group g, returning the vector's NM maximum as rowMax computes it over the gathered
 * vector (abs: max |value| from 0, else max value from −∞, padding taps counting as +0; NaN never wins).
 * The maximum does not depend on the order of the comparisons (up to the sign of a zero maximum, which
 * dacFromMax treats alike), so it is taken while copying.
 */
static float patchRowRunsMax(const TapRuns& tr, const PixelTaps& px, int64_t g, bool abs, float* o) {
  const int64_t c0 = g * tr.cgOne;
  float m = abs ? 0.f : -INFINITY;
  vf acc = vbcast(m);
  for (int64_t t = 0; t < tr.kk; t++) {
    const int64_t n = tr.len[t];
    float* d = o + tr.off[t];
    if (!px.src[t]) {
      zeroFloats(d, n);
      if (n > 0) m = 0.f > m ? 0.f : m;
      continue;
    }
    const float* s = px.src[t] + c0 + tr.lo[t];
    int64_t i = 0;
    for (; i + W <= n; i += W) {
      const vf a = vload(s + i), b = abs ? vabs(a) : a;
      acc = b > acc ? b : acc;
      vstore(d + i, a);
    }
    for (; i < n; i++) {
      const float a = s[i], b = abs ? std::fabs(a) : a;
      m = b > m ? b : m;
      d[i] = a;
    }
  }
  for (int l = 0; l < W; l++) m = acc[l] > m ? acc[l] : m;
  return m;
}

/** W[m × K] with its columns in tap-major order: wp[o·K + i] = w[o·K + perm[i]]. */
static void permuteColumns(const TapRuns& tr, int64_t m, int64_t K, const float* w, float* wp) {
  for (int64_t o = 0; o < m; o++)
    for (int64_t i = 0; i < K; i++) wp[o * K + i] = w[o * K + tr.perm[i]];
}

}  // namespace KH_NS
}  // namespace kh

#pragma GCC pop_options
