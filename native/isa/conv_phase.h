// Backward input of strided dense convolutions by stride phases (sub-pixel decomposition): input pixels
// whose coordinates share the same residue (ih + padTop) mod strideH, (iw + padLeft) mod strideW form one
// phase, and each phase receives gradient only from the kernel taps kh ≡ residue (mod stride). Every phase
// is therefore a dense stride-1 correlation of dy with a flipped sub-kernel — computed with the direct
// convolution tiles of conv_direct.h, writing straight into dx at the phase's strided positions. No
// column buffer, no scatter-add and no zero taps (col2im multiplies every tap and then adds the columns
// back one pixel at a time; measured 0.54× PyTorch for ResNet-8's 3×3 stride-2 layers).
//
// For residue rh, kernel rows kh = rh + s·j (j < nj); input row ih = q·s + rh − padTop receives
// Σ_j dy[q − j] · w[rh + s·j], i.e. a correlation over dy rows q − (nj−1) … q with the taps reversed.
#pragma once
#include "conv_direct.h"

namespace kh {
namespace KH_NS {

/**
 * True when convBackwardInputPhases handles p: dense, undilated, strided, and every phase has a tap. (1×1
 * stride-2 shortcuts stay on col2im: with 3 of 4 phases zero, measured 0.86 → 1.27 ms for ResNet-8's
 * 32×32×16 one, one memset plus a sparse add beats strided zero stores.)
 */
static inline bool phaseSplitApplies(const ConvP& p) {
  return p.groups == 1 && p.dilH == 1 && p.dilW == 1 && (p.strideH > 1 || p.strideW > 1) &&
         p.kH >= p.strideH && p.kW >= p.strideW && p.padTop >= 0 && p.padLeft >= 0 && p.inC <= 4 * W * 4;
}

/** Geometry of one phase along one axis: residue, taps, and the range [q0, q1) of phase coordinates. */
struct PhaseAxis {
  int64_t r, nj, q0, q1;
};

static inline PhaseAxis phaseAxis(int64_t r, int64_t k, int64_t s, int64_t pad, int64_t in) {
  PhaseAxis a{r, ceilDiv(k - r, s), 0, 0};
  a.q0 = pad > r ? ceilDiv(pad - r, s) : 0;  // first q with q·s + r − pad ≥ 0
  a.q1 = in - 1 + pad - r >= 0 ? (in - 1 + pad - r) / s + 1 : 0;
  return a;
}

template <int NV>
static void convBackwardInputPhasesT(const ConvP& p, const float* dy, const float* w, float* dx) {
  constexpr int NR = NV * W, MR = DirectMr<NV>::value;
  const int64_t og = p.outC, cg = p.inC, sH = p.strideH, sW = p.strideW, nPh = sH * sW;
  const int64_t njwMax = ceilDiv(p.kW, sW), njhMax = ceilDiv(p.kH, sH);
  // Packed sub-kernels of every phase: B[(jh·njw + jw)·og + o][ci] = w[o][rh + sH(njh−1−jh)][rw + sW(njw−1−jw)][ci].
  const int64_t kMax = njhMax * njwMax * og, phPanel = packedBSize(kMax, cg, NR);
  float* wp = scratch(0, 4, static_cast<size_t>(phPanel * nPh));
  float* wt = scratch(0, 5, static_cast<size_t>(kMax * cg));
  for (int64_t ph = 0; ph < nPh; ph++) {
    const int64_t rh = ph / sW, rw = ph % sW, njh = ceilDiv(p.kH - rh, sH), njw = ceilDiv(p.kW - rw, sW);
    for (int64_t jh = 0; jh < njh; jh++)
      for (int64_t jw = 0; jw < njw; jw++)
        for (int64_t o = 0; o < og; o++) {
          const int64_t kh = rh + sH * (njh - 1 - jh), kw = rw + sW * (njw - 1 - jw);
          copyFloats(wt + ((jh * njw + jw) * og + o) * cg, w + ((o * p.kH + kh) * p.kW + kw) * cg, cg);
        }
    packB<NR>(false, wt, cg, njh * njw * og, cg, wp + ph * phPanel);
  }
  // Slab: one dy image with njw−1 zero columns on the left and zeros past its right edge, wide enough for
  // the last phase column of any residue (q1 ≤ (inW − 1 + padLeft)/sW + 1) plus its taps.
  const int64_t wpx = imax(p.outW, (p.inW - 1 + p.padLeft) / sW + 1) + 2 * njwMax, rowStride = wpx * og;
  auto f = [&](int64_t t, int tid) {
    const int64_t n = t / nPh, ph = t % nPh;
    const PhaseAxis ah = phaseAxis(ph / sW, p.kH, sH, p.padTop, p.inH);
    const PhaseAxis aw = phaseAxis(ph % sW, p.kW, sW, p.padLeft, p.inW);
    if (ah.q1 <= ah.q0 || aw.q1 <= aw.q0) return;
    const int64_t padL = aw.nj - 1;
    float* slab = scratch(tid, 2, static_cast<size_t>(p.outH * rowStride));
    for (int64_t oh = 0; oh < p.outH; oh++) {
      float* dst = slab + oh * rowStride;
      zeroFloats(dst, padL * og);
      copyFloats(dst + padL * og, dy + (n * p.outH + oh) * p.outW * og, p.outW * og);
      zeroFloats(dst + (padL + p.outW) * og, (wpx - padL - p.outW) * og);
    }
    const float* bph = wp + ph * phPanel;
    const int64_t kc = aw.nj * og, slStride = sliverStride(ah.nj * kc, NR);  // as packB laid it out
    for (int64_t q = ah.q0; q < ah.q1; q++) {
      const int64_t top = q - (ah.nj - 1);  // dy row of sub-kernel row 0
      const int64_t j0 = imax(0, -top), j1 = imin(ah.nj, p.outH - top);
      // Columns past dy's right edge read the slab's zero padding.
      const float* a = slab + (j1 > j0 ? (top + j0) * rowStride : 0) + aw.q0 * og;
      const int64_t ih = q * sH + ah.r - p.padTop;
      float* y = dx + ((n * p.inH + ih) * p.inW + aw.q0 * sW + aw.r - p.padLeft) * cg;
      for (int64_t c0 = 0; c0 < cg; c0 += NR) {
        const DirectRow d{imax(0, j1 - j0), kc, og, rowStride, sW * cg, imin(NR, cg - c0)};
        const float* b = bph + (c0 / NR) * slStride + j0 * kc * NR;
        if (d.nk == 0) {  // no dy row reaches these pixels (possible when the input is not fully covered)
          for (int64_t r = 0; r < aw.q1 - aw.q0; r++) zeroFloats(y + r * d.ldc + c0, d.ncols);
          continue;
        }
        directRowTiles<MR, NV>(d, 0, aw.q1 - aw.q0, a, b, y + c0);
      }
    }
  };
  prun(p.n * nPh, 2.0 * p.n * p.outH * p.outW * p.kH * p.kW * cg * og, f);
}

/** Strided backward input by stride phases; requires phaseSplitApplies(p). */
static void convBackwardInputPhases(const ConvP& p, const float* dy, const float* w, float* dx) {
  const int64_t nv = ceilDiv(p.inC, W);
  if (nv <= 1) convBackwardInputPhasesT<1>(p, dy, w, dx);
  else if (nv <= 2) convBackwardInputPhasesT<2>(p, dy, w, dx);
  else convBackwardInputPhasesT<4>(p, dy, w, dx);
}

}  // namespace KH_NS
}  // namespace kh
