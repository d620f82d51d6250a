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
//                    few input channels: kernel-row runs read in place (conv_rowtaps.h)
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
  for (int64_t i = 0; i < wsize; i++) {
    float s = 0.f;
    for (int t = 0; t < nt; t++) s += parts[t][i];
    dw[i] = s;
  }
  if (dbias)
    for (int64_t c = 0; c < p.outC; c++) {
      float s = 0.f;
      for (int t = 0; t < nt; t++) s += parts[t][wsize + c];
      dbias[c] = s;
    }
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
  for (int64_t i = 0; i < wsize; i++) {
    float s = 0.f;
    for (int t = 0; t < nt; t++) s += parts[t][i];
    dw[i] = s;
  }
  if (dbias)
    for (int64_t c = 0; c < p.outC; c++) {
      float s = 0.f;
      for (int t = 0; t < nt; t++) s += parts[t][wsize + c];
      dbias[c] = s;
    }
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
