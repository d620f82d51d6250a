// Conv input vectors gathered inside the fused analog tile kernel (AnalogTileArgs.patches), so that no patch
// matrix is ever written. A tile holds columns [k0, k0 + K) of its group's patch in aihwkit's (c, ki, kj)
// order; inside the kernel the vector is laid out TAP-MAJOR (for each tap, its run of consecutive channels),
// so that every tap is one contiguous run of the NHWC input and gathering a vector is a few vector copies
// (no strided scalar scatter as in (c, ki, kj) order). The tile's weight columns
// are permuted the same way (TapRuns::perm), so each product pairs the same input and weight as in (c, ki, kj)
// order; only the order in which the MVM sums them (a physical current sum) differs.
#pragma once
#include <vector>

#include "analog_dac.h"
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
    uniformLen = len[0];
    for (int64_t t = 0; t < kk; t++) uniformLen = len[t] == len[0] && lo[t] == lo[0] ? uniformLen : 0;
  }
  /** n when every tap holds the same channels [lo[0], lo[0] + n) (whole-channel tiles), else 0. */
  int64_t uniformLen = 0;
};

/**
 * Output pixel `row` (n, oh, ow) and the input pixel of each tap (null: outside the image, zero). Consecutive
 * rows step (n, oh, ow) without divisions; a window inside the image takes each tap at a fixed offset.
 */
struct PixelTaps {
  std::vector<const float*> src;
  explicit PixelTaps(const ConvP* p) : src(p ? p->kH * p->kW : 0), tapOff(src.size()) {
    if (!p) return;
    for (int64_t ki = 0; ki < p->kH; ki++)
      for (int64_t kj = 0; kj < p->kW; kj++) tapOff[ki * p->kW + kj] = (ki * p->dilH * p->inW + kj * p->dilW) * p->inC;
  }
  void at(const ConvP& p, const float* x, int64_t row) {
    if (row == last + 1 && last >= 0) {
      if (++ow == p.outW) {
        ow = 0;
        if (++oh == p.outH) {
          oh = 0;
          n++;
        }
      }
    } else {
      const int64_t hw = p.outH * p.outW;
      n = row / hw;
      oh = (row - n * hw) / p.outW;
      ow = row - n * hw - oh * p.outW;
    }
    last = row;
    const int64_t ih0 = oh * p.strideH - p.padTop, iw0 = ow * p.strideW - p.padLeft;
    if (ih0 >= 0 && ih0 + (p.kH - 1) * p.dilH < p.inH && iw0 >= 0 && iw0 + (p.kW - 1) * p.dilW < p.inW) {
      const float* base = x + ((n * p.inH + ih0) * p.inW + iw0) * p.inC;
      for (size_t t = 0; t < src.size(); t++) src[t] = base + tapOff[t];
      return;
    }
    for (int64_t ki = 0; ki < p.kH; ki++) {
      const int64_t ih = ih0 + ki * p.dilH;
      for (int64_t kj = 0; kj < p.kW; kj++) {
        const int64_t iw = iw0 + kj * p.dilW;
        const bool in = ih >= 0 && ih < p.inH && iw >= 0 && iw < p.inW;
        src[ki * p.kW + kj] = in ? x + ((n * p.inH + ih) * p.inW + iw) * p.inC : nullptr;
      }
    }
  }

 private:
  std::vector<int64_t> tapOff;  // tap t's input offset from the window's first pixel (floats)
  int64_t last = -1, n = 0, oh = 0, ow = 0;
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
 * patchRowRunsMax with abs for TapRuns whose taps all hold the same NV·W channels from c0: per tap NV vector
 * copies (none without STORE: the maximum only), unrolled. The lane maxima never hold NaN (a NaN value never
 * wins `b > acc`), so laneMax is exact.
 */
template <int NV, bool STORE>
static float uniformRunsAbsMax(const PixelTaps& px, int64_t kk, int64_t c0, float* o) {
  auto tap = [&](int64_t t, vf& acc) {
    float* ot = STORE ? o + t * NV * W : nullptr;
    const float* s = px.src[t];
    if (!s) {  // padding: +0 values, which never raise an abs-max from 0
      if (STORE)
        for (int j = 0; j < NV; j++) vstore(ot + j * W, vf{});
      return;
    }
    for (int j = 0; j < NV; j++) {
      const vf a = vload(s + c0 + j * W);
      acc = vmax(vabs(a), acc);
      if (STORE) vstore(ot + j * W, a);
    }
  };
  vf even = vbcast(0.f), odd = vbcast(0.f);  // two chains of maxima: even and odd taps
  int64_t t = 0;
  for (; t + 1 < kk; t += 2) {
    tap(t, even);
    tap(t + 1, odd);
  }
  if (t < kk) tap(t, even);
  return laneMax(vmax(odd, even));
}

/**
 * The DAC of a uniform-runs conv vector (as uniformRunsAbsMax) at scale s straight from the input pixels into
 * o[kk·NV·W], with the whole-vector arithmetic of quantLoopF<false, true, false> (dacLanes; padding taps
 * quantised as +0 inputs). Returns false when an element lies near a rounding tie: the caller redoes the vector
 * by quantAny. CLIP = false leaves out the clip to ±bound where the caller proved it an identity (an uncapped
 * abs-max scale and DacF::unclippedAtAbsMax).
 */
template <int NV, bool CLIP>
static bool dacUniformRuns(const PixelTaps& px, int64_t kk, int64_t c0, float s, DacF d, float* o) {
  // (d by value: a local copy, whose constants stay in registers across the stores to o)
  const vf sInvV = vbcast(s * d.invF);
  vf near{};
  for (int64_t t = 0; t < kk; t++) {
    const float* src = px.src[t];
    for (int j = 0; j < NV; j++)
      vstore(o + (t * NV + j) * W,
             dacLanes<true, false, CLIP>((src ? vload(src + c0 + j * W) : vf{}) * sInvV, d, near));
  }
  return !d.suspect(near);
}

/** Whether any tap of the pixel holds a NaN in its channels [c, c + n) (padding taps hold zeros). */
static inline bool tapsHaveNaN(const PixelTaps& px, int64_t kk, int64_t c, int64_t n) {
  for (int64_t t = 0; t < kk; t++)
    if (px.src[t] && hasNaN(px.src[t] + c, n)) return true;
  return false;
}

/** NV when every tap holds the same NV·W channels with NV = 1, 2 or 4 (the unrolled whole-channel paths), else 0. */
static inline int64_t uniformVectors(const TapRuns& tr) {
  const int64_t n = tr.uniformLen;
  return n == W || n == 2 * W || n == 4 * W ? n / W : 0;
}

/** uniformRunsAbsMax for nv = uniformVectors(tr) > 0. */
template <bool STORE>
static float uniformAbsMax(int64_t nv, const PixelTaps& px, int64_t kk, int64_t c0, float* o) {
  if (nv == 1) return uniformRunsAbsMax<1, STORE>(px, kk, c0, o);
  if (nv == 2) return uniformRunsAbsMax<2, STORE>(px, kk, c0, o);
  return uniformRunsAbsMax<4, STORE>(px, kk, c0, o);
}

/** Whether patchDacDirect applies: whole-channel taps (uniformVectors), NM abs-max and the presets' float DAC. */
static inline bool directDac(const TapRuns& tr, const AnalogIn& in) {
  return uniformVectors(tr) > 0 && in.nmMode == 1 && floatBoundLevels(in.step, in.bound);
}

/** dacUniformRuns for nv = uniformVectors(tr) > 0 (as uniformAbsMax). */
template <bool CLIP>
static bool uniformDac(int64_t nv, const PixelTaps& px, int64_t kk, int64_t c0, float s, const DacF& d, float* o) {
  if (nv == 1) return dacUniformRuns<1, CLIP>(px, kk, c0, s, d, o);
  if (nv == 2) return dacUniformRuns<2, CLIP>(px, kk, c0, s, d, o);
  return dacUniformRuns<4, CLIP>(px, kk, c0, s, d, o);
}

/**
 * The NM maximum and DAC of group g's vector of one pixel straight from the input (directDac), the result of
 * patchRowRunsMax then dacFromMax(forMvm) without the gathered copy; pv[K] is scratch for the rare vector with
 * an element near a tie (gathered and redone by quantRow). Returns the DAC scale (0: zero vector).
 */
static float patchDacDirect(const TapRuns& tr, const PixelTaps& px, int64_t g, const AnalogIn& in, const DacF& d,
                            double& nm, float* pv, float* vr) {
  const int64_t c = g * tr.cgOne + tr.lo[0], nv = uniformVectors(tr), K = tr.kk * tr.uniformLen;
  if (zeroVector(in, uniformAbsMax<false>(nv, px, tr.kk, c, nullptr), nm) && !tapsHaveNaN(px, tr.kk, c, nv * W)) {
    zeroFloats(vr, K);
    return 0.f;
  }
  const float s = nmScale(in, nm, 1.0);
  // (a scale too large for dacUniformRuns' one product goes the gathered way, as a vector near a tie)
  const bool clip = !(nm < in.nmCap && d.unclippedAtAbsMax);  // (nm = the maximum where it is below the cap)
  const bool ok = d.scaleFits(s) && (clip ? uniformDac<true>(nv, px, tr.kk, c, s, d, vr)
                                          : uniformDac<false>(nv, px, tr.kk, c, s, d, vr));
  if (!ok) {
    patchRowRuns(tr, px, g, 1, K, pv);
    quantRow(pv, s, K, in.step, in.bound, vr, true);
  }
  return s;
}

/**
 * patchRowRuns for one group g, returning the vector's NM maximum as rowMax computes it over the gathered
 * vector (abs: max |value| from 0, else max value from −∞, padding taps counting as +0; NaN never wins).
 * The maximum does not depend on the order of the comparisons (up to the sign of a zero maximum, which
 * dacFromMax treats alike), so it is taken while copying.
 */
static float patchRowRunsMax(const TapRuns& tr, const PixelTaps& px, int64_t g, bool abs, float* o) {
  const int64_t c0 = g * tr.cgOne;
  if (abs && uniformVectors(tr) > 0) return uniformAbsMax<true>(uniformVectors(tr), px, tr.kk, c0 + tr.lo[0], o);
  float m = abs ? 0.f : -INFINITY;
  vf acc = vbcast(m);
  for (int64_t t = 0; t < tr.kk;) {
    int64_t n = tr.len[t];
    float* d = o + tr.off[t];
    if (!px.src[t]) {
      zeroFloats(d, n);
      if (n > 0) m = 0.f > m ? 0.f : m;
      t++;
      continue;
    }
    const float* s = px.src[t] + c0 + tr.lo[t];
    // the next taps join the run while their channels continue it in x (in o they always do: off[t + 1] =
    // off[t] + len[t]): neighbours in a kernel row that hold all their channels, e.g. one run per kernel row
    // instead of one per tap in the few-channel first layers
    for (t++; t < tr.kk && px.src[t] && px.src[t] + c0 + tr.lo[t] == s + n; t++) n += tr.len[t];
    int64_t i = 0;
    for (; i + W <= n; i += W) {
      const vf a = vload(s + i), b = abs ? vabs(a) : a;
      acc = vmax(b, acc);
      vstore(d + i, a);
    }
    if (kMaskedTail && i < n) {  // the tail as one masked vector; the other lanes hold the maximum's neutral value
      const vf a = tailLoad(s + i, n - i, abs ? 0.f : -INFINITY);
      acc = vmax(abs ? vabs(a) : a, acc);
      tailStore(d + i, n - i, a);
      continue;
    }
    for (; i < n; i++) {
      const float a = s[i], b = abs ? std::fabs(a) : a;
      m = b > m ? b : m;
      d[i] = a;
    }
  }
  const float am = laneMax(acc);  // acc holds no NaN (a NaN value never wins vmax(b, acc))
  return am > m ? am : m;
}

/** W[m × K] with its columns in tap-major order: wp[o·K + i] = w[o·K + perm[i]]. */
static void permuteColumns(const TapRuns& tr, int64_t m, int64_t K, const float* w, float* wp) {
  for (int64_t o = 0; o < m; o++)
    for (int64_t i = 0; i < K; i++) wp[o * K + i] = w[o * K + tr.perm[i]];
}

}  // namespace KH_NS
}  // namespace kh

#pragma GCC pop_options
