// Convolutions on NHWC activations / OHWI weights as implicit GEMMs: no full im2col matrix is built; each
// task gathers the patches of one block of output pixels into a small per-thread buffer (or reads the
// activation in place for 1×1 stride-1 convolutions) and multiplies it with the packed weights, applying
// the fused epilogue while the output block is still in cache.
//   forward          Y[pix × Og]   = patches[pix × K] · W_gᵀ            (K = kH·kW·Cg)
//                    dense undilated k×k convolutions skip the patch gather: conv_direct.h
//   backward input   stride 1: a forward convolution of dy with flipped, transposed weights;
//                    dense strided: one direct convolution per stride phase (conv_phase.h);
//                    otherwise dcol[pix × K] = dY[pix × Og] · W_g, scattered back (col2im) per image
//   backward weight  dW_gᵀ[K × Og] = patchesᵀ[K × pix] · dY[pix × Og], per-thread partials reduced at the end;
//                    few input channels: kernel-row runs read in place (conv_rowtaps.h); conv_bwd_weight.h
#pragma once
#include "conv_direct.h"
#include "conv_phase.h"
#include "conv_rowtaps.h"
#include "gemm.h"

namespace kh {
namespace KH_NS {

static inline bool isPointwise(const ConvP& p) {
  return p.kH == 1 && p.kW == 1 && p.strideH == 1 && p.strideW == 1 && p.padTop == 0 && p.padLeft == 0 &&
         p.outH == p.inH && p.outW == p.inW;
}

/** Gathers patches of output pixels [r0, r0+rows) for group g into a[rows × K] (row-major). */
static void im2colRows(const ConvP& p, const float* x, int64_t g, int64_t r0, int64_t rows, float* a) {
  const int64_t cg = p.inC / p.groups, K = p.kH * p.kW * cg, hw = p.outH * p.outW;
  int64_t n = r0 / hw, oh = (r0 % hw) / p.outW, ow = r0 % p.outW;  // advanced incrementally (no divisions)
  const float* xg = x + g * cg;
  const bool contiguousTaps = p.groups == 1 && p.dilW == 1;
  for (int64_t r = 0; r < rows; r++) {
    float* dst = a + r * K;
    const int64_t ih0 = oh * p.strideH - p.padTop, iw0 = ow * p.strideW - p.padLeft;
    for (int64_t kh = 0; kh < p.kH; kh++) {
      const int64_t ih = ih0 + kh * p.dilH;
      if (ih < 0 || ih >= p.inH) {
        zeroFloats(dst, p.kW * cg);
        dst += p.kW * cg;
        continue;
      }
      const float* xr = xg + (n * p.inH + ih) * p.inW * p.inC;
      if (contiguousTaps && iw0 >= 0 && iw0 + p.kW <= p.inW) {  // the kW taps are one contiguous run
        copyFloats(dst, xr + iw0 * p.inC, p.kW * cg);
        dst += p.kW * cg;
        continue;
      }
      for (int64_t kw = 0, iw = iw0; kw < p.kW; kw++, iw += p.dilW, dst += cg) {
        if (iw < 0 || iw >= p.inW) zeroFloats(dst, cg);
        else copyFloats(dst, xr + iw * p.inC, cg);
      }
    }
    if (++ow == p.outW) {
      ow = 0;
      if (++oh == p.outH) {
        oh = 0;
        n++;
      }
    }
  }
}

/** Rows per task so that a task's patch block stays around 16 KiB (L1-resident while the kernel reads it). */
static int64_t rowsPerBlock(int64_t K, int64_t mr) {
  int64_t r = 4096 / (K > 0 ? K : 1);
  r = imax(mr, imin(r, 512));
  return ceilDiv(r, mr) * mr;
}

template <int MR, int NV>
static void convForwardT(const ConvP& p, const float* x, const float* w, float* y, const Epi& e) {
  constexpr int NR = NV * W;
  const int64_t cg = p.inC / p.groups, og = p.outC / p.groups, K = p.kH * p.kW * cg;
  const int64_t M = p.n * p.outH * p.outW;
  const bool direct = isPointwise(p);
  // Weights of every group packed once (shared read-only by all tasks).
  const int64_t panel = packedBSize(K, og, NR);
  float* wp = scratch(0, 4, static_cast<size_t>(panel) * p.groups);
  for (int64_t g = 0; g < p.groups; g++) packB<NR>(true, w + g * og * K, K, K, og, wp + g * panel);
  const int64_t rb = rowsPerBlock(K, MR);
  auto f = [&](int64_t t, int tid) {
    const int64_t r0 = t * rb, rows = imin(rb, M - r0);
    float* a = direct ? nullptr : scratch(tid, 2, static_cast<size_t>(rows) * K);
    for (int64_t g = 0; g < p.groups; g++) {
      const float* ap = x + r0 * p.inC + g * cg;
      int64_t lda = p.inC;
      if (!direct) {
        im2colRows(p, x, g, r0, rows, a);
        ap = a;
        lda = K;
      }
      float* yp = y + r0 * p.outC + g * og;
      macroKernel<MR, NV>(rows, og, K, ap, lda, wp + g * panel, yp, p.outC, Store{1.f, 0.f, true}, tid);
      if (!e.empty()) {
        const float* res = e.residual ? e.residual + r0 * p.outC + g * og : nullptr;
        epilogueBlock(yp, p.outC, yp, p.outC, rows, og, g * og, e, res, p.outC);
      }
    }
  };
  prun(ceilDiv(M, rb), 2.0 * M * K * p.outC, f);
}

static void depthwiseForward(const ConvP& p, const float* x, const float* w, float* y, const Epi& e);
static void depthwiseBackwardInput(const ConvP& p, const float* dy, const float* w, float* dx);
static void depthwiseBackwardWeight(const ConvP& p, const float* x, const float* dy, float* dw, float* dbias);

static inline bool isDepthwise(const ConvP& p) {
  return p.groups > 1 && p.groups == p.inC && p.groups == p.outC && p.kH * p.kW <= 1024;
}

static void convForward(const ConvP& p, const float* x, const float* w, float* y, const Epi& e) {
  if (p.n * p.outH * p.outW * p.outC == 0) return;
  if (isDepthwise(p)) return depthwiseForward(p, x, w, y, e);
  if (directConvApplies(p)) return convForwardDirect(p, x, w, y, e);
  if (p.outC / p.groups <= W) convForwardT<kMrNarrow, 1>(p, x, w, y, e);
  else convForwardT<kMrWide, 2>(p, x, w, y, e);
}

/** Backward input through col2im, for strided convolutions; parallel over images (no write conflicts). */
template <int MR, int NV>
static void convBackwardInputCol2im(const ConvP& p, const float* dy, const float* w, float* dx) {
  constexpr int NR = NV * W;
  const int64_t cg = p.inC / p.groups, og = p.outC / p.groups, K = p.kH * p.kW * cg, hw = p.outH * p.outW;
  const int64_t panel = packedBSize(og, K, NR);
  float* wp = scratch(0, 4, static_cast<size_t>(panel) * p.groups);
  for (int64_t g = 0; g < p.groups; g++) packB<NR>(false, w + g * og * K, K, og, K, wp + g * panel);
  const int64_t rb = rowsPerBlock(K, MR);
  auto f = [&](int64_t n, int tid) {
    float* dxn = dx + n * p.inH * p.inW * p.inC;
    memset(dxn, 0, sizeof(float) * p.inH * p.inW * p.inC);
    float* col = scratch(tid, 2, static_cast<size_t>(rb) * K);
    for (int64_t r0 = 0; r0 < hw; r0 += rb) {
      const int64_t rows = imin(rb, hw - r0);
      for (int64_t g = 0; g < p.groups; g++) {
        const float* ap = dy + (n * hw + r0) * p.outC + g * og;
        macroKernel<MR, NV>(rows, K, og, ap, p.outC, wp + g * panel, col, K, Store{1.f, 0.f, true}, tid);
        for (int64_t r = 0; r < rows; r++) {
          const int64_t oh = (r0 + r) / p.outW, ow = (r0 + r) % p.outW;
          const float* src = col + r * K;
          for (int64_t kh = 0; kh < p.kH; kh++) {
            const int64_t ih = oh * p.strideH - p.padTop + kh * p.dilH;
            for (int64_t kw = 0; kw < p.kW; kw++, src += cg) {
              const int64_t iw = ow * p.strideW - p.padLeft + kw * p.dilW;
              if (ih < 0 || ih >= p.inH || iw < 0 || iw >= p.inW) continue;
              float* d = dxn + (ih * p.inW + iw) * p.inC + g * cg;
              for (int64_t c = 0; c < cg; c++) d[c] += src[c];
            }
          }
        }
      }
    }
  };
  prun(p.n, 2.0 * p.n * hw * K * p.outC, f);
}

static void convBackwardInput(const ConvP& p, const float* dy, const float* w, float* dx) {
  const int64_t xs = p.n * p.inH * p.inW * p.inC;
  if (xs == 0) return;
  if (p.n * p.outH * p.outW * p.outC == 0) return (void)memset(dx, 0, sizeof(float) * xs);
  if (isDepthwise(p)) return depthwiseBackwardInput(p, dy, w, dx);
  const int64_t cg = p.inC / p.groups, og = p.outC / p.groups, taps = p.kH * p.kW;
  if (p.strideH == 1 && p.strideW == 1) {
    // dx = conv(dy, w') with w'[g*cg+ci][kH-1-kh][kW-1-kw][o] = w[g*og+o][kh][kw][ci] and padding
    // dil·(k-1) − pad (may be negative: the patch gather bounds-checks every tap).
    float* wt = scratch(0, 5, static_cast<size_t>(p.outC) * taps * cg);
    for (int64_t g = 0; g < p.groups; g++)
      for (int64_t o = 0; o < og; o++)
        for (int64_t t = 0; t < taps; t++)
          for (int64_t ci = 0; ci < cg; ci++)
            wt[((g * cg + ci) * taps + (taps - 1 - t)) * og + o] = w[((g * og + o) * taps + t) * cg + ci];
    const ConvP q{p.n, p.outH, p.outW, p.outC, p.inH, p.inW, p.inC, p.kH, p.kW, 1, 1,
                  p.dilH * (p.kH - 1) - p.padTop, p.dilW * (p.kW - 1) - p.padLeft, p.dilH, p.dilW, p.groups};
    const Epi none;
    if (directConvApplies(q)) return convForwardDirect(q, dy, wt, dx, none);
    if (cg <= W) convForwardT<kMrNarrow, 1>(q, dy, wt, dx, none);
    else convForwardT<kMrWide, 2>(q, dy, wt, dx, none);
    return;
  }
  if (phaseSplitApplies(p)) return convBackwardInputPhases(p, dy, w, dx);
  const int64_t K = taps * cg;
  if (K <= W) convBackwardInputCol2im<kMrNarrow, 1>(p, dy, w, dx);
  else convBackwardInputCol2im<kMrWide, 2>(p, dy, w, dx);
}

}  // namespace KH_NS
}  // namespace kh

#include "conv_bwd_weight.h"  // the backward-weight family, split out for size
