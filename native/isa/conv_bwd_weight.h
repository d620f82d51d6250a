// Convolution backward-weight on NHWC activations / OHWI weights (see conv.h for the overview):
//   dW_gᵀ[K × Og] = patchesᵀ[K × pix] · dY[pix × Og], patches packed straight into GEMM slivers, per-thread
//   partials reduced at the end; dense undilated convolutions use the direct per-tap form; few input
//   channels read kernel-row runs in place (conv_rowtaps.h); depthwise goes to depthwise.h.
#pragma once
#include "conv.h"

namespace kh {
namespace KH_NS {
/** One output pixel's patch into sliver rows starting at d (bounds-checked per tap; zero outside). */
template <int NR>
static void packPatchRow(const ConvP& p, const float* xg, int64_t n, int64_t ih0, int64_t iw0, int64_t cg,
                         int64_t slStride, float* d) {
  int64_t off = 0;  // position inside the current sliver row
  for (int64_t kh = 0; kh < p.kH; kh++) {
    const int64_t ih = ih0 + kh * p.dilH;
    const bool rowIn = ih >= 0 && ih < p.inH;
    const float* xr = xg + (n * p.inH + ih) * p.inW * p.inC;
    for (int64_t kw = 0, iw = iw0; kw < p.kW; kw++, iw += p.dilW) {
      const bool inside = rowIn && iw >= 0 && iw < p.inW;
      const float* src = inside ? xr + iw * p.inC : nullptr;
      for (int64_t c = 0; c < cg;) {  // split the run at sliver boundaries
        const int64_t len = imin(cg - c, NR - off);
        if (inside) copyFloats(d + off, src + c, len);
        else zeroFloats(d + off, len);
        c += len;
        off += len;
        if (off == NR) {
          off = 0;
          d += slStride;
        }
      }
    }
  }
  if (off) zeroFloats(d + off, NR - off);  // pad K up to Kp
}

/**
 * Packs the patches of output pixels [r0, r0+rows) (group g) as the B operand of dW = dYᵀ·patches:
 * B(p = pixel, j = k) into NR-wide slivers bp[(j/NR)*sliverStride(rows) + p*NR + j%NR], zero padded past K.
 */
template <int NR>
static void packPatches(const ConvP& p, const float* x, int64_t g, int64_t r0, int64_t rows, float* bp) {
  const int64_t cg = p.inC / p.groups, hw = p.outH * p.outW, K = p.kH * p.kW * cg;
  const int64_t slStride = sliverStride(rows, NR);
  int64_t n = r0 / hw, oh = (r0 % hw) / p.outW, ow = r0 % p.outW;  // advanced incrementally
  const float* xg = x + g * cg;
  // Interior pixels (every tap inside the image) gather through a table of tap offsets relative to the
  // patch's top-left input pixel: no bounds checks and no short copies split at sliver boundaries. For the
  // few-channel first layers (ResNet-8 3 channels, DS-CNN 1) the per-tap copies cost ~4x the GEMM itself.
  constexpr int64_t kMaxTab = 512;
  int32_t tab[kMaxTab];
  const bool useTab = K <= kMaxTab && (static_cast<double>(p.kH) * p.dilH * p.inW + p.kW * p.dilW) * p.inC < 2e9;
  if (useTab)
    for (int64_t kh = 0, j = 0; kh < p.kH; kh++)
      for (int64_t kw = 0; kw < p.kW; kw++)
        for (int64_t c = 0; c < cg; c++, j++)
          tab[j] = static_cast<int32_t>((kh * p.dilH * p.inW + kw * p.dilW) * p.inC + c);
  const int64_t fullSlivers = K / NR, tail = K % NR;
  for (int64_t r = 0; r < rows; r++) {
    float* d = bp + r * NR;  // this pixel's row in the first sliver
    const int64_t ih0 = oh * p.strideH - p.padTop, iw0 = ow * p.strideW - p.padLeft;
    if (useTab && ih0 >= 0 && ih0 + (p.kH - 1) * p.dilH < p.inH && iw0 >= 0 &&
        iw0 + (p.kW - 1) * p.dilW < p.inW) {
      const float* src = xg + ((n * p.inH + ih0) * p.inW + iw0) * p.inC;
      for (int64_t sl = 0; sl < fullSlivers; sl++, d += slStride) {
        const int32_t* t = tab + sl * NR;
        for (int64_t j = 0; j < NR; j++) d[j] = src[t[j]];
      }
      if (tail) {
        const int32_t* t = tab + fullSlivers * NR;
        for (int64_t j = 0; j < tail; j++) d[j] = src[t[j]];
        for (int64_t j = tail; j < NR; j++) d[j] = 0.f;
      }
    } else {
      packPatchRow<NR>(p, xg, n, ih0, iw0, cg, slStride, d);
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

/**
 * dw[0..wsize) and dbias[0..outC) (when given) = the task partials summed in task order; each partial holds
 * its dW sums followed by its dbias sums.
 */
static void sumPartials(float* const* parts, int nt, int64_t wsize, int64_t outC, float* dw, float* dbias) {
  for (int64_t i = 0; i < wsize; i++) {
    float s = 0.f;
    for (int t = 0; t < nt; t++) s += parts[t][i];
    dw[i] = s;
  }
  if (dbias)
    for (int64_t c = 0; c < outC; c++) {
      float s = 0.f;
      for (int t = 0; t < nt; t++) s += parts[t][wsize + c];
      dbias[c] = s;
    }
}

/**
 * dW_g[og × K] += dY_gᵀ[og × pix] · patches[pix × K], blocks of kPix pixels; each task owns a contiguous
 * pixel range and a partial dW (+ dbias) that are summed at the end.
 */
template <int MR, int NV>
static void convBackwardWeightT(const ConvP& p, const float* x, const float* dy, float* dw, float* dbias) {
  constexpr int NR = NV * W;
  const int64_t cg = p.inC / p.groups, og = p.outC / p.groups, K = p.kH * p.kW * cg;
  const int64_t M = p.n * p.outH * p.outW, wsize = p.outC * K;
  const int nt = 2.0 * M * K * p.outC < 2e6 ? 1 : threadCount();
  const int64_t chunk = ceilDiv(M, nt);
  constexpr int64_t kPix = 192;  // pixels per block (the contraction dimension)
  float* parts[256];
  auto f = [&](int64_t t, int tid) {
    float* part = scratch(static_cast<int>(t), 3, static_cast<size_t>(wsize + p.outC));  // owned by task t
    parts[t] = part;
    memset(part, 0, sizeof(float) * (wsize + p.outC));
    float* at = scratch(tid, 2, static_cast<size_t>(ceilDiv(og, MR) * MR) * kPix);
    float* bp = scratch(tid, 1, static_cast<size_t>(packedBSize(kPix, K, NR)));
    float* pb = part + wsize;
    const int64_t m0 = t * chunk, m1 = imin(M, m0 + chunk);
    for (int64_t r0 = m0; r0 < m1; r0 += kPix) {
      const int64_t rows = imin(kPix, m1 - r0);
      for (int64_t g = 0; g < p.groups; g++) {
        // A = dY_gᵀ packed in MR-channel slivers: at[(o/MR)*rows*MR + r*MR + o%MR] = dy[r0+r][g*og+o].
        for (int64_t o0 = 0; o0 < og; o0 += MR) {
          const int64_t mr = imin(MR, og - o0);
          float* dst = at + o0 * rows;
          for (int64_t r = 0; r < rows; r++, dst += MR) {
            const float* d = dy + (r0 + r) * p.outC + g * og + o0;
            for (int64_t i = 0; i < MR; i++) dst[i] = i < mr ? d[i] : 0.f;
          }
        }
        packPatches<NR>(p, x, g, r0, rows, bp);
        macroKernel<MR, NV, true>(og, K, rows, at, rows, bp, part + g * og * K, K, Store{1.f, 0.f, false}, tid);
      }
      for (int64_t r = r0; r < r0 + rows; r++) {
        const float* d = dy + r * p.outC;
        for (int64_t c = 0; c < p.outC; c++) pb[c] += d[c];
      }
    }
  };
  if (nt <= 1) f(0, 0);
  else pfor(nt, f);
  sumPartials(parts, nt, wsize, p.outC, dw, dbias);
}

/**
 * Backward-weight without patch packing, for group widths that are whole vectors (cg % W == 0): per output
 * row and kernel tap, dW_g[:, tap, :] += dY_rowᵀ · X_tap, where X_tap is read in place (consecutive output
 * pixels hit input pixels strideW·inC floats apart) over the range of output columns whose tap is inside
 * the image. dY rows are packed MR-channel-interleaved once per output row.
 */
template <int MR>
static void convBackwardWeightDirect(const ConvP& q, const float* x, const float* dy, float* dw, float* dbias) {
  // A 1×1 stride-1 convolution is one long run of pixels: view it as rows of up to 512 pixels (a divisor
  // of the pixel count) so each micro-kernel call contracts over a long run instead of one output row.
  ConvP p = q;
  if (isPointwise(q)) {
    const int64_t M = q.n * q.outH * q.outW;
    for (int64_t d = 512; d >= 2 * q.outW && d >= 32; d--) {
      if (M % d != 0) continue;
      p.n = 1;
      p.inH = p.outH = M / d;
      p.inW = p.outW = d;
      break;
    }
  }
  const int64_t cg = p.inC / p.groups, og = p.outC / p.groups, K = p.kH * p.kW * cg;
  const int64_t rowsOut = p.n * p.outH, wsize = p.outC * K, ogp = ceilDiv(og, MR) * MR;
  const int nt = 2.0 * rowsOut * p.outW * K * p.outC < 2e6 ? 1 : threadCount();
  const int64_t chunk = ceilDiv(rowsOut, nt);
  float* parts[256];
  auto f = [&](int64_t t, int tid) {
    float* part = scratch(static_cast<int>(t), 3, static_cast<size_t>(wsize + p.outC));  // owned by task t
    parts[t] = part;
    memset(part, 0, sizeof(float) * (wsize + p.outC));
    float* at = scratch(tid, 2, static_cast<size_t>(ogp) * p.outW);
    alignas(64) float tile[MR * W];
    for (int64_t row = t * chunk; row < imin(rowsOut, (t + 1) * chunk); row++) {
      const int64_t n = row / p.outH, oh = row % p.outH;
      const float* dyr = dy + row * p.outW * p.outC;
      for (int64_t g = 0; g < p.groups; g++) {
        for (int64_t o0 = 0; o0 < og; o0 += MR) {  // at[(o/MR)*outW*MR + ow*MR + o%MR]
          const int64_t mr = imin(MR, og - o0);
          float* dst = at + o0 * p.outW;
          for (int64_t ow = 0; ow < p.outW; ow++, dst += MR) {
            const float* d = dyr + ow * p.outC + g * og + o0;
            for (int64_t i = 0; i < MR; i++) dst[i] = i < mr ? d[i] : 0.f;
          }
        }
        float* pg = part + g * og * K;
        for (int64_t kh = 0; kh < p.kH; kh++) {
          const int64_t ih = oh * p.strideH - p.padTop + kh * p.dilH;
          if (ih < 0 || ih >= p.inH) continue;
          for (int64_t kw = 0; kw < p.kW; kw++) {
            const int64_t shift = p.padLeft - kw * p.dilW;  // iw = ow*strideW - shift
            const int64_t lo = shift > 0 ? ceilDiv(shift, p.strideW) : 0;
            const int64_t hi = imin(p.outW, ceilDiv(p.inW + shift, p.strideW));
            if (hi <= lo) continue;
            const float* xb = x + ((n * p.inH + ih) * p.inW + (lo * p.strideW - shift)) * p.inC + g * cg;
            const int64_t tap = kh * p.kW + kw;
            for (int64_t o0 = 0; o0 < og; o0 += MR) {
              const int64_t mr = imin(MR, og - o0);
              const float* a = at + o0 * p.outW + lo * MR;
              for (int64_t c0 = 0; c0 < cg; c0 += W) {
                float* c = pg + o0 * K + tap * cg + c0;
                if (mr == MR) {
                  microKernel<MR, 1, true>(hi - lo, a, 0, xb + c0, c, K, Store{1.f, 0.f, false}, p.strideW * p.inC);
                  continue;
                }
                microKernel<MR, 1, true>(hi - lo, a, 0, xb + c0, tile, W, Store{1.f, 0.f, true}, p.strideW * p.inC);
                for (int64_t i = 0; i < mr; i++)
                  for (int64_t j = 0; j < W; j++) c[i * K + j] += tile[i * W + j];
              }
            }
          }
        }
      }
      float* pb = part + wsize;
      for (int64_t ow = 0; ow < p.outW; ow++)
        for (int64_t c = 0; c < p.outC; c++) pb[c] += dyr[ow * p.outC + c];
    }
  };
  if (nt <= 1) f(0, 0);
  else pfor(nt, f);
  sumPartials(parts, nt, wsize, p.outC, dw, dbias);
}

static void convBackwardWeight(const ConvP& p, const float* x, const float* dy, float* dw, float* dbias) {
  if (isDepthwise(p)) return depthwiseBackwardWeight(p, x, dy, dw, dbias);
  const int64_t og = p.outC / p.groups, cg = p.inC / p.groups, K = p.kH * p.kW * cg;
  if (cg % W == 0 && og >= 8) {
#if KH_VBYTES == 64
    if (og % 16 == 0) return convBackwardWeightDirect<16>(p, x, dy, dw, dbias);
#endif
    return convBackwardWeightDirect<kMrNarrow>(p, x, dy, dw, dbias);
  }
  if (rowTapsApply(p)) {  // few input channels (conv_rowtaps.h)
#if KH_VBYTES == 64
    if (og % 16 == 0) return convBackwardWeightRowTaps<16>(p, x, dy, dw, dbias);
#endif
    return convBackwardWeightRowTaps<kMrNarrow>(p, x, dy, dw, dbias);
  }
#if KH_VBYTES == 64
  // 16-row tiles match the usual 16/32/64 output channels exactly (12-row tiles would waste up to 1/3).
  if (og % 16 == 0) return convBackwardWeightT<16, 1>(p, x, dy, dw, dbias);
#endif
  if (K <= W || og % kMrNarrow == 0) convBackwardWeightT<kMrNarrow, 1>(p, x, dy, dw, dbias);
  else convBackwardWeightT<kMrWide, 2>(p, x, dy, dw, dbias);
}

}  // namespace KH_NS
}  // namespace kh
