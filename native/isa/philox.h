// Philox4x32-10 bulk fills, bit-compatible with src/core/philox.ts: element i of a fill comes from block
// (s.block + i/4), word i%4, so results do not depend on the thread split. Uniforms are computed in double
// exactly like the TypeScript reference (bit-identical floats); normals (fillNormal) are in normals.h.
// Blocks are processed in groups of 16 lanes, the rounds' 32×32→64-bit multiplies as explicit vpmuludq on
// AVX-512 / AVX2 (GCC does not vectorise them from the scalar loop, kept for the generic path).
#pragma once
#include "prelude.h"

namespace kh {
namespace KH_NS {

constexpr int kLanes = 16;

// GCC 12 reports a false "may be used uninitialized" inside its own AVX-512 intrinsic headers here.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#if KH_VBYTES == 64
/** hi/lo 32-bit halves of x·k per 32-bit lane (vpmuludq on the even and the odd lanes). */
static inline void mulHiLo(__m512i x, __m512i k, __m512i& hi, __m512i& lo) {
  const __m512i pe = _mm512_mul_epu32(x, k), po = _mm512_mul_epu32(_mm512_srli_epi64(x, 32), k);
  lo = _mm512_mullo_epi32(x, k);  // the low halves directly (one vpmulld instead of a shift and a blend)
  hi = _mm512_mask_blend_epi32(0xaaaa, _mm512_srli_epi64(pe, 32), po);
}
#elif KH_VBYTES == 32
static inline void mulHiLo(__m256i x, __m256i k, __m256i& hi, __m256i& lo) {
  const __m256i pe = _mm256_mul_epu32(x, k), po = _mm256_mul_epu32(_mm256_srli_epi64(x, 32), k);
  lo = _mm256_blend_epi32(pe, _mm256_slli_epi64(po, 32), 0xaa);
  hi = _mm256_blend_epi32(_mm256_srli_epi64(pe, 32), po, 0xaa);
}
#endif

/** Computes kLanes consecutive Philox blocks starting at block index b0: out[w*kLanes + lane]. */
static inline void philoxLanes(const Stream& s, uint64_t b0, uint32_t* out) {
  uint32_t k0 = s.key0, k1 = s.key1;
#if KH_VBYTES == 64 || KH_VBYTES == 32
  // the lanes' counters b0 + l built in registers (not by scalar stores that a vector load would read back:
  // a store-forwarding stall); lanes l >= wrap carry into the high word
  const uint32_t lo = static_cast<uint32_t>(b0), hi = static_cast<uint32_t>(b0 >> 32);
  const int wrap = lo > 0xffffffffu - (kLanes - 1) ? static_cast<int>(0x100000000ull - lo) : kLanes;
  // explicit vector rounds: GCC does not vectorise the 32×32→64-bit multiplies of the loop below by itself
#if KH_VBYTES == 64
  typedef __m512i V;
  constexpr int NV = 1;
#define KH_SET1(v) _mm512_set1_epi32(static_cast<int>(v))
#define KH_XOR(a, b) _mm512_xor_si512(a, b)
#define KH_STORE(p, v) _mm512_storeu_si512(p, v)
#else
  typedef __m256i V;
  constexpr int NV = 2;
#define KH_SET1(v) _mm256_set1_epi32(static_cast<int>(v))
#define KH_XOR(a, b) _mm256_xor_si256(a, b)
#define KH_STORE(p, v) _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v)
#endif
  constexpr int VL = kLanes / NV;
  V a[NV], b[NV], c[NV], d[NV];
  for (int j = 0; j < NV; j++) {
#if KH_VBYTES == 64
    const V iota = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    a[j] = _mm512_add_epi32(KH_SET1(lo), iota);
    b[j] = _mm512_mask_add_epi32(KH_SET1(hi), _mm512_cmpge_epi32_mask(iota, KH_SET1(wrap)), KH_SET1(hi), KH_SET1(1));
#else
    const V iota = _mm256_add_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), KH_SET1(j * VL));
    a[j] = _mm256_add_epi32(KH_SET1(lo), iota);
    b[j] = _mm256_sub_epi32(KH_SET1(hi), _mm256_cmpgt_epi32(iota, KH_SET1(wrap - 1)));  // true lanes are −1
#endif
    c[j] = KH_SET1(s.stream0);
    d[j] = KH_SET1(s.stream1);
  }
  const V m0 = KH_SET1(0xd2511f53u), m1 = KH_SET1(0xcd9e8d57u);
  for (int round = 0; round < 10; round++) {
    const V kk0 = KH_SET1(k0), kk1 = KH_SET1(k1);
    for (int j = 0; j < NV; j++) {
      V hi0, lo0, hi1, lo1;
      mulHiLo(a[j], m0, hi0, lo0);
      mulHiLo(c[j], m1, hi1, lo1);
      a[j] = KH_XOR(KH_XOR(hi1, b[j]), kk0);
      c[j] = KH_XOR(KH_XOR(hi0, d[j]), kk1);
      b[j] = lo1;
      d[j] = lo0;
    }
    k0 += 0x9e3779b9u;
    k1 += 0xbb67ae85u;
  }
  for (int j = 0; j < NV; j++) {
    KH_STORE(out + j * VL, a[j]);
    KH_STORE(out + kLanes + j * VL, b[j]);
    KH_STORE(out + 2 * kLanes + j * VL, c[j]);
    KH_STORE(out + 3 * kLanes + j * VL, d[j]);
  }
#undef KH_SET1
#undef KH_XOR
#undef KH_STORE
#else
  uint32_t x0[kLanes], x1[kLanes], x2[kLanes], x3[kLanes];
  for (int l = 0; l < kLanes; l++) {
    const uint64_t b = b0 + l;
    x0[l] = static_cast<uint32_t>(b);
    x1[l] = static_cast<uint32_t>(b >> 32);
    x2[l] = s.stream0;
    x3[l] = s.stream1;
  }
  for (int round = 0; round < 10; round++) {
    for (int l = 0; l < kLanes; l++) {
      const uint64_t p0 = static_cast<uint64_t>(0xd2511f53u) * x0[l];
      const uint64_t p1 = static_cast<uint64_t>(0xcd9e8d57u) * x2[l];
      const uint32_t n0 = static_cast<uint32_t>(p1 >> 32) ^ x1[l] ^ k0;
      const uint32_t n2 = static_cast<uint32_t>(p0 >> 32) ^ x3[l] ^ k1;
      x1[l] = static_cast<uint32_t>(p1);
      x3[l] = static_cast<uint32_t>(p0);
      x0[l] = n0;
      x2[l] = n2;
    }
    k0 += 0x9e3779b9u;
    k1 += 0xbb67ae85u;
  }
  for (int l = 0; l < kLanes; l++) {
    out[l] = x0[l];
    out[kLanes + l] = x1[l];
    out[2 * kLanes + l] = x2[l];
    out[3 * kLanes + l] = x3[l];
  }
#endif
}

#pragma GCC diagnostic pop

template <class Emit>
static void philoxFill(float* out, int64_t n, const Stream& s, double costPerElem, Emit emit) {
  const int64_t blocks = ceilDiv(n, 4);
  const int64_t groups = ceilDiv(blocks, kLanes);
  const int64_t perTask = 256;  // groups per task (16 Ki values)
  auto f = [&](int64_t t, int) {
    alignas(64) uint32_t wv[4 * kLanes];
    for (int64_t gi = t * perTask; gi < imin(groups, (t + 1) * perTask); gi++) {
      philoxLanes(s, s.block + static_cast<uint64_t>(gi) * kLanes, wv);
      for (int l = 0; l < kLanes; l++) {
        const int64_t base = (gi * kLanes + l) * 4;
        if (base >= n) break;
        emit(out, base, n, wv[l], wv[kLanes + l], wv[2 * kLanes + l], wv[3 * kLanes + l]);
      }
    }
  };
  prun(ceilDiv(groups, perTask), costPerElem * n, f);
}

static void fillUniform(float* out, int64_t n, const Stream& s, double lo, double hi) {
  const double span = hi - lo, scale = 1.0 / 16777216.0;
  philoxFill(out, n, s, 20.0, [=](float* o, int64_t base, int64_t len, uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
    const uint32_t w[4] = {a, b, c, d};
    for (int r = 0; r < 4 && base + r < len; r++) o[base + r] = static_cast<float>(lo + span * ((w[r] >> 8) * scale));
  });
}

/** 12 independent FMA chains of one vector each: the machine's peak FMA throughput. Returns FLOPs. */
static double peakProbe(int64_t iters) {
  vf a0 = vbcast(0.1f), a1 = vbcast(0.2f), a2 = vbcast(0.3f), a3 = vbcast(0.4f), a4 = vbcast(0.5f),
     a5 = vbcast(0.6f), a6 = vbcast(0.7f), a7 = vbcast(0.8f), a8 = vbcast(0.9f), a9 = vbcast(1.1f),
     a10 = vbcast(1.2f), a11 = vbcast(1.3f);
  const vf m = vbcast(0.9999999f), c = vbcast(1e-7f);
  for (int64_t i = 0; i < iters; i++) {
    a0 = a0 * m + c;
    a1 = a1 * m + c;
    a2 = a2 * m + c;
    a3 = a3 * m + c;
    a4 = a4 * m + c;
    a5 = a5 * m + c;
    a6 = a6 * m + c;
    a7 = a7 * m + c;
    a8 = a8 * m + c;
    a9 = a9 * m + c;
    a10 = a10 * m + c;
    a11 = a11 * m + c;
    // Keeps the 12 chains distinct (otherwise GCC merges some of them).
    __asm__("" : "+v"(a0), "+v"(a1), "+v"(a2), "+v"(a3), "+v"(a4), "+v"(a5), "+v"(a6), "+v"(a7), "+v"(a8), "+v"(a9),
            "+v"(a10), "+v"(a11));
  }
  const vf sum = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11));
  float sink = 0.f;
  for (int l = 0; l < W; l++) sink += sum[l];
  __asm__ volatile("" : : "r"(&sink) : "memory");
  return 2.0 * 12 * W * static_cast<double>(iters);
}

}  // namespace KH_NS
}  // namespace kh
