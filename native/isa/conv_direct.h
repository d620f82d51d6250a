// Direct convolution for dense (groups = 1, dilation 1) NHWC convolutions with a spatial kernel: no patch
// matrix at all. Each task copies the input rows it needs once into a per-thread slab with the left/right
// zero padding materialised, so every output pixel is "interior"; a register tile of MR consecutive output
// pixels of one row × NV·W output channels then accumulates over all (kh, kw, ci) taps, reading the input
// in place from the slab (for a fixed kh, the kW·Cin taps of a pixel are one contiguous run) and the
// weights from the packed panel. Rows of taps that fall outside the image (top/bottom padding) are skipped.
// This removes the im2col packing pass that costs ~1/3 of the time for the small channel counts (16-64)
// of ResNet-8 / DS-CNN layers.
#pragma once
#include "gemm.h"

namespace kh {
namespace KH_NS {

/** Register tile sizes (output pixels per tile) by vectors of output channels, within the register file. */
#if KH_VBYTES == 64
template <int NV>
struct DirectMr { static constexpr int value = NV == 1 ? 16 : NV == 2 ? 8 : 4; };
#else
template <int NV>
struct DirectMr { static constexpr int value = NV == 1 ? 8 : NV == 2 ? 4 : 2; };
#endif

/** Geometry shared by the tiles of one output row. */
struct DirectRow {
  int64_t nk;         // kernel rows inside the image for this output row
  int64_t kc;         // contiguous taps per kernel row: kW·Cin
  int64_t lda;        // slab floats between consecutive output pixels: strideW·Cin
  int64_t rowStride;  // slab floats between consecutive input rows
  int64_t ldc;        // output floats between pixels: Cout
  int64_t ncols;      // valid output channels of this sliver (≤ NV·W)
};

/**
 * y[i*ldc + j] = Σ_r Σ_p a[r*rowStride + i*lda + p] · b[(r*kc + p)*NR + j] for i < MR, j < ncols.
 * `a` points at the first tap of pixel 0 in the first valid kernel row, `b` at that row in the packed sliver.
 */
template <int MR, int NV>
static inline void directTile(const DirectRow& d, const float* __restrict a, const float* __restrict b,
                              float* __restrict y) {
  constexpr int NR = NV * W;
  vf acc[MR][NV];
#pragma GCC unroll 32
  for (int i = 0; i < MR; i++)
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++) acc[i][v] = vf{};
  const int64_t lda = d.lda, kc = d.kc;
  for (int64_t r = 0; r < d.nk; r++, a += d.rowStride, b += kc * NR) {
    for (int64_t p = 0; p < kc; p++) {
      vf bv[NV];
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++) bv[v] = vload(b + p * NR + v * W);
#pragma GCC unroll 32
      for (int i = 0; i < MR; i++) {
        const vf av = vbcast(a[i * lda + p]);
#pragma GCC unroll 4
        for (int v = 0; v < NV; v++) acc[i][v] += av * bv[v];
      }
    }
  }
  if (d.ncols == NR) {
#pragma GCC unroll 32
    for (int i = 0; i < MR; i++)
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++) vstore(y + i * d.ldc + v * W, acc[i][v]);
    return;
  }
  alignas(64) float tmp[NR];
  for (int i = 0; i < MR; i++) {
    for (int v = 0; v < NV; v++) vstore(tmp + v * W, acc[i][v]);
    for (int64_t j = 0; j < d.ncols; j++) y[i * d.ldc + j] = tmp[j];
  }
}

/** Output pixels [ow, outW) of one row in tiles of MR, the remainder in halving tile sizes. */
template <int MR, int NV>
static void directRowTiles(const DirectRow& d, int64_t ow, int64_t outW, const float* a, const float* b, float* y) {
  for (; ow + MR <= outW; ow += MR) directTile<MR, NV>(d, a + ow * d.lda, b, y + ow * d.ldc);
  if constexpr (MR > 1) {
    if (ow < outW) directRowTiles<MR / 2, NV>(d, ow, outW, a, b, y);
  }
}

/**
 * True when convForwardDirect handles p: dense, undilated, non-negative padding, a spatial kernel (1×1
 * convolutions read the activation in place through the GEMM path already) and at most 16 vectors of
 * output channels (the sizes measured; wider layers keep the 12×32 GEMM tile).
 */
static inline bool directConvApplies(const ConvP& p) {
  return p.groups == 1 && p.dilH == 1 && p.dilW == 1 && p.padTop >= 0 && p.padLeft >= 0 && p.kH * p.kW > 1 &&
         p.outC <= 4 * W * 4;
}

template <int NV>
static void convForwardDirectT(const ConvP& p, const float* x, const float* w, float* y, const Epi& e) {
  constexpr int NR = NV * W, MR = DirectMr<NV>::value;
  const int64_t C = p.inC, K = p.kH * p.kW * C, og = p.outC;
  const int64_t panel = packedBSize(K, og, NR), slStride = sliverStride(K, NR);
  float* wp = scratch(0, 4, static_cast<size_t>(panel));
  packB<NR>(true, w, K, K, og, wp);
  // Slab width in pixels: the left padding, the image, and any right padding the last output pixel reads.
  const int64_t wpx = imax(p.inW + p.padLeft, (p.outW - 1) * p.strideW + p.kW);
  const int64_t rowStride = wpx * C;
  // Tasks: blocks of output rows of one image, enough of them to balance the threads.
  const int64_t nt = threadCount();
  int64_t rowsPer = p.outH;
  while (rowsPer > 1 && p.n * ceilDiv(p.outH, rowsPer) < 4 * nt) rowsPer = ceilDiv(rowsPer, 2);
  const int64_t blocks = ceilDiv(p.outH, rowsPer);
  const int64_t slabRows = imin(p.inH, (rowsPer - 1) * p.strideH + p.kH);
  auto f = [&](int64_t t, int tid) {
    const int64_t n = t / blocks, oh0 = (t % blocks) * rowsPer, oh1 = imin(p.outH, oh0 + rowsPer);
    const int64_t ihLo = imax(0, oh0 * p.strideH - p.padTop);
    const int64_t ihHi = imin(p.inH, (oh1 - 1) * p.strideH - p.padTop + p.kH);
    float* slab = scratch(tid, 2, static_cast<size_t>(imax(1, slabRows) * rowStride));
    for (int64_t ih = ihLo; ih < ihHi; ih++) {
      float* dst = slab + (ih - ihLo) * rowStride;
      zeroFloats(dst, p.padLeft * C);
      copyFloats(dst + p.padLeft * C, x + ((n * p.inH + ih) * p.inW) * C, p.inW * C);
      zeroFloats(dst + (p.padLeft + p.inW) * C, (wpx - p.padLeft - p.inW) * C);
    }
    for (int64_t oh = oh0; oh < oh1; oh++) {
      const int64_t top = oh * p.strideH - p.padTop;  // input row of kernel row 0
      const int64_t kh0 = imax(0, -top), kh1 = imin(p.kH, p.inH - top);
      const float* a = kh1 > kh0 ? slab + (top + kh0 - ihLo) * rowStride : slab;
      float* yr = y + (n * p.outH + oh) * p.outW * og;
      for (int64_t j0 = 0; j0 < og; j0 += NR) {
        const DirectRow d{imax(0, kh1 - kh0), p.kW * C, p.strideW * C, rowStride, og, imin(NR, og - j0)};
        const float* b = wp + (j0 / NR) * slStride + kh0 * d.kc * NR;
        directRowTiles<MR, NV>(d, 0, p.outW, a, b, yr + j0);
      }
      if (!e.empty()) {
        const float* res = e.residual ? e.residual + (n * p.outH + oh) * p.outW * og : nullptr;
        epilogueBlock(yr, og, yr, og, p.outW, og, 0, e, res, og);
      }
    }
  };
  prun(p.n * blocks, 2.0 * p.n * p.outH * p.outW * K * og, f);
}

/** Direct forward convolution (see the file comment); requires directConvApplies(p). */
static void convForwardDirect(const ConvP& p, const float* x, const float* w, float* y, const Epi& e) {
  const int64_t nv = ceilDiv(p.outC, W);
  if (nv <= 1) convForwardDirectT<1>(p, x, w, y, e);
  else if (nv <= 2) convForwardDirectT<2>(p, x, w, y, e);
  else convForwardDirectT<4>(p, x, w, y, e);
}

}  // namespace KH_NS
}  // namespace kh
