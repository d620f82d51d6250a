// Per-channel kernels over [rows × channels]: batch statistics (float64 accumulation), the affine /
// activation epilogue, and training-mode batch-norm backward with a fused relu/relu6 mask. Rows are split
// into one contiguous range per thread; reductions use per-thread partials combined at the end.
#pragma once
#include "prelude.h"

namespace kh {
namespace KH_NS {

static int rowTasks(int64_t rows, int64_t ch) {
  const double work = 1.0 * rows * ch;
  return work < 262144 ? 1 : threadCount();
}

static void channelStats(const float* x, int64_t rows, int64_t ch, double* sum, double* sumSq) {
  const int nt = rowTasks(rows, ch);
  const int64_t chunk = ceilDiv(rows, nt);
  double* parts[256];
  auto f = [&](int64_t t, int) {
    double* part = reinterpret_cast<double*>(scratch(static_cast<int>(t), 3, static_cast<size_t>(4 * ch)));
    parts[t] = part;
    double* s = part;
    double* q = part + ch;
    for (int64_t c = 0; c < ch; c++) s[c] = q[c] = 0.0;
    for (int64_t r = t * chunk; r < imin(rows, (t + 1) * chunk); r++) {
      const float* xr = x + r * ch;
      for (int64_t c = 0; c < ch; c++) {
        const double v = xr[c];
        s[c] += v;
        q[c] += v * v;
      }
    }
  };
  if (nt <= 1) f(0, 0);
  else pfor(nt, f);
  for (int64_t c = 0; c < ch; c++) {
    double s = 0.0, q = 0.0;
    for (int t = 0; t < nt; t++) {
      s += parts[t][c];
      q += parts[t][ch + c];
    }
    sum[c] = s;
    sumSq[c] = q;
  }
}

static void channelAffine(const float* x, int64_t rows, int64_t ch, float* y, const Epi& e) {
  const int nt = rowTasks(rows, ch);
  const int64_t chunk = ceilDiv(rows, nt);
  auto f = [&](int64_t t, int) {
    const int64_t r0 = t * chunk, r1 = imin(rows, r0 + chunk);
    if (r1 <= r0) return;
    const float* res = e.residual ? e.residual + r0 * ch : nullptr;
    epilogueBlock(x + r0 * ch, ch, y + r0 * ch, ch, r1 - r0, ch, 0, e, res, ch);
  };
  if (nt <= 1) f(0, 0);
  else pfor(nt, f);
}

/** Masked gradient g = dy where the fused activation was active (evaluated on its output). */
static inline float maskedGrad(float d, int act, const float* out, int64_t i) {
  if (act == ACT_RELU) return out[i] > 0.f ? d : 0.f;
  if (act == ACT_RELU6) return out[i] > 0.f && out[i] < 6.f ? d : 0.f;
  return d;
}

static void bnBackward(const float* x, const float* dy, int64_t rows, int64_t ch, const float* mean,
                       const float* invStd, const float* gamma, float* dx, float* dGamma, float* dBeta, int act,
                       const float* actOut) {
  const int nt = rowTasks(rows, ch);
  const int64_t chunk = ceilDiv(rows, nt);
  double* parts[256];
  auto pass1 = [&](int64_t t, int) {
    double* part = reinterpret_cast<double*>(scratch(static_cast<int>(t), 3, static_cast<size_t>(4 * ch)));
    parts[t] = part;
    double* sg = part;
    double* sgx = part + ch;
    for (int64_t c = 0; c < ch; c++) sg[c] = sgx[c] = 0.0;
    for (int64_t r = t * chunk; r < imin(rows, (t + 1) * chunk); r++) {
      const int64_t b = r * ch;
      for (int64_t c = 0; c < ch; c++) {
        const float g = maskedGrad(dy[b + c], act, actOut, b + c);
        sg[c] += g;
        sgx[c] += static_cast<double>(g) * ((x[b + c] - mean[c]) * invStd[c]);
      }
    }
  };
  if (nt <= 1) pass1(0, 0);
  else pfor(nt, pass1);
  float* coef = scratch(0, 5, static_cast<size_t>(3 * ch));  // k = γσ⁻¹, mean(g), mean(g·x̂)
  for (int64_t c = 0; c < ch; c++) {
    double sg = 0.0, sgx = 0.0;
    for (int t = 0; t < nt; t++) {
      sg += parts[t][c];
      sgx += parts[t][ch + c];
    }
    dBeta[c] = static_cast<float>(sg);
    dGamma[c] = static_cast<float>(sgx);
    coef[c] = gamma[c] * invStd[c];
    coef[ch + c] = rows > 0 ? static_cast<float>(sg / rows) : 0.f;
    coef[2 * ch + c] = rows > 0 ? static_cast<float>(sgx / rows) : 0.f;
  }
  const float* k = coef;
  const float* mg = coef + ch;
  const float* mgx = coef + 2 * ch;
  auto pass2 = [&](int64_t t, int) {
    for (int64_t r = t * chunk; r < imin(rows, (t + 1) * chunk); r++) {
      const int64_t b = r * ch;
      for (int64_t c = 0; c < ch; c++) {
        const float g = maskedGrad(dy[b + c], act, actOut, b + c);
        const float xh = (x[b + c] - mean[c]) * invStd[c];
        dx[b + c] = k[c] * (g - mg[c] - xh * mgx[c]);
      }
    }
  };
  if (nt <= 1) pass2(0, 0);
  else pfor(nt, pass2);
}

}  // namespace KH_NS
}  // namespace kh
