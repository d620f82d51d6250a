// N-API glue of the Kirchhoff native kernels (baseline ISA translation unit). Picks the best kernel table
// for this CPU at load (__builtin_cpu_supports; KIRCHHOFF_ISA=avx512|avx2|generic forces a lower one),
// unwraps typed arrays and forwards to the table. Argument lengths are validated by the TypeScript wrapper
// (src/core/kernels/native/index.ts); here we only check array types, so a misuse raises a JS error
// instead of crashing. One kernel runs at a time (a mutex guards the shared thread pool and scratch).
#include <node_api.h>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

#include "allocator.h"
#include "common.h"
#include "napi_args.h"

namespace kh {
namespace {

std::mutex gCall;
const Kernels* gActive = nullptr;
const Kernels* gSupported[3] = {nullptr, nullptr, nullptr};  // best first
int gNumSupported = 0;

}  // namespace

const Kernels* activeKernels() { return gActive; }
std::mutex& kernelCallLock() { return gCall; }

namespace {

void detect() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("fma"))
    gSupported[gNumSupported++] = kernelsAvx512();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) gSupported[gNumSupported++] = kernelsAvx2();
  gSupported[gNumSupported++] = kernelsGeneric();
  gActive = gSupported[0];
  if (const char* want = std::getenv("KIRCHHOFF_ISA")) {
    for (int i = 0; i < gNumSupported; i++)
      if (std::strcmp(gSupported[i]->name, want) == 0) gActive = gSupported[i];
  }
}



napi_value Sgemm(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const bool tA = a.flag(0), tB = a.flag(1);
  const int64_t m = a.i64(2), n = a.i64(3), k = a.i64(4);
  const float alpha = static_cast<float>(a.num(5));
  const float* A = a.f32(6);
  const int64_t lda = a.i64(7);
  const float* B = a.f32(8);
  const int64_t ldb = a.i64(9);
  const float beta = static_cast<float>(a.num(10));
  float* C = a.f32(11);
  const int64_t ldc = a.i64(12), ao = a.i64(13), bo = a.i64(14), co = a.i64(15);
  if (a.failed) return nullptr;
  std::lock_guard<std::mutex> lk(gCall);
  gActive->sgemm(tA, tB, m, n, k, alpha, A + ao, lda, B + bo, ldb, beta, C + co, ldc);
  return undef(env);
}

napi_value ConvForward(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const ConvP p = a.conv(0);
  const float* x = a.f32(1);
  const float* w = a.f32(2);
  float* y = a.f32(3);
  const Epi e = a.epi(4);
  if (a.failed) return nullptr;
  std::lock_guard<std::mutex> lk(gCall);
  gActive->convForward(p, x, w, y, e);
  return undef(env);
}

napi_value ConvBackwardInput(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const ConvP p = a.conv(0);
  const float* dy = a.f32(1);
  const float* w = a.f32(2);
  float* dx = a.f32(3);
  if (a.failed) return nullptr;
  std::lock_guard<std::mutex> lk(gCall);
  gActive->convBackwardInput(p, dy, w, dx);
  return undef(env);
}

napi_value ConvBackwardWeight(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const ConvP p = a.conv(0);
  const float* x = a.f32(1);
  const float* dy = a.f32(2);
  float* dw = a.f32(3);
  float* db = a.f32(4, true);
  if (a.failed) return nullptr;
  std::lock_guard<std::mutex> lk(gCall);
  gActive->convBackwardWeight(p, x, dy, dw, db);
  return undef(env);
}

napi_value ChannelStats(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const float* x = a.f32(0);
  const int64_t rows = a.i64(1), ch = a.i64(2);
  double* s = a.arr<double>(3, napi_float64_array);
  double* q = a.arr<double>(4, napi_float64_array);
  if (a.failed) return nullptr;
  std::lock_guard<std::mutex> lk(gCall);
  gActive->channelStats(x, rows, ch, s, q);
  return undef(env);
}

napi_value ChannelAffine(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const float* x = a.f32(0);
  const int64_t rows = a.i64(1), ch = a.i64(2);
  float* y = a.f32(3);
  const Epi e = a.epi(4);
  if (a.failed) return nullptr;
  std::lock_guard<std::mutex> lk(gCall);
  gActive->channelAffine(x, rows, ch, y, e);
  return undef(env);
}

napi_value BnBackward(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const float* x = a.f32(0);
  const float* dy = a.f32(1);
  const int64_t rows = a.i64(2), ch = a.i64(3);
  const float *mean = a.f32(4), *inv = a.f32(5), *gamma = a.f32(6);
  float *dx = a.f32(7), *dg = a.f32(8), *db = a.f32(9);
  const int act = static_cast<int>(a.num(10));
  const float* out = a.f32(11, true);
  float* gOut = a.f32(12, true);  // optional: receives the activation-masked dy
  if (!a.failed && act != ACT_NONE && !out) a.fail("actOut is required with an activation");
  if (a.failed) return nullptr;
  std::lock_guard<std::mutex> lk(gCall);
  gActive->bnBackward(x, dy, rows, ch, mean, inv, gamma, dx, dg, db, act, out, gOut);
  return undef(env);
}

napi_value Fill(napi_env env, napi_callback_info info, bool normal) {
  Args a(env, info);
  float* out = a.f32(0);
  const size_t len = a.length(0);
  Stream s{static_cast<uint32_t>(a.num(1)), static_cast<uint32_t>(a.num(2)), static_cast<uint32_t>(a.num(3)),
           static_cast<uint32_t>(a.num(4)), static_cast<uint64_t>(a.num(5))};
  const double p = a.num(6), q = a.num(7);
  if (a.failed) return nullptr;
  std::lock_guard<std::mutex> lk(gCall);
  if (normal) gActive->fillNormal(out, static_cast<int64_t>(len), s, p, q);
  else gActive->fillUniform(out, static_cast<int64_t>(len), s, p, q);
  return undef(env);
}
// ---- analog periphery (isa/analog.h); lengths validated by the TypeScript wrapper ----
napi_value AnalogInput(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const float* x = a.f32(0);
  const int64_t rows = a.i64(1), k = a.i64(2);
  AnalogIn p{static_cast<int>(a.num(3)), a.flag(4), a.num(5), a.num(6), a.num(7), a.flag(8)};
  double* nm = a.arr<double>(9, napi_float64_array);
  const double* red = a.arr<double>(10, napi_float64_array, true);
  float *v = a.f32(11), *scales = a.f32(12);
  if (a.failed) return nullptr;
  std::lock_guard<std::mutex> lk(gCall);
  gActive->analogInput(x, rows, k, p, nm, red, v, scales);
  return undef(env);
}

napi_value AnalogOutput(napi_env env, napi_callback_info info) {
  Args a(env, info);
  float* y = a.f32(0);
  const int64_t rows = a.i64(1), m = a.i64(2);
  AnalogOut p{a.num(3), a.num(4), a.num(5), a.num(6), a.flag(7)};
  const float* z = a.f32(8, true);
  uint8_t* failed = a.arr<uint8_t>(9, napi_uint8_array);
  const bool hasStream = a.flag(10);  // noise drawn inline from the Philox stream (args 11..15)
  Stream s{};
  if (hasStream)
    s = Stream{static_cast<uint32_t>(a.num(11)), static_cast<uint32_t>(a.num(12)), static_cast<uint32_t>(a.num(13)),
               static_cast<uint32_t>(a.num(14)), static_cast<uint64_t>(a.num(15))};
  if (a.failed) return nullptr;
  std::lock_guard<std::mutex> lk(gCall);
  gActive->analogOutput(y, rows, m, p, z, hasStream ? &s : nullptr, failed);
  return undef(env);
}

napi_value AnalogIm2col(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const ConvP p = a.conv(0);
  const float* x = a.f32(1);
  const int64_t g0 = a.i64(2), ng = a.i64(3), row0 = a.i64(4), nRows = a.i64(5);
  float* out = a.f32(6);
  if (a.failed) return nullptr;
  std::lock_guard<std::mutex> lk(gCall);
  gActive->analogIm2col(p, x, g0, ng, row0, nRows, out);
  return undef(env);
}

/**
 * Fused tile forward. Args: params (Float64Array, order below), x, w, nm, post?, bias?, biasAfter?, y, retry,
 * patch? (Float64Array: the 16 conv geometry values of Args::conv, then group0, k0, row0; x is then the NHWC
 * input and xOffset is 0).
 * params: rows, groups, k, m, xOffset, ldx, yOffset, ldy, nmMode, computeNm, nmCap, inStep, inBound,
 * zeroRowsExact, outAsymmetry, outNoise, outStep, outBound, testNegativeBound, outScale, retryClipped,
 * accumulate, hasStream, key0, key1, stream0, stream1, block.
 */
napi_value AnalogTileForward(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const double* q = a.arr<double>(0, napi_float64_array);
  const float* x = a.f32(1);
  const float* w = a.f32(2);
  double* nm = a.arr<double>(3, napi_float64_array);
  const float *post = a.f32(4, true), *bias = a.f32(5, true), *biasAfter = a.f32(6, true);
  float* y = a.f32(7);
  uint8_t* retry = a.arr<uint8_t>(8, napi_uint8_array);
  const double* pq = a.arr<double>(9, napi_float64_array, true);  // patch source: conv geometry, group0, k0, row0
  const ConvP conv = pq ? a.conv(9) : ConvP{};
  if (a.failed) return nullptr;
  const auto i = [&](int j) { return static_cast<int64_t>(q[j]); };
  AnalogTileP p{AnalogIn{static_cast<int>(q[8]), q[9] != 0, q[10], q[11], q[12], q[13] != 0},
                AnalogOut{q[14], q[15], q[16], q[17], q[18] != 0},
                i(0), i(1), i(2), i(3), i(5), i(7), q[19], q[20] != 0, q[21] != 0};
  if (pq) {
    p.patch = &conv;
    p.group0 = static_cast<int64_t>(pq[16]);
    p.k0 = static_cast<int64_t>(pq[17]);
    p.row0 = static_cast<int64_t>(pq[18]);
  }
  const Stream s{static_cast<uint32_t>(q[23]), static_cast<uint32_t>(q[24]), static_cast<uint32_t>(q[25]),
                 static_cast<uint32_t>(q[26]), static_cast<uint64_t>(q[27])};
  std::lock_guard<std::mutex> lk(gCall);
  const int64_t n =
      gActive->analogTileForward(p, x + i(4), w, nm, post, bias, biasAfter, q[22] != 0 ? &s : nullptr, y + i(6), retry);
  napi_value out;
  napi_create_double(env, static_cast<double>(n), &out);
  return out;
}

napi_value FillUniform(napi_env env, napi_callback_info info) { return Fill(env, info, false); }
napi_value FillNormal(napi_env env, napi_callback_info info) { return Fill(env, info, true); }

napi_value str(napi_env env, const char* s) {
  napi_value v;
  napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v);
  return v;
}

napi_value GetIsa(napi_env env, napi_callback_info) { return str(env, gActive->name); }

napi_value GetIsas(napi_env env, napi_callback_info) {
  napi_value arr;
  napi_create_array_with_length(env, gNumSupported, &arr);
  for (int i = 0; i < gNumSupported; i++) napi_set_element(env, arr, i, str(env, gSupported[i]->name));
  return arr;
}

napi_value SetIsa(napi_env env, napi_callback_info info) {
  Args a(env, info);
  char buf[32] = {0};
  size_t len = 0;
  if (a.n < 1 || napi_get_value_string_utf8(env, a.v[0], buf, sizeof buf, &len) != napi_ok) {
    a.fail("setIsa: expected a string");
    return nullptr;
  }
  for (int i = 0; i < gNumSupported; i++) {
    if (std::strcmp(gSupported[i]->name, buf) == 0) {
      std::lock_guard<std::mutex> lk(gCall);
      gActive = gSupported[i];
      return undef(env);
    }
  }
  napi_throw_range_error(env, "ERR_KIRCHHOFF_ISA", (std::string("ISA not supported on this CPU: ") + buf).c_str());
  return nullptr;
}

napi_value GetThreads(napi_env env, napi_callback_info) {
  napi_value v;
  napi_create_int32(env, threadCount(), &v);
  return v;
}

napi_value SetThreads(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const int64_t t = a.i64(0);
  if (a.failed) return nullptr;
  std::lock_guard<std::mutex> lk(gCall);
  setThreadCount(static_cast<int>(t));
  return undef(env);
}

/** peak(iters): runs the FMA probe on every pool thread at once; returns total FLOPs executed. */
napi_value Peak(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const int64_t iters = a.i64(0);
  if (a.failed) return nullptr;
  std::lock_guard<std::mutex> lk(gCall);
  struct Ctx {
    int64_t iters;
    double flops[256];
  } ctx{iters, {}};
  const int nt = threadCount();
  parallelFor(
      nt, [](void* c, int64_t t, int) {
        auto* x = static_cast<Ctx*>(c);
        x->flops[t] = gActive->peakProbe(x->iters);
      },
      &ctx);
  double total = 0;
  for (int t = 0; t < nt; t++) total += ctx.flops[t];
  napi_value v;
  napi_create_double(env, total, &v);
  return v;
}

napi_value Init(napi_env env, napi_value exports) {
  detect();
  tuneAllocator();
  struct Fn {
    const char* name;
    napi_callback cb;
  } fns[] = {{"sgemm", Sgemm},
             {"convForward", ConvForward},
             {"convBackwardInput", ConvBackwardInput},
             {"convBackwardWeight", ConvBackwardWeight},
             {"channelStats", ChannelStats},
             {"channelAffine", ChannelAffine},
             {"bnBackward", BnBackward},
             {"fillUniform", FillUniform},
             {"fillNormal", FillNormal},
             {"getIsa", GetIsa},
             {"getIsas", GetIsas},
             {"setIsa", SetIsa},
             {"getThreads", GetThreads},
             {"setThreads", SetThreads},
             {"peak", Peak},
             {"analogInput", AnalogInput},
             {"analogOutput", AnalogOutput},
             {"analogIm2col", AnalogIm2col},
             {"analogTileForward", AnalogTileForward}};
  for (const Fn& f : fns) {
    napi_value fn;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.cb, nullptr, &fn);
    napi_set_named_property(env, exports, f.name, fn);
  }
  registerHwa(env, exports);
  return exports;
}

}  // namespace
}  // namespace kh

NAPI_MODULE(NODE_GYP_MODULE_NAME, kh::Init)
