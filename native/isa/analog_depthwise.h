// Depthwise conv tiles (one input channel per group, m = 1) in the fused analog tile kernel, for inputs
// gathered from the NHWC layer input (AnalogTileArgs.patches). A pixel's G vectors stay in the input's own
// [tap][channel] layout, so every step runs across the G channels with contiguous loads: the NM scale per
// channel (the comparisons of shortMax, in tap order), the DAC per tap (a scale per channel) and the G dot
// products as groupDots' chains (dotStep, analog_tile_dots.h), so the numbers are exactly those of groupDots.
// In the common configuration (NM per vector, the all-float DAC of quantLoopF with a float bound) whole
// vectors of W channels run every step in registers (depthwiseBlocks); other channels take the array steps.
#pragma once
#include "analog_dac.h"
#include "analog_patch.h"
#include "analog_tile_dots.h"

// as analog_dac.h (whose helpers inline only into functions with the same options); the dot products use
// explicit FMA (dotStep, dotStepV), so they do not depend on contraction
#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")

namespace kh {
namespace KH_NS {

/** The tile weights w[G × kk] (m = 1) transposed to [kk × G], as depthwisePixel reads them. */
static void depthwiseWeights(int64_t G, int64_t kk, const float* w, float* wT) {
  for (int64_t g = 0; g < G; g++)
    for (int64_t t = 0; t < kk; t++) wT[t * G + g] = w[g * kk + t];
}

/**
 * Whether depthwiseBlocks applies: NM computed per vector and quantLoopF<true, true>'s DAC (a float step with
 * < 2^21 levels per side, a float bound).
 */
static inline bool depthwiseBlocksApply(const AnalogIn& in, bool computeNm) {
  return computeNm && floatBoundLevels(in.step, in.bound);
}

/**
 * depthwiseBlocks' DAC and dot products for the channels c0 .. c0+G−1 (G a multiple of W) at the DAC scales sc;
 * CLIP = false leaves out the clip to ±bound where the caller proved it an identity (DacF::unclippedAtAbsMax).
 * Returns false where a scale is too large for the one-product level argument (DacF::scaleFits).
 */
template <bool CLIP>
static bool depthwiseDots(const PixelTaps& px, int64_t c0, int64_t G, int64_t ldw, int64_t kk, const AnalogIn& in,
                          const DacF& dc, const float* __restrict wT, const float* __restrict sc, float* __restrict d) {
  const float* const* src = px.src.data();
  for (int64_t g = 0; g < G; g += W) {
    // one scale per vector (lane), so the level argument is quantLoopF's x·fround(s·fround(1/step)), whose float
    // error bound and tie slack hold as for any vector with one scale
    const vf s = vload(sc + g), sInv = s * vbcast(dc.invF);
    if (!dc.scalesFit(s)) return false;
    vf acc{}, near{};  // near: the largest |level argument − its rint| (dacLanes)
    for (int64_t t = 0; t < kk; t++) {
      const float* x = src[t];
      if (!x) {  // the DAC of a padding 0 is +0 at any scale
        acc = dotStepV(acc, vf{}, vload(wT + t * ldw + g));
        continue;
      }
      // (no + 0 on the levels: see below)
      acc = dotStepV(acc, dacLanes<true, false, CLIP>(vload(x + c0 + g) * sInv, dc, near), vload(wT + t * ldw + g));
    }
    if (dc.suspect(near)) {  // rare: a level within the float slack of a tie
      const double invStep = 1.0 / in.step;
      alignas(64) float dg[W];
      for (int64_t l = 0; l < W; l++) {
        const float sl = sc[g + l], sInvL = sl * dc.invF;
        float a = 0.f;
        for (int64_t t = 0; t < kk; t++) {
          const float* x = px.src[t];
          const float xl = x ? x[c0 + g + l] : 0.f;
          const float q = x ? dacOne<true>(levelArg(xl * sInvL, dc.c), xl * sl, dc, invStep, in.step) : 0.f;
          a = dotStep(a, q, wT[t * ldw + g + l]);
        }
        dg[l] = a;
      }
      acc = vload(dg);
    }
    // scale 0: an exact-zero vector, d = acc − acc = +0, unless a tap is NaN or ∞ (x·0 is then NaN, and so are
    // acc and d): the NM maximum never takes a NaN, so a NaN among zeros has scale 0 here (as has a vector
    // with an ∞, scale 1/∞), and the NaN must reach d
    vstore(d + g, s != vf{} ? acc : acc - acc);
  }
  return true;
}

/**
 * depthwiseLanes for the channels c0 .. c0+G−1 in whole vectors of W (G a multiple of W), each vector's NM
 * maximum, DAC levels and dot-product chains in registers, with the arithmetic of scalesFromMax, quantLoopF and
 * dotStep, except that a zero level keeps vrint's sign: it only ever meets the dot-product chain, which starts
 * from +0 and so never holds −0 (+0 + −0 = +0). A vector with scale 0 (exact zero) gets d = +0 at the end, or
 * NaN where a tap is NaN or ∞.
 * Where a DAC level lies within the float slack of a tie, the W vectors are redone lane by lane with quantLoopF's
 * exact double path for those levels (quantStep), as its second pass does. wT rows have stride ldw; dc holds
 * quantLoopF's constants for in.step and in.bound (the tile kernel's, made once per call). Returns false, with
 * nothing final written, where a DAC scale is too large for the one-product level argument (DacF::scaleFits,
 * NM maxima below ~4e-37): the caller then runs depthwiseLanes.
 */
static bool depthwiseBlocks(const PixelTaps& px, int64_t c0, int64_t G, int64_t ldw, int64_t kk, const AnalogIn& in,
                            const DacF& dc, const float* __restrict wT, double* __restrict nm, float* __restrict sc,
                            float* __restrict mx, float* __restrict d) {
  const bool abs = in.nmMode != 2;
  const float* const* src = px.src.data();
  for (int64_t g = 0; g < G; g += W) {
    vf m = vbcast(abs ? 0.f : -INFINITY);
    for (int64_t t = 0; t < kk; t++) {
      const float* s = src[t];
      const vf a = s ? vload(s + c0 + g) : vf{};  // padding: a +0 element
      m = vmax(abs ? vabs(a) : a, m);
    }
    vstore(mx + g, m);
  }
  const bool capped = scalesFromMax(mx, G, in, nm, sc);
  if (abs && !capped && dc.unclippedAtAbsMax) return depthwiseDots<false>(px, c0, G, ldw, kk, in, dc, wT, sc, d);
  if (!depthwiseDots<true>(px, c0, G, ldw, kk, in, dc, wT, sc, d)) return false;
  if (!abs) zeroVectorOutputs(G, in, mx, d, [&](int64_t g) { return tapsHaveNaN(px, kk, c0 + g, 1); });
  return true;
}

/**
 * One pixel of G depthwise vectors (channels c0..c0+G−1) with the transposed weights wT[kk × ldw]: writes
 * nm[g] (with computeNm), the DAC scale sc[g] (0: exact-zero vector) and the dot products d[g]; mx[G] and
 * v[kk × G] are scratch.
 */
static void depthwiseLanes(const PixelTaps& px, int64_t c0, int64_t G, int64_t ldw, int64_t kk, const AnalogIn& in,
                           bool computeNm, const float* __restrict wT, double* __restrict nm, float* __restrict sc,
                           float* __restrict mx, float* __restrict v, float* __restrict d) {
  if (computeNm) {
    const bool abs = in.nmMode != 2;
    const float init = abs ? 0.f : -INFINITY;
    for (int64_t g = 0; g < G; g++) mx[g] = init;
    for (int64_t t = 0; t < kk; t++) {
      const float* s = px.src[t];
      if (!s) {  // padding: a +0 element
        for (int64_t g = 0; g < G; g++) mx[g] = 0.f > mx[g] ? 0.f : mx[g];
      } else if (abs) {
        for (int64_t g = 0; g < G; g++) {
          const float a = std::fabs(s[c0 + g]);
          mx[g] = a > mx[g] ? a : mx[g];
        }
      } else {
        for (int64_t g = 0; g < G; g++) mx[g] = s[c0 + g] > mx[g] ? s[c0 + g] : mx[g];
      }
    }
    scalesFromMax(mx, G, in, nm, sc);
  } else {
    scalesFromNm(G, in, nm, sc);
  }
  // a vector with scale 0 quantises to +0, or to NaN where x·0 is NaN (as groupRowDots); the DAC of a padding 0
  // is +0, or NaN at scale ∞ (NM maxima below ~2.9e-39), as 0·∞ in the reference's gathered vector
  for (int64_t t = 0; t < kk; t++) {
    if (px.src[t]) {
      quantAny<true>(px.src[t] + c0, 0.f, sc, G, in.step, in.bound, v + t * G);
    } else {
      for (int64_t g = 0; g < G; g++) v[t * G + g] = std::isinf(sc[g]) ? NAN : 0.f;
    }
  }
  // the dot products: groupDots' chains (dotStep over the taps in order, from +0), run across the G channels
  for (int64_t g = 0; g < G; g++) d[g] = 0.f;
  for (int64_t t = 0; t < kk; t++)
    for (int64_t g = 0; g < G; g++) d[g] = dotStep(d[g], v[t * G + g], wT[t * ldw + g]);
  if (computeNm) zeroVectorOutputs(G, in, mx, d, [&](int64_t g) { return tapsHaveNaN(px, kk, c0 + g, 1); });
}

/**
 * One pixel of G depthwise vectors (channels c0..c0+G−1) with the transposed weights wT[kk × G]: writes
 * nm[g] (with computeNm), the DAC scale sc[g] (0: exact-zero vector) and the dot products d[g]; mx[G] and
 * v[kk × G] are scratch; dc = DacF(1/in.step, in.step, in.bound), made once by the caller.
 */
static void depthwisePixel(const PixelTaps& px, int64_t c0, int64_t G, int64_t kk, const AnalogIn& in,
                           const DacF& dc, bool computeNm, const float* __restrict wT, double* __restrict nm,
                           float* __restrict sc, float* __restrict mx, float* __restrict v, float* __restrict d) {
  int64_t gb = depthwiseBlocksApply(in, computeNm) ? G / W * W : 0;
  if (gb > 0 && !depthwiseBlocks(px, c0, gb, G, kk, in, dc, wT, nm, sc, mx, d)) gb = 0;
  if (gb < G)
    depthwiseLanes(px, c0 + gb, G - gb, G, kk, in, computeNm, wT + gb, nm + gb, sc + gb, mx + gb, v, d + gb);
}

}  // namespace KH_NS
}  // namespace kh

#pragma GCC pop_options
