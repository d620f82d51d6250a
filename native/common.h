// Shared declarations of the Kirchhoff native kernels: plain structs passed from the N-API glue to the
// per-ISA kernel tables, and the thread-pool / scratch-memory services (implemented once, in the
// baseline translation unit threadpool.cpp). Nothing here may be an inline function that differs by ISA:
// each ISA translation unit wraps its code in its own namespace (see isa/prelude.h).
#pragma once
#include <cstddef>
#include <cstdint>

namespace kh {

/** Convolution geometry, same fields as Conv2dParams in src/core/kernels/types.ts. */
struct ConvP {
  int64_t n, inH, inW, inC, outH, outW, outC, kH, kW, strideH, strideW, padTop, padLeft, dilH, dilW, groups;
};

enum Act : int { ACT_NONE = 0, ACT_RELU = 1, ACT_RELU6 = 2 };

/** Fused epilogue y = act(acc*scale[c] + shift[c] + bias[c] + residual[i]); null pointers are absent. */
struct Epi {
  const float* scale = nullptr;
  const float* shift = nullptr;
  const float* bias = nullptr;
  const float* residual = nullptr;
  int act = ACT_NONE;
  bool empty() const { return !scale && !shift && !bias && !residual && act == ACT_NONE; }
};

/** Philox stream position (see src/core/philox.ts). */
struct Stream {
  uint32_t key0, key1, stream0, stream1;
  uint64_t block;
};

/** Analog DAC stage parameters (AnalogInputParams); nmMode 0 none, 1 abs-max, 2 max, 3 constant. */
struct AnalogIn {
  int nmMode;
  bool computeNm;
  double nmCap, step, bound;
  bool zeroRowsExact;
};

/** Analog ADC stage parameters (AnalogOutputParams). */
struct AnalogOut {
  double outAsymmetry, outNoise, step, bound;
  bool testNegativeBound;
};

/** Fused analog tile forward (analogTileForward): sizes, strides and both periphery stages. */
struct AnalogTileP {
  AnalogIn in;
  AnalogOut out;
  int64_t rows, groups, k, m, ldx, ldy;
  double outScale;
  bool retryClipped, accumulate;
  /** Conv input gathered in the kernel (null: x holds the vectors): vector (r, g) is columns [k0, k0 + k) of
   * group (group0 + g)'s patch of output pixel row0 + r (analogIm2col order); x is the NHWC input. */
  const ConvP* patch = nullptr;
  int64_t group0 = 0, k0 = 0, row0 = 0;
};

/** One ISA's kernel entry points. */
struct Kernels {
  const char* name;
  void (*sgemm)(bool tA, bool tB, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
                const float* b, int64_t ldb, float beta, float* c, int64_t ldc);
  void (*convForward)(const ConvP& p, const float* x, const float* w, float* y, const Epi& e);
  void (*convBackwardInput)(const ConvP& p, const float* dy, const float* w, float* dx);
  void (*convBackwardWeight)(const ConvP& p, const float* x, const float* dy, float* dw, float* dbias);
  void (*channelStats)(const float* x, int64_t rows, int64_t ch, double* sum, double* sumSq);
  void (*channelAffine)(const float* x, int64_t rows, int64_t ch, float* y, const Epi& e);
  void (*bnBackward)(const float* x, const float* dy, int64_t rows, int64_t ch, const float* mean,
                     const float* invStd, const float* gamma, float* dx, float* dGamma, float* dBeta, int act,
                     const float* actOut, float* gOut);
  void (*fillUniform)(float* out, int64_t n, const Stream& s, double lo, double hi);
  void (*fillNormal)(float* out, int64_t n, const Stream& s, double mean, double stdev);
  /** FMA throughput probe: runs `iters` rounds of 12 independent FMA chains; returns FLOPs done. */
  double (*peakProbe)(int64_t iters);
  // ---- analog periphery (isa/analog.h; AnalogKernels in src/core/kernels/types.ts) ----
  void (*analogInput)(const float* x, int64_t rows, int64_t k, const AnalogIn& p, double* nm,
                      const double* red, float* v, float* scales);
  void (*analogOutput)(float* y, int64_t rows, int64_t m, const AnalogOut& p, const float* z, const Stream* s,
                       uint8_t* failed);
  void (*analogIm2col)(const ConvP& p, const float* x, int64_t g0, int64_t ng, int64_t row0, int64_t nRows,
                       float* out);
  /** Returns the number of vectors flagged in retry. */
  int64_t (*analogTileForward)(const AnalogTileP& p, const float* x, const float* w, double* nm, const float* post,
                               const float* bias, const float* biasAfter, const Stream* s, float* y, uint8_t* retry);
  // ---- hardware-aware training periphery (isa/hwa.h; HwaKernels in src/core/kernels/hwa-types.ts) ----
  void (*hwaDac)(const float* x, int64_t n, int64_t per, double step, float* y, float* scales);
  void (*hwaAdc)(const float* y, int64_t n, int64_t per, int64_t m, const float* inputScales, const float* wScale,
                 double outNoise, const Stream* s, double step, double bound, const float* bias, float* out,
                 uint8_t* mask);
  void (*hwaAdcBackward)(const float* g, int64_t total, int64_t m, const uint8_t* mask, float* gy, float* biasGrad);
};

const Kernels* kernelsAvx512();
const Kernels* kernelsAvx2();
const Kernels* kernelsGeneric();

// ---- services from threadpool.cpp ----
/** Task body: fn(ctx, taskIndex, threadIndex). */
using TaskFn = void (*)(void* ctx, int64_t task, int thread);
/** Runs tasks 0..n-1 on the pool (caller participates); returns when all are done. */
void parallelFor(int64_t n, TaskFn fn, void* ctx);
int threadCount();
void setThreadCount(int t);
/** Per-thread 64-byte aligned scratch buffer `slot` (0..7) with room for at least `floats` floats. */
float* scratch(int thread, int slot, size_t floats);

}  // namespace kh
