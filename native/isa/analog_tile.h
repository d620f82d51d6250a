// Fused analog tile forward (contract: AnalogKernels.analogTileForward in src/core/kernels/types.ts;
// reference: src/core/kernels/js/analog-tile.ts). One pass per chunk of input rows, on one thread, in cache:
// gather each input vector straight from its row (row stride ldx, group g at column g·k: no block copies)
// or, for conv layers, from the NHWC input in tap-major order (analog_patch.h: no patch matrix), NM scale +
// DAC (dacRow; whole-channel conv tiles with the presets' float DAC quantise straight from the input pixels,
// patchDacDirect), GEMM against the tile weights (the same serial GEMM the threaded sgemm runs on
// its row slice, so every product is bit-identical), then the epilogue over the chunk's rows: ADC with output
// noise drawn at the element's global index of the pass's Philox stream (normalsRange; independent of threads
// and chunking), bound test, ×fround(outScale/s)·post + bias, and the (optional) accumulation into the layer
// output (adcRows, finishRows).
// Vectors whose outputs clipped and that bound management will retry are flagged, not written.
// The weights are packed once per call for all tasks. Depthwise tiles (m = 1, G > 1: 9-input vectors) run
// row by row instead, vectorised across the G vectors of a row (DAC, dot products, ADC, finishing step).
// The epilogue helpers are in analog_finish.h. Returns the number of vectors flagged for a retry.
#pragma once
#include <atomic>
#include "analog.h"
#include "analog_depthwise.h"
#include "analog_finish.h"
#include "analog_patch.h"
#include "gemm.h"

namespace kh {
namespace KH_NS {

// The MVM yy[rows × m] = v[rows × k] · W[m × k]ᵀ, outside fp-contract=off (FMA exactly as in sgemm, whose
// every output element is one FMA chain over k in order, whatever the row split or tile shape).

/** Whether the tile's weights fit one packed GEMM block (gemmSerial's single kc × nc panel). */
static inline bool tilePackable(int64_t m, int64_t k) { return k <= kKc + kKc / 4 && m <= kNc; }

/** Floats of one tile's packed weights (packB layout of gemmSerialAuto's tile shape). */
static inline int64_t tilePackedSize(int64_t m, int64_t k) { return packedBSize(k, m, m <= W ? W : 2 * W); }

/** Packs W[m × k] (row-major, i.e. B = Wᵀ) as gemmSerialAuto would for this shape. */
__attribute__((noinline)) static void tilePack(int64_t m, int64_t k, const float* w, float* bp) {
  if (m <= W) packB<W>(true, w, k, k, m, bp);
  else packB<2 * W>(true, w, k, k, m, bp);
}

/** yy = v · Wᵀ from the packed weights (tilePackable shapes): gemmSerialAuto without its packing. */
__attribute__((noinline)) static void tileGemmPacked(int64_t rows, int64_t m, int64_t k, const float* v,
                                                     int64_t ldv, const float* bp, float* yy, int tid) {
  const Store st{1.f, 0.f, true};
  if (m <= W) macroKernel<kMrNarrow, 1>(rows, m, k, v, ldv, bp, yy, m, st, tid);
  else macroKernel<kMrWide, 2>(rows, m, k, v, ldv, bp, yy, m, st, tid);
}

/** yy = v · Wᵀ by the serial GEMM (any shape). */
__attribute__((noinline)) static void tileGemm(int64_t rows, int64_t m, int64_t k, const float* v, int64_t ldv,
                                               const float* w, float* yy, int tid) {
  gemmSerialAuto(false, true, rows, m, k, 1.f, v, ldv, w, k, 0.f, yy, m, tid);
}

#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")

/** rowMax for vectors shorter than one register (the same comparisons, without the vector setup). */
static inline float shortMax(const float* x, int64_t k, bool abs) {
  float m = abs ? 0.f : -INFINITY;
  for (int64_t j = 0; j < k; j++) {
    const float a = abs ? std::fabs(x[j]) : x[j];
    m = a > m ? a : m;
  }
  return m;
}

/**
 * The G single-output vectors of one row xr[G × K] (m = 1): NM scales (split into loops that vectorise across
 * the G vectors) into nm/sc, the DAC with a scale per element (sv) into v, and the G dot products into d.
 */
static void groupRowDots(const float* xr, int64_t G, int64_t K, const AnalogIn& in, bool computeNm, const float* w,
                         double* nm, float* sc, float* mx, float* sv, float* v, float* d) {
  if (computeNm) {
    const bool abs = in.nmMode != 2;
    for (int64_t g = 0; g < G; g++) mx[g] = K < W ? shortMax(xr + g * K, K, abs) : rowMax(xr + g * K, K, abs);
    scalesFromMax(mx, G, in, nm, sc);
  } else {
    scalesFromNm(G, in, nm, sc);
  }
  for (int64_t g = 0; g < G; g++)
    for (int64_t j = 0; j < K; j++) sv[g * K + j] = sc[g];
  // a scale per element; a vector with scale 0 quantises to +0, or to NaN where x·0 is NaN (a NaN or ∞
  // element, which the maximum never takes or which made it ∞): that NaN reaches the vector's outputs
  quantAny<true>(xr, 0.f, sv, G * K, in.step, in.bound, v);
  groupDots(G, K, v, w, d);
  if (computeNm) zeroVectorOutputs(G, in, mx, d, [&](int64_t g) { return hasNaN(xr + g * K, K); });
}

static int64_t analogTileForward(const AnalogTileP& p, const float* x, const float* w, double* nm,
                                 const float* post, const float* bias, const float* biasAfter, const Stream* s,
                                 float* y, uint8_t* retry) {
  const int64_t G = p.groups, M = p.m, K = p.k, rows = p.rows;
  const bool computeNm = p.in.computeNm && (p.in.nmMode == 1 || p.in.nmMode == 2);
  const double invStep = 1.0 / p.out.step, step = p.out.step, sigma = p.out.outNoise;
  const double asym1 = 1.0 - p.out.outAsymmetry;
  const bool noise = s && sigma > 0.0, quant = step != 0.0;
  const int mask = p.out.testNegativeBound ? 3 : 1;
  const bool fused = adcFinishFits(quant, asym1, step, p.out.bound, M);  // one-pass epilogue (analog_finish.h)
  float bDown = static_cast<float>(p.out.bound);
  if (static_cast<double>(bDown) > p.out.bound) bDown = std::nextafter(bDown, -INFINITY);
  // rows per task: a multiple of the GEMM row tile, ~96 KiB of DAC output + MVM output per task
  const int64_t fit = imax(1, 24576 / (G * (K + M)));
  const int64_t perTask = imax(kMrWide, fit / kMrWide * kMrWide);
  // conv patches gathered here (analog_patch.h): tap-major vectors, weight columns permuted to match
  const bool conv = p.patch != nullptr;
  const TapRuns tr = conv ? TapRuns(*p.patch, p.k0, K) : TapRuns();
  const bool permute = conv && !tr.identity;
  const bool direct = conv && computeNm && directDac(tr, p.in);  // DAC straight from the input pixels
  const DacF dacF(1.0 / p.in.step, p.in.step, p.in.bound);
  std::vector<float> wPerm(permute ? static_cast<size_t>(G * M * K) : 0);
  if (permute)
    for (int64_t g = 0; g < G; g++) permuteColumns(tr, M, K, w + g * M * K, wPerm.data() + g * M * K);
  const float* wt = permute ? wPerm.data() : w;
  // depthwise conv tiles work in the input's [tap][channel] layout (analog_depthwise.h)
  const bool dwConv = conv && M == 1 && G > 1 && tr.cgOne == 1 && K == tr.kk;
  std::vector<float> wT(dwConv ? static_cast<size_t>(G * K) : 0);
  if (dwConv) depthwiseWeights(G, K, wt, wT.data());
  // weights packed once for all tasks (thread 0's slot 5 is free during this kernel)
  const bool packed = tilePackable(M, K);
  const int64_t psz = tilePackedSize(M, K);
  float* bp = packed ? scratch(0, 5, static_cast<size_t>(G * psz)) : nullptr;
  if (packed)
    for (int64_t g = 0; g < G; g++) tilePack(M, K, wt + g * M * K, bp + g * psz);
  // DAC rows padded off multiples of 2 KiB (L1 set aliasing, as gemmSerial's packA)
  const int64_t ldv = K % 512 == 0 ? K + 16 : K;
  auto task = [&](int64_t t, int tid) -> int64_t {  // returns how many of its vectors it flagged for a retry
    const int64_t r0 = t * perTask, nr = imin(rows, r0 + perTask) - r0;
    if (nr <= 0) return 0;
    int64_t flagged = 0;
    const float* xt = conv ? nullptr : x + r0 * p.ldx;  // the task's input rows (conv: x is the NHWC input)
    PixelTaps px(conv ? p.patch : nullptr);
    float* pv = conv ? scratch(tid, 4, static_cast<size_t>(K)) : nullptr;  // one gathered conv vector
    float* v = scratch(tid, 2, static_cast<size_t>(imax(nr * (ldv + M), G * (3 * K + 4)) + 16));
    float* yy = v + nr * ldv;
    float* sc = scratch(tid, 3, static_cast<size_t>(imax(nr, G) + 2 * nr));
    float* frRow = sc + imax(nr, G);  // the rows' output factors and ADC clip bits
    int32_t* flRow = reinterpret_cast<int32_t*>(frRow + nr);
    const float* z = nullptr;
    if (noise) {
      float* buf = scratch(tid, 7, static_cast<size_t>(nr * G * M));
      normalsRange(*s, r0 * G * M, (r0 + nr) * G * M, buf);
      z = buf;
    }
    if (M == 1 && G > 1) {  // depthwise: one row of G tiny vectors at a time, vectorised across the row
      float* sv = v + K * G;  // per-element scales; then the G dot products
      float* d = sv + K * G;
      float* fr = d + G;
      int32_t* flags = reinterpret_cast<int32_t*>(fr + G);
      float* mx = reinterpret_cast<float*>(flags + G);
      for (int64_t r = 0; r < nr; r++) {
        const float* xr = conv ? nullptr : xt + r * p.ldx;
        double* nmr = nm + (r0 + r) * G;
        if (dwConv) {
          px.at(*p.patch, x, p.row0 + r0 + r);
          depthwisePixel(px, p.group0, G, K, p.in, dacF, computeNm, wT.data(), nmr, sc, mx, v, d);
        } else if (conv) {  // grouped conv with one output per group: the row's G tap-major vectors
          float* pr = mx + G;
          px.at(*p.patch, x, p.row0 + r0 + r);
          patchRowRuns(tr, px, p.group0, G, K, pr);
          xr = pr;
        }
        if (!dwConv) groupRowDots(xr, G, K, p.in, computeNm, wt, nmr, sc, mx, sv, v, d);
        const float* zr = noise ? z + r * G : nullptr;
        const double bd = p.out.bound;
        if (noise && quant) adcEach<true, true>(d, zr, G, asym1, sigma, invStep, step, bd, bDown, flags);
        else if (noise) adcEach<true, false>(d, zr, G, asym1, sigma, invStep, step, bd, bDown, flags);
        else if (quant) adcEach<false, true>(d, zr, G, asym1, sigma, invStep, step, bd, bDown, flags);
        else adcEach<false, false>(d, zr, G, asym1, sigma, invStep, step, bd, bDown, flags);
        uint8_t* rr = retry + (r0 + r) * G;
        flagged += flagRetries(sc, flags, G, p.retryClipped ? mask : 0, rr);
        outFactors(sc, G, p.outScale, fr);
        finishEach(d, fr, rr, G, post, bias, biasAfter, p.accumulate, y + (r0 + r) * p.ldy);
      }
      return flagged;
    }
    for (int64_t g = 0; g < G; g++) {
      for (int64_t r = 0; r < nr; r++) {
        const int64_t u = (r0 + r) * G + g;
        if (conv) {  // the tap-major vector copied together (contiguous runs, NM maximum on the way), then the DAC
          px.at(*p.patch, x, p.row0 + r0 + r);
          if (direct) {
            sc[r] = patchDacDirect(tr, px, p.group0 + g, p.in, dacF, nm[u], pv, v + r * ldv);
          } else if (computeNm) {
            const float mx = patchRowRunsMax(tr, px, p.group0 + g, p.in.nmMode != 2, pv);
            sc[r] = dacFromMax(pv, K, p.in, mx, nm[u], 1.0, v + r * ldv, true);
          } else {
            patchRowRuns(tr, px, p.group0 + g, 1, K, pv);
            sc[r] = dacRow(pv, K, p.in, false, nm[u], 1.0, v + r * ldv, true);
          }
        } else {
          sc[r] = dacRow(xt + r * p.ldx + g * K, K, p.in, computeNm, nm[u], 1.0, v + r * ldv, true);
        }
      }
      if (packed) tileGemmPacked(nr, M, K, v, ldv, bp + g * psz, yy, tid);
      else tileGemm(nr, M, K, v, ldv, wt + g * M * K, yy, tid);
      // the epilogue of the group's nr rows: ADC, retry flags, output factors, finishing step
      uint8_t* rg = retry + r0 * G + g;  // row r's flag at rg[r·G]
      outFactors(sc, nr, p.outScale, frRow);
      if (fused) {
        flagged += adcFinishRows(noise, yy, nr, M, noise ? z + g * M : nullptr, G * M, sigma, invStep, step,
                                 p.out.bound, bDown, sc, frRow, p.retryClipped ? mask : 0, rg, G,
                                 post ? post + g * M : nullptr, bias ? bias + g * M : nullptr,
                                 biasAfter ? biasAfter + g * M : nullptr, p.accumulate, y + r0 * p.ldy + g * M,
                                 p.ldy);
        continue;
      }
      adcRowsAny(noise, quant, yy, noise ? z + g * M : nullptr, G * M, nr, M, asym1, sigma, invStep, step,
                 p.out.bound, bDown, flRow);
      flagged += flagRetries(sc, flRow, nr, p.retryClipped ? mask : 0, rg, G);
      finishRows(yy, nr, M, frRow, rg, G, post ? post + g * M : nullptr, bias ? bias + g * M : nullptr,
                 biasAfter ? biasAfter + g * M : nullptr, p.accumulate, y + r0 * p.ldy + g * M, p.ldy);
    }
    return flagged;
  };
  std::atomic<int64_t> flagged{0};
  auto f = [&](int64_t t, int tid) { flagged += task(t, tid); };
  prun(ceilDiv(rows, perTask), 2.0 * static_cast<double>(rows * G * M * (K + 30)), f);
  return flagged.load();
}

#pragma GCC pop_options

}  // namespace KH_NS
}  // namespace kh
