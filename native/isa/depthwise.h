// Depthwise convolution (groups == inC == outC, one filter per channel), vectorised over channels:
// NHWC keeps the channels of a pixel contiguous, so every tap is a vector FMA over C. Weights are
// transposed once from OHWI [C][kH][kW][1] to [kH][kW][C]. Forward and backward-input are gathers
// (each output element owned by one task: parallel without conflicts); backward-weight keeps per-task
// partial [taps × C] sums that are reduced at the end.
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

/** 3×3 depthwise forward of one output row, one 2-vector channel block, with the 18 weight vectors in registers. */
static inline void dwForwardRow3x3(const ConvP& p, const float* x, const float* wt, int64_t n, int64_t oh, int64_t c0,
                                   float* yRow) {
  const int64_t C = p.outC;
  vf wv[9][2];
#pragma GCC unroll 9
  for (int t = 0; t < 9; t++) {
    wv[t][0] = vload(wt + t * C + c0);
    wv[t][1] = vload(wt + t * C + c0 + W);
  }
  const float* rows[3];
#pragma GCC unroll 3
  for (int kh = 0; kh < 3; kh++) {
    const int64_t ih = oh * p.strideH - p.padTop + kh * p.dilH;
    rows[kh] = ih >= 0 && ih < p.inH ? x + (n * p.inH + ih) * p.inW * C + c0 : nullptr;
  }
  for (int64_t ow = 0; ow < p.outW; ow++) {
    vf a0{}, a1{};
#pragma GCC unroll 3
    for (int kw = 0; kw < 3; kw++) {
      const int64_t iw = ow * p.strideW - p.padLeft + kw * p.dilW;
      if (iw < 0 || iw >= p.inW) continue;
#pragma GCC unroll 3
      for (int kh = 0; kh < 3; kh++) {
        if (!rows[kh]) continue;
        const float* xs = rows[kh] + iw * C;
        a0 += vload(xs) * wv[kh * 3 + kw][0];
        a1 += vload(xs + W) * wv[kh * 3 + kw][1];
      }
    }
    vstore(yRow + ow * C + c0, a0);
    vstore(yRow + ow * C + c0 + W, a1);
  }
}

static void depthwiseForward(const ConvP& p, const float* x, const float* w, float* y, const Epi& e) {
  const int64_t C = p.outC, taps = p.kH * p.kW;
  float* wt = scratch(0, 4, static_cast<size_t>(taps) * C);
  transposeDepthwise(w, C, taps, wt);
  const bool fast3x3 = p.kH == 3 && p.kW == 3 && C % (2 * W) == 0;
  auto f = [&](int64_t row, int) {  // row = n*outH + oh
    const int64_t n = row / p.outH, oh = row % p.outH;
    const float* src[kMaxTaps];
    const float* wts[kMaxTaps];
    float* yr = y + row * p.outW * C;
    if (fast3x3)
      for (int64_t c0 = 0; c0 < C; c0 += 2 * W) dwForwardRow3x3(p, x, wt, n, oh, c0, yr);
    for (int64_t ow = 0; ow < (fast3x3 ? 0 : p.outW); ow++) {
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
  };
  prun(p.n * p.outH, 2.0 * p.n * p.outH * p.outW * C * taps, f);
}

/** Stride-1 3×3 depthwise backward-input of one input row, one 2-vector channel block, weights in registers. */
static inline void dwBackInputRow3x3(const ConvP& p, const float* dy, const float* wt, int64_t n, int64_t ih, int64_t c0,
                                     float* dxRow) {
  const int64_t C = p.inC;
  vf wv[9][2];
#pragma GCC unroll 9
  for (int t = 0; t < 9; t++) {
    wv[t][0] = vload(wt + t * C + c0);
    wv[t][1] = vload(wt + t * C + c0 + W);
  }
  const float* rows[3];
#pragma GCC unroll 3
  for (int kh = 0; kh < 3; kh++) {
    const int64_t oh = ih + p.padTop - kh * p.dilH;
    rows[kh] = oh >= 0 && oh < p.outH ? dy + (n * p.outH + oh) * p.outW * C + c0 : nullptr;
  }
  for (int64_t iw = 0; iw < p.inW; iw++) {
    vf a0{}, a1{};
#pragma GCC unroll 3
    for (int kw = 0; kw < 3; kw++) {
      const int64_t ow = iw + p.padLeft - kw * p.dilW;
      if (ow < 0 || ow >= p.outW) continue;
#pragma GCC unroll 3
      for (int kh = 0; kh < 3; kh++) {
        if (!rows[kh]) continue;
        const float* ds = rows[kh] + ow * C;
        a0 += vload(ds) * wv[kh * 3 + kw][0];
        a1 += vload(ds + W) * wv[kh * 3 + kw][1];
      }
    }
    vstore(dxRow + iw * C + c0, a0);
    vstore(dxRow + iw * C + c0 + W, a1);
  }
}

static void depthwiseBackwardInput(const ConvP& p, const float* dy, const float* w, float* dx) {
  const int64_t C = p.inC, taps = p.kH * p.kW;
  float* wt = scratch(0, 4, static_cast<size_t>(taps) * C);
  transposeDepthwise(w, C, taps, wt);
  const bool fast3x3 = p.kH == 3 && p.kW == 3 && p.strideH == 1 && p.strideW == 1 && C % (2 * W) == 0;
  auto f = [&](int64_t row, int) {  // row = n*inH + ih
    const int64_t n = row / p.inH, ih = row % p.inH;
    const float* src[kMaxTaps];
    const float* wts[kMaxTaps];
    if (fast3x3)
      for (int64_t c0 = 0; c0 < C; c0 += 2 * W) dwBackInputRow3x3(p, dy, wt, n, ih, c0, dx + row * p.inW * C);
    for (int64_t iw = 0; iw < (fast3x3 ? 0 : p.inW); iw++) {
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
  };
  prun(p.n * p.inH, 2.0 * p.n * p.outH * p.outW * C * taps, f);
}

/**
 * 3×3 depthwise backward-weight for one output row and one 2-vector channel block: the 9 taps × 2 vectors
 * of dW stay in registers across the row (loaded from and stored back to the task's partial `acc` once).
 */
static inline void dwRow3x3(const ConvP& p, const float* x, const float* dyRow, int64_t n, int64_t oh, int64_t c0,
                            float* acc) {
  const int64_t C = p.outC;
  vf a[9][2];
#pragma GCC unroll 9
  for (int t = 0; t < 9; t++) {
    a[t][0] = vload(acc + t * C + c0);
    a[t][1] = vload(acc + t * C + c0 + W);
  }
  const float* rows[3];
#pragma GCC unroll 3
  for (int kh = 0; kh < 3; kh++) {
    const int64_t ih = oh * p.strideH - p.padTop + kh * p.dilH;
    rows[kh] = ih >= 0 && ih < p.inH ? x + (n * p.inH + ih) * p.inW * C + c0 : nullptr;
  }
  for (int64_t ow = 0; ow < p.outW; ow++) {
    const vf d0 = vload(dyRow + ow * C + c0), d1 = vload(dyRow + ow * C + c0 + W);
#pragma GCC unroll 3
    for (int kw = 0; kw < 3; kw++) {
      const int64_t iw = ow * p.strideW - p.padLeft + kw * p.dilW;
      if (iw < 0 || iw >= p.inW) continue;
#pragma GCC unroll 3
      for (int kh = 0; kh < 3; kh++) {
        if (!rows[kh]) continue;
        const float* xs = rows[kh] + iw * C;
        a[kh * 3 + kw][0] += vload(xs) * d0;
        a[kh * 3 + kw][1] += vload(xs + W) * d1;
      }
    }
  }
#pragma GCC unroll 9
  for (int t = 0; t < 9; t++) {
    vstore(acc + t * C + c0, a[t][0]);
    vstore(acc + t * C + c0 + W, a[t][1]);
  }
}

static void depthwiseBackwardWeight(const ConvP& p, const float* x, const float* dy, float* dw, float* dbias) {
  const int64_t C = p.outC, taps = p.kH * p.kW, rowsOut = p.n * p.outH;
  const double flops = 2.0 * rowsOut * p.outW * C * taps;
  const int nt = flops < 2e6 ? 1 : threadCount();
  const int64_t chunk = ceilDiv(rowsOut, nt);
  float* parts[256];
  auto f = [&](int64_t t, int) {
    // Partial [taps+1][C] (the last row is dbias), owned by task t; stays in L1 while pixels stream by.
    float* part = scratch(static_cast<int>(t), 3, static_cast<size_t>((taps + 1) * C));
    parts[t] = part;
    memset(part, 0, sizeof(float) * (taps + 1) * C);
    float* pb = part + taps * C;
    const int64_t r0 = t * chunk, r1 = imin(rowsOut, (t + 1) * chunk);
    const bool fast3x3 = p.kH == 3 && p.kW == 3 && C % (2 * W) == 0;
    for (int64_t row = r0, n = r0 / p.outH, oh = r0 % p.outH; row < r1; row++) {
      if (fast3x3) {
        const float* dyRow = dy + row * p.outW * C;
        for (int64_t c0 = 0; c0 < C; c0 += 2 * W) dwRow3x3(p, x, dyRow, n, oh, c0, part);
        for (int64_t ow = 0; ow < p.outW; ow++)
          for (int64_t c = 0; c < C; c++) pb[c] += dyRow[ow * C + c];
      }
      for (int64_t ow = 0; ow < (fast3x3 ? 0 : p.outW); ow++) {
        const float* d = dy + (row * p.outW + ow) * C;
        for (int64_t c = 0; c < C; c++) pb[c] += d[c];
        for (int64_t kh = 0; kh < p.kH; kh++) {
          const int64_t ih = oh * p.strideH - p.padTop + kh * p.dilH;
          if (ih < 0 || ih >= p.inH) continue;
          const float* xr = x + (n * p.inH + ih) * p.inW * C;
          for (int64_t kw = 0; kw < p.kW; kw++) {
            const int64_t iw = ow * p.strideW - p.padLeft + kw * p.dilW;
            if (iw < 0 || iw >= p.inW) continue;
            const float* xs = xr + iw * C;
            float* acc = part + (kh * p.kW + kw) * C;
            int64_t c = 0;
            for (; c + W <= C; c += W) vstore(acc + c, vload(acc + c) + vload(xs + c) * vload(d + c));
            for (; c < C; c++) acc[c] += xs[c] * d[c];
          }
        }
      }
      if (++oh == p.outH) {
        oh = 0;
        n++;
      }
    }
  };
  if (nt <= 1) f(0, 0);
  else pfor(nt, f);
  for (int64_t c = 0; c < C; c++) {
    for (int64_t tp = 0; tp < taps; tp++) {
      float s = 0.f;
      for (int t = 0; t < nt; t++) s += parts[t][tp * C + c];
      dw[c * taps + tp] = s;
    }
    if (dbias) {
      float s = 0.f;
      for (int t = 0; t < nt; t++) s += parts[t][taps * C + c];
      dbias[c] = s;
    }
  }
}

}  // namespace KH_NS
}  // namespace kh
