// Argument unwrapping for the N-API glue (addon.cpp): numbers, booleans and typed arrays by position, with
// one JS TypeError (code ERR_KIRCHHOFF_NATIVE) on the first misuse instead of a crash. Lengths are validated
// by the TypeScript wrapper (src/core/kernels/native/index.ts).
#pragma once
#include <node_api.h>

#include <cstdint>
#include <mutex>

#include "common.h"

namespace kh {

/** The kernel table in use (addon.cpp) and the lock every kernel call holds (one kernel runs at a time). */
const Kernels* activeKernels();
std::mutex& kernelCallLock();
/** Adds the hardware-aware training kernels' N-API functions to the exports (addon_hwa.cpp). */
void registerHwa(napi_env env, napi_value exports);

/** JS undefined, the return value of every kernel entry point. */
inline napi_value undef(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

struct Args {
  napi_env env;
  napi_value v[20];
  size_t n = 20;
  bool failed = false;

  Args(napi_env e, napi_callback_info info) : env(e) { napi_get_cb_info(e, info, &n, v, nullptr, nullptr); }

  void fail(const char* msg) {
    if (!failed) napi_throw_type_error(env, "ERR_KIRCHHOFF_NATIVE", msg);
    failed = true;
  }
  double num(size_t i) {
    double d = 0;
    if (i >= n || napi_get_value_double(env, v[i], &d) != napi_ok) fail("expected a number argument");
    return d;
  }
  int64_t i64(size_t i) { return static_cast<int64_t>(num(i)); }
  bool flag(size_t i) {
    bool b = false;
    if (i >= n || napi_get_value_bool(env, v[i], &b) != napi_ok) fail("expected a boolean argument");
    return b;
  }
  /** Typed array data pointer; null for null/undefined when optional. */
  template <class T>
  T* arr(size_t i, napi_typedarray_type want, bool optional = false) {
    if (i >= n) {
      if (!optional) fail("missing typed array argument");
      return nullptr;
    }
    napi_valuetype vt;
    napi_typeof(env, v[i], &vt);
    if (vt == napi_null || vt == napi_undefined) {
      if (!optional) fail("expected a typed array, got null");
      return nullptr;
    }
    bool is = false;
    napi_is_typedarray(env, v[i], &is);
    if (!is) {
      fail("expected a typed array");
      return nullptr;
    }
    napi_typedarray_type t;
    size_t len;
    void* data;
    napi_value ab;
    size_t off;
    napi_get_typedarray_info(env, v[i], &t, &len, &data, &ab, &off);
    if (t != want) {
      fail("typed array of the wrong element type");
      return nullptr;
    }
    return static_cast<T*>(data);
  }
  float* f32(size_t i, bool optional = false) { return arr<float>(i, napi_float32_array, optional); }
  /** Element count of typed-array argument i (0 once an argument has failed). */
  size_t length(size_t i) {
    size_t len = 0;
    if (!failed) napi_get_typedarray_info(env, v[i], nullptr, &len, nullptr, nullptr, nullptr);
    return len;
  }
  ConvP conv(size_t i) {
    ConvP p{};
    const double* d = arr<double>(i, napi_float64_array);
    if (!d) return p;
    int64_t* f = &p.n;
    for (int k = 0; k < 16; k++) f[k] = static_cast<int64_t>(d[k]);
    return p;
  }
  Epi epi(size_t i) {  // bias, scale, shift, residual, act
    Epi e;
    e.bias = f32(i, true);
    e.scale = f32(i + 1, true);
    e.shift = f32(i + 2, true);
    e.residual = f32(i + 3, true);
    e.act = static_cast<int>(num(i + 4));
    return e;
  }
};

}  // namespace kh
