// Included first by each ISA translation unit (isa_avx512.cpp, isa_avx2.cpp, isa_generic.cpp) after it
// defines KH_NS (namespace name), KH_VBYTES (vector bytes: 64, 32, 16) and KH_ISA_NAME. All kernel code
// lives in namespace kh::KH_NS so that functions compiled with different -m flags never merge at link time;
// it avoids std:: templates for the same reason (an inline template instantiated with AVX-512 code could
// be picked by the linker for the baseline path).
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <immintrin.h>

#include "../common.h"

namespace kh {
namespace KH_NS {

constexpr int W = KH_VBYTES / 4;  // floats per vector
typedef float vf __attribute__((vector_size(KH_VBYTES)));
typedef float vfu __attribute__((vector_size(KH_VBYTES), aligned(4), may_alias));

static inline vf vload(const float* p) { return *reinterpret_cast<const vfu*>(p); }
static inline void vstore(float* p, vf v) { *reinterpret_cast<vfu*>(p) = v; }
/** Broadcast (vf{} + s would cost an extra add: 0 + s is not foldable under IEEE signed-zero rules). */
static inline vf vbcast(float s) {
#if KH_VBYTES == 64
  return (vf)_mm512_set1_ps(s);
#elif KH_VBYTES == 32
  return (vf)_mm256_set1_ps(s);
#else
  return (vf)_mm_set1_ps(s);
#endif
}
/**
 * a > b ? a : b and a < b ? a : b per lane: the ISA's max / min instructions, which return the second operand
 * for NaN or equal lanes exactly as the selects do (GCC sometimes emits a compare and a masked move instead,
 * a longer dependency chain in running maxima).
 */
static inline vf vmax(vf a, vf b) {
#if KH_VBYTES == 64
  return (vf)_mm512_maskz_max_ps(0xffff, (__m512)a, (__m512)b);  // (the plain form warns in GCC 12's header)
#elif KH_VBYTES == 32
  return (vf)_mm256_max_ps((__m256)a, (__m256)b);
#else
  return (vf)_mm_max_ps((__m128)a, (__m128)b);
#endif
}
static inline vf vmin(vf a, vf b) {
#if KH_VBYTES == 64
  return (vf)_mm512_maskz_min_ps(0xffff, (__m512)a, (__m512)b);
#elif KH_VBYTES == 32
  return (vf)_mm256_min_ps((__m256)a, (__m256)b);
#else
  return (vf)_mm_min_ps((__m128)a, (__m128)b);
#endif
}
/**
 * Round half to even per lane: the ISA's instruction (exact for every float; NaN and ±∞ pass), or on plain
 * SSE2 the magic number 1.5·2^23, exact only for |t| ≤ 2^22 (callers clamp first). Unlike the magic number,
 * the instruction keeps the sign of a zero result (rint(−0.3) = −0).
 */
static inline vf vrint(vf t) {
#if KH_VBYTES == 64  // the zero-masked form: the plain one starts from _mm512_undefined_ps, which GCC 12 flags
  return (vf)_mm512_maskz_roundscale_ps(0xffff, (__m512)t, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
#elif KH_VBYTES == 32
  return (vf)_mm256_round_ps((__m256)t, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
#elif defined(__SSE4_1__)
  return (vf)_mm_round_ps((__m128)t, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
#else
  const vf magic = vbcast(12582912.f);
  return (t + magic) - magic;
#endif
}
/** |a| per lane by clearing the sign bit (one and; NaN stays NaN). */
static inline vf vabs(vf a) {
  typedef int32_t vsi __attribute__((vector_size(KH_VBYTES)));
  return (vf)((vsi)a & 0x7fffffff);
}
/** Whether any lane of a comparison mask (0 / −1 per int32 lane) is set. */
template <class M>
static inline bool vany(M m) {
#if KH_VBYTES == 64
  return _mm512_test_epi32_mask((__m512i)m, (__m512i)m) != 0;
#elif KH_VBYTES == 32
  return !_mm256_testz_si256((__m256i)m, (__m256i)m);
#else
  return _mm_movemask_epi8((__m128i)m) != 0;
#endif
}
/** Whether the ISA has masked vector loads and stores (tailLoad / tailStore); else callers loop over the tail. */
constexpr bool kMaskedTail = KH_VBYTES >= 32;

#if KH_VBYTES == 32
/** Lane mask of the first n (< W) lanes for vmaskmov. */
static inline __m256i tailMask(int64_t n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
#endif

/** The first n (0 < n < W) floats at p in the low lanes, `fill` in the others (kMaskedTail ISAs only). */
static inline vf tailLoad(const float* p, int64_t n, float fill) {
#if KH_VBYTES == 64
  return (vf)_mm512_mask_loadu_ps((__m512)vbcast(fill), static_cast<__mmask16>((1u << n) - 1), p);
#elif KH_VBYTES == 32
  const __m256i k = tailMask(n);
  return (vf)_mm256_blendv_ps((__m256)vbcast(fill), _mm256_maskload_ps(p, k), _mm256_castsi256_ps(k));
#else
  (void)p, (void)n;
  return vbcast(fill);
#endif
}

/** Stores the low n (0 < n < W) lanes of v at p (kMaskedTail ISAs only). */
static inline void tailStore(float* p, int64_t n, vf v) {
#if KH_VBYTES == 64
  _mm512_mask_storeu_ps(p, static_cast<__mmask16>((1u << n) - 1), (__m512)v);
#elif KH_VBYTES == 32
  _mm256_maskstore_ps(p, tailMask(n), (__m256)v);
#else
  (void)p, (void)n, (void)v;
#endif
}

static inline int64_t imin(int64_t a, int64_t b) { return a < b ? a : b; }
static inline int64_t imax(int64_t a, int64_t b) { return a > b ? a : b; }
static inline int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/** Copies n floats with vector moves (memcpy's call overhead dominates for the 16-64 float runs of convs). */
static inline void copyFloats(float* __restrict d, const float* __restrict s, int64_t n) {
  int64_t i = 0;
  for (; i + W <= n; i += W) vstore(d + i, vload(s + i));
  for (; i < n; i++) d[i] = s[i];
}

static inline void zeroFloats(float* d, int64_t n) {
  int64_t i = 0;
  for (; i + W <= n; i += W) vstore(d + i, vf{});
  for (; i < n; i++) d[i] = 0.f;
}

/** Runs f(task, thread) for task in [0, n) on the shared pool (single-threaded when n == 1). */
template <class F>
static void pfor(int64_t n, F& f) {
  parallelFor(n, [](void* c, int64_t t, int tid) { (*static_cast<F*>(c))(t, tid); }, &f);
}

/** Applies the activation to a scalar; NaN passes through (comparisons with NaN are false). */
static inline float actScalar(float v, int act) {
  if (act == ACT_RELU) return v < 0.f ? 0.f : v;
  if (act == ACT_RELU6) return v < 0.f ? 0.f : (v > 6.f ? 6.f : v);
  return v;
}

/**
 * Epilogue on a block of `rows` × `cols`: y[r*ldy + j] = epi(src[r*lds + j]) where column j is channel
 * c0 + j and `res` (residual, may be null) has row stride ldr. src may equal y. Vectorised over channels.
 */
static void epilogueBlock(const float* src, int64_t lds, float* y, int64_t ldy, int64_t rows, int64_t cols,
                          int64_t c0, const Epi& e, const float* res, int64_t ldr) {
  const float* sc = e.scale ? e.scale + c0 : nullptr;
  const float* sh = e.shift ? e.shift + c0 : nullptr;
  const float* bi = e.bias ? e.bias + c0 : nullptr;
  const vf zero{}, six = vbcast(6.f);
  for (int64_t r = 0; r < rows; r++) {
    const float* sr = src + r * lds;
    float* yr = y + r * ldy;
    const float* rr = res ? res + r * ldr : nullptr;
    int64_t j = 0;
    for (; j + W <= cols; j += W) {
      vf v = vload(sr + j);
      if (sc) v *= vload(sc + j);
      if (sh) v += vload(sh + j);
      if (bi) v += vload(bi + j);
      if (rr) v += vload(rr + j);
      if (e.act != ACT_NONE) v = v < zero ? zero : v;
      if (e.act == ACT_RELU6) v = v > six ? six : v;
      vstore(yr + j, v);
    }
    for (; j < cols; j++) {
      float v = sr[j];
      if (sc) v *= sc[j];
      if (sh) v += sh[j];
      if (bi) v += bi[j];
      if (rr) v += rr[j];
      yr[j] = actScalar(v, e.act);
    }
  }
}

/**
 * Runs f(task, thread) for task in [0, nTasks); inline on the caller when the work is small
 * (< ~2e6 FLOP in total) or only one thread is configured.
 */
template <class F>
static void prun(int64_t nTasks, double flops, F& f) {
  if (nTasks <= 1 || flops < 2e6 || threadCount() <= 1) {
    for (int64_t t = 0; t < nTasks; t++) f(t, 0);
  } else {
    pfor(nTasks, f);
  }
}

}  // namespace KH_NS
}  // namespace kh
