// N-API glue of the hardware-aware training periphery kernels (isa/hwa.h; HwaKernels in
// src/core/kernels/hwa-types.ts). Lengths are validated by the TypeScript wrapper (src/core/kernels/native/index.ts);
// here only the argument types are checked, as in addon.cpp.
#include <node_api.h>

#include "common.h"
#include "napi_args.h"

namespace kh {
namespace {

/** hwaDac(x, samples, step, y, scales). */
napi_value HwaDac(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const float* x = a.f32(0);
  const int64_t n = a.i64(1);
  const double step = a.num(2);
  float *y = a.f32(3), *scales = a.f32(4);
  const int64_t total = static_cast<int64_t>(a.length(0));
  if (a.failed) return nullptr;
  std::lock_guard<std::mutex> lk(kernelCallLock());
  activeKernels()->hwaDac(x, n, total / n, step, y, scales);
  return undef(env);
}

/**
 * hwaAdc(y, samples, channels, outNoise, step, bound, inputScales, wScale, bias?, out, mask, hasStream, key0,
 * key1, stream0, stream1, block).
 */
napi_value HwaAdc(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const float* y = a.f32(0);
  const int64_t n = a.i64(1), m = a.i64(2);
  const double sigma = a.num(3), step = a.num(4), bound = a.num(5);
  const float *xs = a.f32(6), *ws = a.f32(7), *bias = a.f32(8, true);
  float* out = a.f32(9);
  uint8_t* mask = a.arr<uint8_t>(10, napi_uint8_array);
  const bool hasStream = a.flag(11);
  Stream s{};
  if (hasStream)
    s = Stream{static_cast<uint32_t>(a.num(12)), static_cast<uint32_t>(a.num(13)), static_cast<uint32_t>(a.num(14)),
               static_cast<uint32_t>(a.num(15)), static_cast<uint64_t>(a.num(16))};
  const int64_t total = static_cast<int64_t>(a.length(0));
  if (a.failed) return nullptr;
  std::lock_guard<std::mutex> lk(kernelCallLock());
  activeKernels()->hwaAdc(y, n, total / n, m, xs, ws, sigma, hasStream ? &s : nullptr, step, bound, bias, out, mask);
  return undef(env);
}

/** hwaAdcBackward(g, channels, mask, gy, biasGrad?). */
napi_value HwaAdcBackward(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const float* g = a.f32(0);
  const int64_t m = a.i64(1);
  const uint8_t* mask = a.arr<uint8_t>(2, napi_uint8_array);
  float *gy = a.f32(3), *biasGrad = a.f32(4, true);
  const int64_t total = static_cast<int64_t>(a.length(0));
  if (a.failed) return nullptr;
  std::lock_guard<std::mutex> lk(kernelCallLock());
  activeKernels()->hwaAdcBackward(g, total, m, mask, gy, biasGrad);
  return undef(env);
}

}  // namespace

void registerHwa(napi_env env, napi_value exports) {
  const struct {
    const char* name;
    napi_callback cb;
  } fns[] = {{"hwaDac", HwaDac}, {"hwaAdc", HwaAdc}, {"hwaAdcBackward", HwaAdcBackward}};
  for (const auto& f : fns) {
    napi_value fn;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.cb, nullptr, &fn);
    napi_set_named_property(env, exports, f.name, fn);
  }
}

}  // namespace kh
