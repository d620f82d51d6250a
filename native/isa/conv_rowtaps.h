// Backward-weight of dense convolutions with few input channels (ResNet-8's 3-channel stem): for a kernel
// row kh, the kW·Cin taps of an output pixel are one contiguous run of the zero-padded input row, so
//   dW[:, kh, :, :] (og × kW·Cin) += dY_rowᵀ · X_run
// with each pixel's run read in place, W floats wide at a pixel stride of strideW·Cin (the columns past
// kW·Cin are computed and dropped). This replaces the per-pixel patch packing of convBackwardWeightT, which
// for 3 channels moved 27 floats per pixel in runs of 3 and cost more than the GEMM itself.
#pragma once
#include "gemm.h"

namespace kh {
namespace KH_NS {

/** True when the row-tap path applies and wastes at most half of the computed columns. */
static inline bool rowTapsApply(const ConvP& p) {
  const int64_t kc = p.kW * p.inC, kcp = ceilDiv(kc, W) * W;
  return p.groups == 1 && p.dilH == 1 && p.dilW == 1 && p.padTop >= 0 && p.padLeft >= 0 && p.inC % W != 0 &&
         p.outC >= 8 && 2 * kc >= kcp && kcp <= 4 * W;
}

template <int MR>
static void convBackwardWeightRowTaps(const ConvP& p, const float* x, const float* dy, float* dw, float* dbias) {
  const int64_t og = p.outC, C = p.inC, kc = p.kW * C, kcp = ceilDiv(kc, W) * W, K = p.kH * kc;
  const int64_t ldp = p.kH * kcp, psize = og * ldp, ogp = ceilDiv(og, MR) * MR;
  // Padded image slab: padLeft zero pixels, the row, zeros up to the last run's end plus one vector of slack.
  const int64_t wpx = imax(p.padLeft + p.inW, (p.outW - 1) * p.strideW + p.kW);
  const int64_t rowStride = wpx * C + kcp;
  const int nt = 2.0 * p.n * p.outH * p.outW * K * og < 2e6 ? 1 : threadCount();
  const int64_t chunk = ceilDiv(p.n, nt);
  float* parts[256];
  auto f = [&](int64_t t, int tid) {
    // Task t owns images [t·chunk, (t+1)·chunk) and a partial dW in the padded layout [og][kH][kcp] + dbias.
    float* part = scratch(static_cast<int>(t), 3, static_cast<size_t>(psize + og));
    parts[t] = part;
    memset(part, 0, sizeof(float) * (psize + og));
    float* at = scratch(tid, 2, static_cast<size_t>(ogp * p.outW));
    float* slab = scratch(tid, 1, static_cast<size_t>(p.inH * rowStride));
    alignas(64) float tile[MR * W];
    for (int64_t n = t * chunk; n < imin(p.n, (t + 1) * chunk); n++) {
      for (int64_t ih = 0; ih < p.inH; ih++) {
        float* d = slab + ih * rowStride;
        zeroFloats(d, p.padLeft * C);
        copyFloats(d + p.padLeft * C, x + (n * p.inH + ih) * p.inW * C, p.inW * C);
        zeroFloats(d + (p.padLeft + p.inW) * C, rowStride - (p.padLeft + p.inW) * C);
      }
      for (int64_t oh = 0; oh < p.outH; oh++) {
        const float* dyr = dy + (n * p.outH + oh) * p.outW * og;
        // A = dY rowᵀ packed MR-interleaved: at[(o/MR)*outW*MR + ow*MR + o%MR]; with og = MR that is dY itself.
        const float* arow = dyr;
        if (og != MR) {
          for (int64_t o0 = 0; o0 < og; o0 += MR) {
            const int64_t mr = imin(MR, og - o0);
            float* dst = at + o0 * p.outW;
            for (int64_t ow = 0; ow < p.outW; ow++, dst += MR) {
              const float* s = dyr + ow * og + o0;
              if (mr == MR) {
                copyFloats(dst, s, MR);
                continue;
              }
              for (int64_t i = 0; i < MR; i++) dst[i] = i < mr ? s[i] : 0.f;
            }
          }
          arow = at;
        }
        for (int64_t kh = 0; kh < p.kH; kh++) {
          const int64_t ih = oh * p.strideH - p.padTop + kh;
          if (ih < 0 || ih >= p.inH) continue;
          const float* run = slab + ih * rowStride;  // output pixel ow's run starts at ow·strideW·C
          for (int64_t o0 = 0; o0 < og; o0 += MR) {
            const int64_t mr = imin(MR, og - o0);
            const float* a = arow + o0 * p.outW;
            for (int64_t c0 = 0; c0 < kc; c0 += W) {
              float* c = part + o0 * ldp + kh * kcp + c0;
              if (mr == MR) {
                microKernel<MR, 1, true>(p.outW, a, 0, run + c0, c, ldp, Store{1.f, 0.f, false}, p.strideW * C);
                continue;
              }
              microKernel<MR, 1, true>(p.outW, a, 0, run + c0, tile, W, Store{1.f, 0.f, true}, p.strideW * C);
              for (int64_t i = 0; i < mr; i++)
                for (int64_t j = 0; j < W; j++) c[i * ldp + j] += tile[i * W + j];
            }
          }
        }
        float* pb = part + psize;
        for (int64_t ow = 0; ow < p.outW; ow++)
          for (int64_t o = 0; o < og; o++) pb[o] += dyr[ow * og + o];
      }
    }
  };
  if (nt <= 1) f(0, 0);
  else pfor(nt, f);
  for (int64_t o = 0; o < og; o++)
    for (int64_t kh = 0; kh < p.kH; kh++)
      for (int64_t j = 0; j < kc; j++) {
        float s = 0.f;
        for (int t = 0; t < nt; t++) s += parts[t][o * ldp + kh * kcp + j];
        dw[o * K + kh * kc + j] = s;
      }
  if (dbias)
    for (int64_t o = 0; o < og; o++) {
      float s = 0.f;
      for (int t = 0; t < nt; t++) s += parts[t][psize + o];
      dbias[o] = s;
    }
}

}  // namespace KH_NS
}  // namespace kh
