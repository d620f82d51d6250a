// Straight-through periphery of hardware-aware training (contract: HwaKernels in src/core/kernels/hwa-types.ts;
// reference: src/core/kernels/js/hwa.ts): the per-sample abs-max DAC, the ADC with output noise,
// quantisation, clipping and the digital bias, and the ADC's backward. The reference's float64 arithmetic,
// each result rounded once to float32, rint by the same magic number, contraction off: every ISA path gives
// the reference's bits (the output noise: this backend's fillNormal normals, drawn by element index, so the
// split over threads does not change them). Plain loops, vectorised by GCC.
#pragma once
#include "analog_dac.h"  // kRintMagic
#include "normals.h"
#include "prelude.h"

#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")

namespace kh {
namespace KH_NS {

/**
 * The DAC scale of one sample x[0 .. per): max|x|, or 1 where that is not > 0 or x holds a NaN (analog_nm.h's
 * rowMax and hasNaN in one vector pass: hasNaN is a scalar loop, and this runs over every training input).
 */
static float hwaSampleScale(const float* x, int64_t per) {
  typedef int32_t vi __attribute__((vector_size(KH_VBYTES)));
  vf m = vbcast(0.f);
  vi nan{};
  int64_t i = 0;
  for (; i + W <= per; i += W) {
    const vf a = vabs(vload(x + i));
    nan |= a != a;
    m = vmax(a, m);
  }
  float mx = 0.f;
  bool anyNan = false;
  for (int l = 0; l < W; l++) {
    mx = m[l] > mx ? m[l] : mx;
    anyNan |= nan[l] != 0;
  }
  for (; i < per; i++) {
    const float a = std::fabs(x[i]);
    anyNan |= a != a;
    mx = a > mx ? a : mx;
  }
  return !anyNan && mx > 0.f ? mx : 1.f;
}

/** hwaDac: x as [n, per]; scales[k] = hwaSampleScale of sample k; y = b·rint(x·a) (step > 0) or x. */
static void hwaDac(const float* x, int64_t n, int64_t per, double step, float* y, float* scales) {
  auto f = [&](int64_t k, int) {
    const float* xk = x + k * per;
    float* yk = y + k * per;
    const float s = hwaSampleScale(xk, per);
    scales[k] = s;
    if (!(step > 0.0)) {
      std::memcpy(yk, xk, sizeof(float) * per);
      return;
    }
    const double a = 1.0 / (static_cast<double>(s) * step), b = static_cast<double>(s) * step;
    for (int64_t i = 0; i < per; i++)
      yk[i] = static_cast<float>(b * ((static_cast<double>(xk[i]) * a + kRintMagic) - kRintMagic));
  };
  prun(n, 8.0 * static_cast<double>(n * per), f);
}

/** One row of hwaAdc: m channels with their norms nc, normals z (NOISE), bias (BIAS). */
template <bool NOISE, bool QUANT, bool BIAS>
static inline void hwaAdcRow(const float* __restrict y, const double* __restrict nc, const float* __restrict z,
                             int64_t m, double sigma, double step, double invStep, double bound,
                             const float* __restrict bias, float* __restrict out, uint8_t* __restrict mask) {
  for (int64_t c = 0; c < m; c++) {
    double v = static_cast<double>(y[c]) / nc[c];
    if (NOISE) v = v + sigma * static_cast<double>(z[c]);
    if (QUANT) v = step * ((v * invStep + kRintMagic) - kRintMagic);
    const bool hi = v > bound, lo = v < -bound;
    v = hi ? bound : (lo ? -bound : v);
    mask[c] = static_cast<uint8_t>(!(hi || lo));
    const float o = static_cast<float>(v * nc[c]);
    out[c] = BIAS ? o + bias[c] : o;
  }
}

/**
 * hwaAdc on y as [n, per / m, m] (sample k's input scale xs[k], channel c's weight scale ws[c]); the noise,
 * when s is given, is element i's normal of the stream s (normalsRange).
 */
template <bool NOISE, bool QUANT, bool BIAS>
static void hwaAdcT(const float* y, int64_t n, int64_t per, int64_t m, const float* xs, const float* ws,
                    double sigma, const Stream* s, double step, double bound, const float* bias, float* out,
                    uint8_t* mask) {
  const int64_t rowsPer = per / m, rows = n * rowsPer;
  const int64_t perTask = imax(1, 16384 / m);
  const double invStep = QUANT ? 1.0 / step : 0.0;
  auto f = [&](int64_t t, int tid) {
    const int64_t r0 = t * perTask, r1 = imin(rows, r0 + perTask);
    float* z = NOISE ? scratch(tid, 7, static_cast<size_t>((r1 - r0) * m)) : nullptr;
    if (NOISE) normalsRange(*s, r0 * m, r1 * m, z);
    double* nc = reinterpret_cast<double*>(scratch(tid, 6, static_cast<size_t>(2 * m)));
    int64_t k = -1;
    for (int64_t r = r0; r < r1; r++) {
      if (r / rowsPer != k) {  // the sample's norms wScale[c]·inputScale[k]
        k = r / rowsPer;
        for (int64_t c = 0; c < m; c++) nc[c] = static_cast<double>(ws[c]) * static_cast<double>(xs[k]);
      }
      const int64_t i = r * m;
      hwaAdcRow<NOISE, QUANT, BIAS>(y + i, nc, NOISE ? z + (r - r0) * m : nullptr, m, sigma, step, invStep, bound,
                                    bias, out + i, mask + i);
    }
  };
  prun(ceilDiv(rows, perTask), 16.0 * static_cast<double>(rows * m), f);
}

static void hwaAdc(const float* y, int64_t n, int64_t per, int64_t m, const float* xs, const float* ws, double sigma,
                   const Stream* s, double step, double bound, const float* bias, float* out, uint8_t* mask) {
  const bool noise = s && sigma > 0.0, quant = step > 0.0;
  auto run = [&](auto nz, auto q, auto b) {
    hwaAdcT<decltype(nz)::value, decltype(q)::value, decltype(b)::value>(y, n, per, m, xs, ws, sigma, s, step,
                                                                          bound, bias, out, mask);
  };
  using T = std::true_type;
  using F = std::false_type;
  if (noise) {
    if (quant) bias ? run(T{}, T{}, T{}) : run(T{}, T{}, F{});
    else bias ? run(T{}, F{}, T{}) : run(T{}, F{}, F{});
  } else {
    if (quant) bias ? run(F{}, T{}, T{}) : run(F{}, T{}, F{});
    else bias ? run(F{}, F{}, T{}) : run(F{}, F{}, F{});
  }
}

/**
 * hwaAdcBackward: gy = mask ? g : 0 over `total` values; biasGrad[c] = the float sum of g over the rows in row
 * order (split over blocks of channels, so the order, and the bits, do not depend on the threads).
 */
static void hwaAdcBackward(const float* g, int64_t total, int64_t m, const uint8_t* mask, float* gy,
                           float* biasGrad) {
  const int64_t perTask = 1 << 16;
  auto f = [&](int64_t t, int) {
    const int64_t i0 = t * perTask, i1 = imin(total, i0 + perTask);
    for (int64_t i = i0; i < i1; i++) {
      const float v = g[i];  // loaded unconditionally, so that the select vectorises
      gy[i] = mask[i] ? v : 0.f;
    }
  };
  prun(ceilDiv(total, perTask), 2.0 * static_cast<double>(total), f);
  if (!biasGrad) return;
  const int64_t rows = total / m, block = 4 * W;
  auto b = [&](int64_t t, int) {
    const int64_t c0 = t * block, c1 = imin(m, c0 + block);
    float acc[4 * W];
    for (int64_t c = c0; c < c1; c++) acc[c - c0] = 0.f;
    for (int64_t r = 0; r < rows; r++) {
      const float* gr = g + r * m;
      for (int64_t c = c0; c < c1; c++) acc[c - c0] += gr[c];
    }
    for (int64_t c = c0; c < c1; c++) biasGrad[c] = acc[c - c0];
  };
  prun(ceilDiv(m, block), 2.0 * static_cast<double>(total), b);
}

}  // namespace KH_NS
}  // namespace kh

#pragma GCC pop_options
