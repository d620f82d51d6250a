// Fused analog-tile periphery kernels (contract: AnalogKernels in src/core/kernels/types.ts; reference:
// src/core/kernels/js/analog.ts, which these match bit for bit). aihwkit C++ order (SPEC 7.1-7.2): values are
// float32, every product is rounded to float32 where the reference calls Math.fround, quantisation is
// rint(v/step)·step with round half to EVEN (the 1.5·2^52 magic-number trick in double, as in the reference)
// applied before clipping. FMA contraction is disabled here: a fused t + σ·z would round differently.
// Rows are independent and split over the thread pool.
#pragma once
#include "prelude.h"

#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")

namespace kh {
namespace KH_NS {

constexpr double kRintMagic = 6755399441055744.0;  // 1.5·2^52
constexpr double kRintLimit = 2251799813685248.0;  // 2^51

/** float32 quantisation of v to `step` (double) as in the reference: fround(rint(fround(v/step))·step). */
static inline float quantStep(float v, double invStep, double step) {
  const double t = static_cast<float>(static_cast<double>(v) * invStep);
  // no -ffast-math in this build: (t + M) − M is not reassociated; |t| ≥ 2^51 is already an integer
  const double r = std::fabs(t) < kRintLimit ? (t + kRintMagic) - kRintMagic : t;
  return static_cast<float>(r * step);
}

/** One DAC row: v = clip(quantise(x·s), ±bound), branch-free so that it vectorises. */
static void quantRow(const float* __restrict x, float s, int64_t k, double invStep, double step, double bound,
                     float* __restrict v) {
  const float hi = static_cast<float>(bound), lo = static_cast<float>(-bound);
  for (int64_t j = 0; j < k; j++) {
    float q = x[j] * s;
    if (step != 0.0) q = quantStep(q, invStep, step);
    const double qd = q;
    v[j] = qd > bound ? hi : (qd < -bound ? lo : q);
  }
}

static void analogInput(const float* x, int64_t rows, int64_t k, const AnalogIn& p, double* nm, const double* red,
                        float* v, float* scales) {
  const bool useNm = p.nmMode != 0, useMax = p.nmMode == 2;
  const bool computeNm = p.computeNm && (p.nmMode == 1 || p.nmMode == 2);
  const double invStep = 1.0 / p.step;
  const int64_t perTask = imax(1, 16384 / imax(k, 1));
  auto f = [&](int64_t t, int) {
    for (int64_t r = t * perTask; r < imin(rows, (t + 1) * perTask); r++) {
      const float* xr = x + r * k;
      float* vr = v + r * k;
      if (computeNm) {
        float m;
        if (useMax) {
          m = -INFINITY;
          for (int64_t j = 0; j < k; j++) m = xr[j] > m ? xr[j] : m;
        } else {
          m = 0.f;
          for (int64_t j = 0; j < k; j++) {
            const float a = std::fabs(xr[j]);
            m = a > m ? a : m;
          }
        }
        nm[r] = static_cast<double>(m) < p.nmCap ? static_cast<double>(m) : p.nmCap;
        if (!(m > 0.f) && p.zeroRowsExact) {
          scales[r] = 0.f;
          zeroFloats(vr, k);
          continue;
        }
      }
      const double base = useNm && nm[r] > 0 ? 1.0 / nm[r] : 1.0;
      const float s = static_cast<float>(base / (red ? red[r] : 1.0));
      scales[r] = s;
      quantRow(xr, s, k, invStep, p.step, p.bound, vr);
    }
  };
  prun(ceilDiv(rows, perTask), 10.0 * static_cast<double>(rows * k), f);
}

static void analogOutput(float* y, int64_t rows, int64_t m, const AnalogOut& p, const float* z, uint8_t* failed) {
  const double invStep = 1.0 / p.step, step = p.step, sigma = p.outNoise, asym1 = 1.0 - p.outAsymmetry;
  const double hiD = p.bound;
  const float hi = static_cast<float>(hiD), lo = static_cast<float>(-hiD);
  const bool asym = p.outAsymmetry != 0.0, noise = z && sigma > 0.0, testNeg = p.testNegativeBound;
  const int64_t perTask = imax(1, 16384 / imax(m, 1));
  auto f = [&](int64_t t, int) {
    for (int64_t r = t * perTask; r < imin(rows, (t + 1) * perTask); r++) {
      float* yr = y + r * m;
      const float* zr = noise ? z + r * m : nullptr;
      int pos = 0, neg = 0;
      for (int64_t i = 0; i < m; i++) {
        float u = yr[i];
        if (asym && u < 0.f) u = static_cast<float>(u * asym1);
        if (noise) u = static_cast<float>(static_cast<double>(u) + sigma * static_cast<double>(zr[i]));
        if (step != 0.0) u = quantStep(u, invStep, step);
        const double ud = u;
        const int over = ud > hiD, under = ud < -hiD;
        pos |= over;
        neg |= under;
        yr[i] = over ? hi : (under ? lo : u);
      }
      failed[r] = static_cast<uint8_t>(pos | (testNeg ? neg : 0));
    }
  };
  prun(ceilDiv(rows, perTask), 10.0 * static_cast<double>(rows * m), f);
}

static void analogIm2col(const ConvP& p, const float* x, int64_t g0, int64_t ng, int64_t row0, int64_t nRows,
                         float* out) {
  const int64_t cgOne = p.inC / p.groups, cg = cgOne * ng, kk = p.kH * p.kW, K = cg * kk, c0 = g0 * cgOne;
  const int64_t hw = p.outH * p.outW;
  const int64_t perTask = imax(1, 16384 / imax(K, 1));
  auto f = [&](int64_t t, int) {
    for (int64_t r = t * perTask; r < imin(nRows, (t + 1) * perTask); r++) {
      const int64_t row = row0 + r, n = row / hw, oh = (row - n * hw) / p.outW, ow = row - n * hw - oh * p.outW;
      float* o = out + r * K;
      for (int64_t ki = 0; ki < p.kH; ki++) {
        const int64_t ih = oh * p.strideH - p.padTop + ki * p.dilH;
        for (int64_t kj = 0; kj < p.kW; kj++) {
          const int64_t iw = ow * p.strideW - p.padLeft + kj * p.dilW;
          float* d = o + ki * p.kW + kj;
          if (ih < 0 || ih >= p.inH || iw < 0 || iw >= p.inW) {
            for (int64_t c = 0; c < cg; c++) d[c * kk] = 0.f;
          } else {
            const float* s = x + ((n * p.inH + ih) * p.inW + iw) * p.inC + c0;
            for (int64_t c = 0; c < cg; c++) d[c * kk] = s[c];
          }
        }
      }
    }
  };
  prun(ceilDiv(nRows, perTask), 4.0 * static_cast<double>(nRows * K), f);
}

}  // namespace KH_NS
}  // namespace kh

#pragma GCC pop_options
