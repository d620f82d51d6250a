// Depthwise convolution backward-weight (see depthwise.h for the layout and threading): per-task partial
// [taps × C] sums over contiguous row chunks, reduced at the end; a 3×3 fast path keeps the nine tap sums of
// a channel block in registers.
#pragma once
#include "depthwise.h"

namespace kh {
namespace KH_NS {

/**
 * 3×3 depthwise backward-weight for rows [r0, r1) and one 2-vector channel block: the 9 taps × 2 vectors of
 * dW and the 2 vectors of dbias stay in registers across the whole chunk, then are stored to the task's
 * partial `acc` ([taps+1][C], last row dbias) once.
 */
static inline void dwBackWeightChunk3x3(const ConvP& p, const float* x, const float* dy, int64_t r0, int64_t r1,
                                        int64_t c0, float* acc) {
  const int64_t C = p.outC;
  vf a[9][2], b0{}, b1{};
#pragma GCC unroll 9
  for (int t = 0; t < 9; t++) a[t][0] = a[t][1] = vf{};
  // (n, oh) advance with the row: no integer division per row.
  for (int64_t row = r0, n = r0 / p.outH, oh = r0 % p.outH; row < r1;
       row++, oh = oh + 1 == p.outH ? 0 : oh + 1, n += oh == 0) {
    const float* dyRow = dy + row * p.outW * C + c0;
    const float* rows[3];
    for (int kh = 0; kh < 3; kh++) {
      const int64_t ih = oh * p.strideH - p.padTop + kh * p.dilH;
      rows[kh] = ih >= 0 && ih < p.inH ? x + (n * p.inH + ih) * p.inW * C + c0 : nullptr;
    }
    for (int64_t ow = 0; ow < p.outW; ow++) {
      const vf d0 = vload(dyRow + ow * C), d1 = vload(dyRow + ow * C + W);
      b0 += d0;
      b1 += d1;
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
  }
#pragma GCC unroll 9
  for (int t = 0; t < 9; t++) {
    vstore(acc + t * C + c0, a[t][0]);
    vstore(acc + t * C + c0 + W, a[t][1]);
  }
  vstore(acc + 9 * C + c0, b0);
  vstore(acc + 9 * C + c0 + W, b1);
}

static void depthwiseBackwardWeight(const ConvP& p, const float* x, const float* dy, float* dw, float* dbias) {
  const int64_t C = p.outC, taps = p.kH * p.kW, rowsOut = p.n * p.outH;
  const double flops = 2.0 * rowsOut * p.outW * C * taps;
  const int nt = flops < 2e6 ? 1 : threadCount();
  const int64_t chunk = ceilDiv(rowsOut, nt);
  const bool fast3x3 = p.kH == 3 && p.kW == 3 && C % (2 * W) == 0;
  float* parts[256];
  auto f = [&](int64_t t, int) {
    // Partial [taps+1][C] (the last row is dbias), owned by task t; stays in L1 while pixels stream by.
    float* part = scratch(static_cast<int>(t), 3, static_cast<size_t>((taps + 1) * C));
    parts[t] = part;
    const int64_t r0 = t * chunk, r1 = imin(rowsOut, (t + 1) * chunk);
    if (fast3x3) {  // overwrites every element of part
      for (int64_t c0 = 0; c0 < C; c0 += 2 * W) dwBackWeightChunk3x3(p, x, dy, r0, r1, c0, part);
      return;
    }
    memset(part, 0, sizeof(float) * (taps + 1) * C);
    float* pb = part + taps * C;
    for (int64_t row = r0, n = r0 / p.outH, oh = r0 % p.outH; row < r1; row++) {
      for (int64_t ow = 0; ow < p.outW; ow++) {
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
