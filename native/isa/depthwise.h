// Depthwise convolution (groups == inC == outC, one filter per channel), vectorised over channels:
// NHWC keeps the channels of a pixel contiguous, so every tap is a vector FMA over C. Weights are
// transposed once from OHWI [C][kH][kW][1] to [kH][kW][C]. Forward and backward-input are gathers
// (each output element owned by one task: parallel without conflicts); backward-weight keeps per-task
// partial [taps × C] sums that are reduced at the end. Rows (n, h) are split into ≈ threads×4 contiguous
// chunks: DS-CNN rows hold only 5 pixels, so one task per row would cost more in scheduling than in FMAs.
#pragma once
#include "conv.h"

namespace kh {
namespace KH_NS {

/** wt[t*C + c] = w[c*taps + t]. */
static void transposeDepthwise(const float* w, int64_t C, int64_t taps, float* wt) {
  for (int64_t c = 0; c < C; c++)
    for (int64_t t = 0; t < taps; t++) wt[t * C + c] = w[c * taps + t];
}

/** acc[0..C) = Σ over valid taps of src(tap)[c] * wt[tap][c], vector by vector. */
static inline void dwAccumulate(const float* const* src, const float* const* wts, int nTaps, int64_t C, float* out) {
  int64_t c = 0;
  for (; c + 4 * W <= C; c += 4 * W) {
    vf a0{}, a1{}, a2{}, a3{};
    for (int t = 0; t < nTaps; t++) {
      const float* s = src[t] + c;
      const float* w = wts[t] + c;
      a0 += vload(s) * vload(w);
      a1 += vload(s + W) * vload(w + W);
      a2 += vload(s + 2 * W) * vload(w + 2 * W);
      a3 += vload(s + 3 * W) * vload(w + 3 * W);
    }
    vstore(out + c, a0);
    vstore(out + c + W, a1);
    vstore(out + c + 2 * W, a2);
    vstore(out + c + 3 * W, a3);
  }
  for (; c + 2 * W <= C; c += 2 * W) {
    vf a0{}, a1{};
    for (int t = 0; t < nTaps; t++) {
      a0 += vload(src[t] + c) * vload(wts[t] + c);
      a1 += vload(src[t] + c + W) * vload(wts[t] + c + W);
    }
    vstore(out + c, a0);
    vstore(out + c + W, a1);
  }
  for (; c + W <= C; c += W) {
    vf a0{};
    for (int t = 0; t < nTaps; t++) a0 += vload(src[t] + c) * vload(wts[t] + c);
    vstore(out + c, a0);
  }
  for (; c < C; c++) {
    float s = 0.f;
    for (int t = 0; t < nTaps; t++) s += src[t][c] * wts[t][c];
    out[c] = s;
  }
}

constexpr int kMaxTaps = 1024;

/** Number of contiguous row chunks for `rows` rows: ≈ 4 per thread (load balance without per-row tasks). */
static inline int64_t dwChunks(int64_t rows) { return imin(rows, 4 * static_cast<int64_t>(threadCount())); }

/** Epilogue constants of one 2-vector channel block, hoisted out of the pixel loop. */
struct DwEpi {
  bool on = false, sc = false, sh = false, bi = false;
  int act = ACT_NONE;
  vf vsc[2], vsh[2], vbi[2];
  DwEpi(const Epi& e, int64_t c0) : on(!e.empty()), sc(e.scale), sh(e.shift), bi(e.bias), act(e.act) {
    for (int j = 0; j < 2; j++) {
      vsc[j] = sc ? vload(e.scale + c0 + j * W) : vf{};
      vsh[j] = sh ? vload(e.shift + c0 + j * W) : vf{};
      vbi[j] = bi ? vload(e.bias + c0 + j * W) : vf{};
    }
  }
  /** Same operation order as epilogueBlock (scale, shift, bias, residual, activation). */
  inline vf apply(vf v, int j, const float* res) const {
    if (sc) v *= vsc[j];
    if (sh) v += vsh[j];
    if (bi) v += vbi[j];
    if (res) v += vload(res + j * W);
    if (act != ACT_NONE) v = v < vf{} ? vf{} : v;
    if (act == ACT_RELU6) v = v > vbcast(6.f) ? vbcast(6.f) : v;
    return v;
  }
};

/**
 * One 3×3 gather row for one 2-vector channel block with the 18 weight vectors `wv` in registers:
 * out[pos] = Σ_{kh,kw} rows[kh][col(pos, kw)] · wv[kh*3+kw], col = pos·step + off + kw·tapStep, valid
 * when 0 ≤ col < bound (rows[kh] null when that kernel row falls outside). Forward: step = strideW,
 * off = −padLeft, tapStep = dilW; stride-1 backward-input: step = 1, off = padLeft, tapStep = −dilW.
 * `res` (residual row, may be null) and `ep` are applied when ep.on.
 */
static inline void dw3x3Row(const float* const rows[3], const vf (&wv)[9][2], int64_t nPos, int64_t step, int64_t off,
                            int64_t tapStep, int64_t bound, int64_t C, float* out, const DwEpi& ep, const float* res) {
  const bool rowsOk = rows[0] && rows[1] && rows[2];
  for (int64_t pos = 0; pos < nPos; pos++) {
    const int64_t colA = pos * step + off, colB = colA + 2 * tapStep;
    // One partial sum per kernel row (6 FMA chains of ≤ 3 instead of 2 chains of 9).
    vf s0[3] = {}, s1[3] = {};
    if (rowsOk && imin(colA, colB) >= 0 && imax(colA, colB) < bound) {  // interior pixel: no bounds checks
#pragma GCC unroll 3
      for (int kh = 0; kh < 3; kh++) {
#pragma GCC unroll 3
        for (int kw = 0; kw < 3; kw++) {
          const float* s = rows[kh] + (colA + kw * tapStep) * C;
          s0[kh] += vload(s) * wv[kh * 3 + kw][0];
          s1[kh] += vload(s + W) * wv[kh * 3 + kw][1];
        }
      }
    } else {
#pragma GCC unroll 3
      for (int kw = 0; kw < 3; kw++) {
        const int64_t col = colA + kw * tapStep;
        if (col < 0 || col >= bound) continue;
#pragma GCC unroll 3
        for (int kh = 0; kh < 3; kh++) {
          if (!rows[kh]) continue;
          const float* s = rows[kh] + col * C;
          s0[kh] += vload(s) * wv[kh * 3 + kw][0];
          s1[kh] += vload(s + W) * wv[kh * 3 + kw][1];
        }
      }
    }
    vf a0 = s0[0] + s0[1] + s0[2], a1 = s1[0] + s1[1] + s1[2];
    if (ep.on) {
      const float* r = res ? res + pos * C : nullptr;
      a0 = ep.apply(a0, 0, r);
      a1 = ep.apply(a1, 1, r);
    }
    vstore(out + pos * C, a0);
    vstore(out + pos * C + W, a1);
  }
}

/** wv[t][j] = wt[t][c0 + j·W ..]: the 3×3 weights of one 2-vector channel block. */
static inline void loadWeights3x3(const float* wt, int64_t C, int64_t c0, vf (&wv)[9][2]) {
#pragma GCC unroll 9
  for (int t = 0; t < 9; t++) {
    wv[t][0] = vload(wt + t * C + c0);
    wv[t][1] = vload(wt + t * C + c0 + W);
  }
}

static void depthwiseForward(const ConvP& p, const float* x, const float* w, float* y, const Epi& e) {
  const int64_t C = p.outC, taps = p.kH * p.kW, rowsOut = p.n * p.outH;
  float* wt = scratch(0, 4, static_cast<size_t>(taps) * C);
  transposeDepthwise(w, C, taps, wt);
  const bool fast3x3 = p.kH == 3 && p.kW == 3 && C % (2 * W) == 0;
  const int64_t nChunks = dwChunks(rowsOut), chunk = ceilDiv(rowsOut, nChunks);
  auto f = [&](int64_t t, int) {
    const int64_t r0 = t * chunk, r1 = imin(rowsOut, r0 + chunk);
    if (fast3x3) {
      // Channel block outer, rows inner: the 18 weight vectors are loaded once per chunk.
      for (int64_t c0 = 0; c0 < C; c0 += 2 * W) {
        vf wv[9][2];
        loadWeights3x3(wt, C, c0, wv);
        const DwEpi ep(e, c0);
        // (n, oh) advance with the row: no integer division per row.
        for (int64_t row = r0, n = r0 / p.outH, oh = r0 % p.outH; row < r1;
             row++, oh = oh + 1 == p.outH ? 0 : oh + 1, n += oh == 0) {
          const float* rows[3];
          for (int kh = 0; kh < 3; kh++) {
            const int64_t ih = oh * p.strideH - p.padTop + kh * p.dilH;
            rows[kh] = ih >= 0 && ih < p.inH ? x + (n * p.inH + ih) * p.inW * C + c0 : nullptr;
          }
          const float* res = e.residual ? e.residual + row * p.outW * C + c0 : nullptr;
          dw3x3Row(rows, wv, p.outW, p.strideW, -p.padLeft, p.dilW, p.inW, C, y + row * p.outW * C + c0, ep, res);
        }
      }
      return;
    }
    const float* src[kMaxTaps];
    const float* wts[kMaxTaps];
    for (int64_t row = r0; row < r1; row++) {
      const int64_t n = row / p.outH, oh = row % p.outH;
      float* yr = y + row * p.outW * C;
      for (int64_t ow = 0; ow < p.outW; ow++) {
        int nt = 0;
        for (int64_t kh = 0; kh < p.kH; kh++) {
          const int64_t ih = oh * p.strideH - p.padTop + kh * p.dilH;
          if (ih < 0 || ih >= p.inH) continue;
          for (int64_t kw = 0; kw < p.kW; kw++) {
            const int64_t iw = ow * p.strideW - p.padLeft + kw * p.dilW;
            if (iw < 0 || iw >= p.inW) continue;
            src[nt] = x + ((n * p.inH + ih) * p.inW + iw) * C;
            wts[nt++] = wt + (kh * p.kW + kw) * C;
          }
        }
        dwAccumulate(src, wts, nt, C, yr + ow * C);
      }
      if (!e.empty()) {
        const float* res = e.residual ? e.residual + row * p.outW * C : nullptr;
        epilogueBlock(yr, C, yr, C, p.outW, C, 0, e, res, C);
      }
    }
  };
  prun(nChunks, 2.0 * rowsOut * p.outW * C * taps, f);
}

static void depthwiseBackwardInput(const ConvP& p, const float* dy, const float* w, float* dx) {
  const int64_t C = p.inC, taps = p.kH * p.kW, rowsIn = p.n * p.inH;
  float* wt = scratch(0, 4, static_cast<size_t>(taps) * C);
  transposeDepthwise(w, C, taps, wt);
  const bool fast3x3 = p.kH == 3 && p.kW == 3 && p.strideH == 1 && p.strideW == 1 && C % (2 * W) == 0;
  const int64_t nChunks = dwChunks(rowsIn), chunk = ceilDiv(rowsIn, nChunks);
  const Epi none;
  auto f = [&](int64_t t, int) {
    const int64_t r0 = t * chunk, r1 = imin(rowsIn, r0 + chunk);
    if (fast3x3) {
      for (int64_t c0 = 0; c0 < C; c0 += 2 * W) {
        vf wv[9][2];
        loadWeights3x3(wt, C, c0, wv);
        const DwEpi ep(none, c0);
        // (n, ih) advance with the row: no integer division per row.
        for (int64_t row = r0, n = r0 / p.inH, ih = r0 % p.inH; row < r1;
             row++, ih = ih + 1 == p.inH ? 0 : ih + 1, n += ih == 0) {
          const float* rows[3];
          for (int kh = 0; kh < 3; kh++) {
            const int64_t oh = ih + p.padTop - kh * p.dilH;
            rows[kh] = oh >= 0 && oh < p.outH ? dy + (n * p.outH + oh) * p.outW * C + c0 : nullptr;
          }
          dw3x3Row(rows, wv, p.inW, 1, p.padLeft, -p.dilW, p.outW, C, dx + row * p.inW * C + c0, ep, nullptr);
        }
      }
      return;
    }
    const float* src[kMaxTaps];
    const float* wts[kMaxTaps];
    for (int64_t row = r0; row < r1; row++) {
      const int64_t n = row / p.inH, ih = row % p.inH;
      for (int64_t iw = 0; iw < p.inW; iw++) {
        int nt = 0;
        for (int64_t kh = 0; kh < p.kH; kh++) {
          const int64_t th = ih + p.padTop - kh * p.dilH;  // = oh * strideH
          if (th < 0 || th % p.strideH != 0 || th / p.strideH >= p.outH) continue;
          const int64_t oh = th / p.strideH;
          for (int64_t kw = 0; kw < p.kW; kw++) {
            const int64_t tw = iw + p.padLeft - kw * p.dilW;
            if (tw < 0 || tw % p.strideW != 0 || tw / p.strideW >= p.outW) continue;
            src[nt] = dy + ((n * p.outH + oh) * p.outW + tw / p.strideW) * C;
            wts[nt++] = wt + (kh * p.kW + kw) * C;
          }
        }
        dwAccumulate(src, wts, nt, C, dx + (row * p.inW + iw) * C);
      }
    }
  };
  prun(nChunks, 2.0 * p.n * p.outH * p.outW * C * taps, f);
}

}  // namespace KH_NS
}  // namespace kh

#include "depthwise_bwd_weight.h"  // backward-weight, split out for size
