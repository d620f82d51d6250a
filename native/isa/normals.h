// Standard normals of a Philox stream range, vectorised in float32 (the analog output noise: one normal per
// ADC output, so this runs once per output element of every analog layer). Same stream layout and Box-Muller
// pairing as fillNormal (philox.h, src/core/philox.ts): element i comes from block s.block + i/4, words (0,1)
// → the (cos, sin) pair of elements 4b, 4b+1 and words (2,3) → elements 4b+2, 4b+3, with u1 = (w0>>8 + 1)/2^24
// and u2 = (w1>>8)/2^24. The reference computes r·cos(2π·u2) in double and rounds once to float; here every
// step runs in float: ln by Cephes' logf polynomial (no division), sin/cos by Cephes' sinf/cosf polynomials on
// [0, π/4] after an exact octant reduction of the 24-bit angle, and a correctly rounded sqrt. The polynomial
// steps are explicit fused multiply-adds (fmaV) and nothing else can contract, so every ISA path gives the
// same bits. The result is within ~5 float ulp (< 1e-6 relative) of the reference, the contract of the
// analog noise kernels. Cephes: S. L. Moshier, Cephes Math Library
// 2.x (logf.c, sinf.c; peak errors ~1 ulp over the ranges used here).
#pragma once
#include "philox.h"
#include "prelude.h"

namespace kh {
namespace KH_NS {

typedef float vf16 __attribute__((vector_size(16 * 4)));  // kLanes floats (GCC splits to the ISA width)
typedef int32_t vi16 __attribute__((vector_size(16 * 4)));
typedef uint32_t vu16 __attribute__((vector_size(16 * 4), aligned(4)));
static_assert(kLanes == 16, "vf16 holds one lane group");

/** Broadcast of one float to the 16 lanes. */
static inline vf16 vbc(float v) { return vf16{} + v; }

/**
 * a·b + c per lane rounded once (an explicit fused multiply-add on every ISA path, software fmaf on the
 * generic one), so that every path gives the same bits with half the polynomial steps of separate × and +.
 */
static inline vf16 fmaV(const vf16& a, const vf16& b, const vf16& c) {
#if KH_VBYTES == 64
  return (vf16)_mm512_fmadd_ps((__m512)a, (__m512)b, (__m512)c);
#else
  vf16 r;
#if KH_VBYTES == 32
  __m256 a2[2], b2[2], c2[2], r2[2];
  std::memcpy(a2, &a, sizeof a2);
  std::memcpy(b2, &b, sizeof b2);
  std::memcpy(c2, &c, sizeof c2);
  for (int h = 0; h < 2; h++) r2[h] = _mm256_fmadd_ps(a2[h], b2[h], c2[h]);
  std::memcpy(&r, r2, sizeof r);
#else
  for (int l = 0; l < kLanes; l++) r[l] = __builtin_fmaf(a[l], b[l], c[l]);
#endif
  return r;
#endif
}

/** ln(u) for u in [2^-24, 1] per lane: u = m·2^e with m folded into [√½, √2), Cephes logf on x = m − 1. */
static inline void lnUnitF(const vf16& u, vf16& ln) {
  vu16 bits;
  std::memcpy(&bits, &u, sizeof bits);
  vi16 e = (vi16)(bits >> 23) - 126;  // u = m·2^e with m in [0.5, 1) (u is a normal float)
  bits = (bits & 0x007fffffu) | 0x3f000000u;
  vf16 m;
  std::memcpy(&m, &bits, sizeof m);
  const vi16 low = m < 0.70710678118654752f;  // −1 where m < √½: use 2m and e − 1
  e += low;
  const vf16 x = low ? (m + m) - 1.0f : m - 1.0f;  // exact (Sterbenz)
  const vf16 z = x * x;
  vf16 y = fmaV(vbc(7.0376836292E-2f), x, vbc(-1.1514610310E-1f));
  y = fmaV(y, x, vbc(1.1676998740E-1f));
  y = fmaV(y, x, vbc(-1.2420140846E-1f));
  y = fmaV(y, x, vbc(1.4249322787E-1f));
  y = fmaV(y, x, vbc(-1.6668057665E-1f));
  y = fmaV(y, x, vbc(2.0000714765E-1f));
  y = fmaV(y, x, vbc(-2.4999993993E-1f));
  y = fmaV(y, x, vbc(3.3333331174E-1f));
  y = y * x * z;
  const vf16 fe = __builtin_convertvector(e, vf16);
  y = fmaV(vbc(-2.12194440E-4f), fe, y);  // ln 2 = 0.693359375 − 2.12194440e-4 (split for an exact e·ln2_hi)
  y = fmaV(vbc(-0.5f), z, y);
  ln = (x + y) + 0.693359375f * fe;  // (e·ln2_hi is exact)
}

/**
 * Box-Muller on 16 lanes: from the Philox words a (u1) and c (u2) of each lane, n0 = r·cos(2π·u2) and
 * n1 = r·sin(2π·u2) with r = sqrt(−2·ln u1).
 */
static inline void boxMuller16(const uint32_t* wa, const uint32_t* wc, vf16& n0, vf16& n1) {
  vu16 a, c;
  std::memcpy(&a, wa, sizeof a);
  std::memcpy(&c, wc, sizeof c);
  const vf16 u1 = __builtin_convertvector((a >> 8) + 1u, vf16) * (1.0f / 16777216.0f);  // exact
  vf16 r2;
  lnUnitF(u1, r2);
  r2 = -2.0f * r2;
  alignas(64) float rv[kLanes];
  std::memcpy(rv, &r2, sizeof rv);
  for (int l = 0; l < kLanes; l++) rv[l] = __builtin_sqrtf(rv[l]);  // vectorised (correctly rounded)
  vf16 r;
  std::memcpy(&r, rv, sizeof r);
  // angle 2π·u2 = q·π/2 + k·(π/2)/2^22: quadrant q (top 2 of the 24 bits), k folded to [0, 2^21] (octant)
  c >>= 8;
  const vu16 q = c >> 22, k = c & 0x3fffffu;
  const vi16 fold = (vi16)(k > 0x200000u);  // −1: x = π/2 − x', so sin x = cos x' and cos x = sin x'
  const vu16 kf = fold ? 0x400000u - k : k;
  const vf16 x = __builtin_convertvector(kf, vf16) * (1.57079632679489662f / 4194304.0f), z = x * x;
  const vf16 sn = fmaV(fmaV(fmaV(vbc(-1.9515295891E-4f), z, vbc(8.3321608736E-3f)), z, vbc(-1.6666654611E-1f)) * z, x, x);
  const vf16 ct = fmaV(fmaV(vbc(2.443315711809948E-5f), z, vbc(-1.388731625493765E-3f)), z, vbc(4.166664568298827E-2f));
  const vf16 cs = fmaV(ct * z, z, vbc(-0.5f) * z) + 1.0f;
  // quadrant q: odd q swaps sin/cos (as does the octant fold); cos < 0 for q = 1, 2 and sin < 0 for q = 2, 3
  const vi16 swap = (vi16)((q & 1u) != 0u) ^ fold;
  const vf16 c1 = swap ? sn : cs, s1 = swap ? cs : sn;
  const vi16 negC = (vi16)(((q ^ (q >> 1)) & 1u) != 0u), negS = (vi16)((q >> 1) != 0u);
  n0 = r * (negC ? -c1 : c1);
  n1 = r * (negS ? -s1 : s1);
}

/** out[4l + j] = n_j[l]: the four per-lane element vectors interleaved into stream order (64 floats). */
static inline void interleave4(const vf16& n0, const vf16& n1, const vf16& n2, const vf16& n3, float* out) {
  const vi16 lo = {0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23};
  const vi16 hi = lo + 8;
  const vi16 q0 = {0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23};
  const vi16 q1 = q0 + 8;
  const vf16 ab0 = __builtin_shuffle(n0, n1, lo), ab1 = __builtin_shuffle(n0, n1, hi);
  const vf16 cd0 = __builtin_shuffle(n2, n3, lo), cd1 = __builtin_shuffle(n2, n3, hi);
  const vf16 o[4] = {__builtin_shuffle(ab0, cd0, q0), __builtin_shuffle(ab0, cd0, q1),
                     __builtin_shuffle(ab1, cd1, q0), __builtin_shuffle(ab1, cd1, q1)};
  std::memcpy(out, o, sizeof o);
}

/** Standard normals of elements [e0, e1) of the Philox stream s into out[0 .. e1 − e0). */
static void normalsRange(const Stream& s, int64_t e0, int64_t e1, float* out) {
  alignas(64) uint32_t wbuf[2][4 * kLanes];  // the next group's Philox words are made before this group's normals
  int cur = 0;
  if (4 * (e0 / 4) < e1) philoxLanes(s, s.block + static_cast<uint64_t>(e0 / 4), wbuf[0]);
  for (int64_t b = e0 / 4; 4 * b < e1; b += kLanes, cur ^= 1) {
    const uint32_t* wv = wbuf[cur];
    if (4 * (b + kLanes) < e1) philoxLanes(s, s.block + static_cast<uint64_t>(b + kLanes), wbuf[cur ^ 1]);
    vf16 n[4];
    boxMuller16(wv, wv + kLanes, n[0], n[1]);
    boxMuller16(wv + 2 * kLanes, wv + 3 * kLanes, n[2], n[3]);
    if (4 * b >= e0 && 4 * (b + kLanes) <= e1) {  // the whole group is inside the range
      interleave4(n[0], n[1], n[2], n[3], out + (4 * b - e0));
      continue;
    }
    alignas(64) float t[4 * kLanes];
    interleave4(n[0], n[1], n[2], n[3], t);
    for (int i = 0; i < 4 * kLanes; i++) {
      const int64_t e = 4 * b + i;
      if (e >= e0 && e < e1) out[e - e0] = t[i];
    }
  }
}

// the affine map without contraction (mean + stdev·z rounded as the reference does); only here: an optimize
// attribute on the generator functions would keep GCC from inlining the Philox rounds into them
#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")

/**
 * fillNormal: out[i] = mean + stdev·z_i for the stream's normals z (normalsRange, then the affine map in
 * double, rounded once), split over the thread pool in tasks of 16 Ki values.
 */
static void fillNormal(float* out, int64_t n, const Stream& s, double mean, double stdev) {
  const int64_t perTask = 16384;
  const bool affine = mean != 0.0 || stdev != 1.0;
  auto f = [&](int64_t t, int) {
    const int64_t e0 = t * perTask, e1 = imin(n, e0 + perTask);
    normalsRange(s, e0, e1, out + e0);
    if (affine)
      for (int64_t i = e0; i < e1; i++) out[i] = static_cast<float>(mean + stdev * static_cast<double>(out[i]));
  };
  prun(ceilDiv(n, perTask), 8.0 * static_cast<double>(n), f);
}

}  // namespace KH_NS
}  // namespace kh

#pragma GCC pop_options
