// Depthwise conv tiles (one input channel per group, m = 1) in the fused analog tile kernel, for inputs
// gathered from the NHWC layer input (AnalogTileArgs.patches). A pixel's G vectors stay in the input's own
// [tap][channel] layout, so every step runs across the G channels with contiguous loads: the NM scale per
// channel (the comparisons of shortMax, in tap order), the DAC per tap (a scale per channel) and the G dot
// products as groupDots' chains (dotStep, analog_tile_dots.h), so the numbers are exactly those of groupDots.
#pragma once
#include "analog_dac.h"
#include "analog_patch.h"
#include "analog_tile_dots.h"

namespace kh {
namespace KH_NS {

/** The tile weights w[G × kk] (m = 1) transposed to [kk × G], as depthwisePixel reads them. */
static void depthwiseWeights(int64_t G, int64_t kk, const float* w, float* wT) {
  for (int64_t g = 0; g < G; g++)
    for (int64_t t = 0; t < kk; t++) wT[t * G + g] = w[g * kk + t];
}

/**
 * One pixel of G depthwise vectors (channels c0..c0+G−1) with the transposed weights wT[kk × G]: writes
 * nm[g] (with computeNm), the DAC scale sc[g] (0: exact-zero vector) and the dot products d[g]; mx[G] and
 * v[kk × G] are scratch.
 */
static void depthwisePixel(const PixelTaps& px, int64_t c0, int64_t G, int64_t kk, const AnalogIn& in,
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
  int64_t zeros = 0;
  for (int64_t g = 0; g < G; g++) zeros += sc[g] == 0.f;
  for (int64_t t = 0; t < kk; t++) {
    if (px.src[t]) quantAny<true>(px.src[t] + c0, 0.f, sc, G, in.step, in.bound, v + t * G);
    else zeroFloats(v + t * G, G);  // the DAC of 0 is +0 at any scale
    if (zeros > 0)
      for (int64_t g = 0; g < G; g++)
        if (sc[g] == 0.f) v[t * G + g] = 0.f;
  }
  // the dot products: groupDots' chains (dotStep over the taps in order, from +0), run across the G channels
  for (int64_t g = 0; g < G; g++) d[g] = 0.f;
  for (int64_t t = 0; t < kk; t++)
    for (int64_t g = 0; g < G; g++) d[g] = dotStep(d[g], v[t * G + g], wT[t * G + g]);
}

}  // namespace KH_NS
}  // namespace kh
