// The dot products of G one-output analog tiles (depthwise layers), shared by the fused tile kernel's two
// depthwise paths (analog_tile.h on [G × k] rows, analog_depthwise.h on gathered conv inputs) so that both give
// exactly the same numbers. Compiled with the build's fp-contract (FMA where the ISA has it), like sgemm.
#pragma once
#include "prelude.h"

namespace kh {
namespace KH_NS {

/** acc + a·b as one step of the GEMM micro-kernel's chain: one FMA where the ISA has it, else × then +. */
static inline float dotStep(float acc, float a, float b) {
#if defined(__FMA__)
  return __builtin_fmaf(a, b, acc);
#else
  const float p = a * b;  // no FMA unit: the product is rounded first (no contraction possible)
  return acc + p;
#endif
}

/** dotStep on W lanes. */
static inline vf dotStepV(vf acc, vf a, vf b) {
#if defined(__FMA__) && KH_VBYTES == 64
  return (vf)_mm512_fmadd_ps((__m512)a, (__m512)b, (__m512)acc);
#elif defined(__FMA__) && KH_VBYTES == 32
  return (vf)_mm256_fmadd_ps((__m256)a, (__m256)b, (__m256)acc);
#elif defined(__FMA__)
  return (vf)_mm_fmadd_ps((__m128)a, (__m128)b, (__m128)acc);
#else
  const vf p = a * b;
  return acc + p;
#endif
}

/**
 * out[g] = v[g·k ..k] · w[g·k ..k] for the G one-output tiles of a depthwise layer: one chain over k in order
 * from +0 (FMA where the ISA has it), the arithmetic of the GEMM micro-kernel for an m = 1 tile.
 */
__attribute__((noinline)) static void groupDots(int64_t G, int64_t k, const float* __restrict v,
                                                const float* __restrict w, float* __restrict out) {
  for (int64_t g = 0; g < G; g++) {
    float acc = 0.f;
    for (int64_t p = 0; p < k; p++) acc = dotStep(acc, v[g * k + p], w[g * k + p]);
    out[g] = acc;
  }
}

}  // namespace KH_NS
}  // namespace kh
