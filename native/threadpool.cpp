// Persistent worker pool for the native kernels (baseline ISA). Threads are created once; between jobs a
// worker first spins on the job counter for about kSpinMicros, then sleeps on a condition variable. The
// spin matters: a training step issues hundreds of sub-millisecond kernels, and waking a sleeping thread
// costs tens to hundreds of µs on a VM, long enough for the calling thread to take every task itself
// (measured 2026-11-28, DS-CNN step at 2 threads: batch-norm kernels ran SLOWER than on 1 thread). OpenMP
// runtimes (PyTorch's) spin the same way. The calling thread runs tasks too. Default size is the hardware
// concurrency, overridable by KIRCHHOFF_THREADS or setThreadCount().
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include "common.h"

namespace kh {
namespace {

constexpr int kMaxThreads = 256;
constexpr int kSlots = 8;
/** How long an idle worker (and a caller waiting for workers) polls before blocking, microseconds. */
constexpr int64_t kSpinMicros = 200;

inline void cpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

/** Polls `ready()` for up to kSpinMicros; true when it became true. */
template <class F>
bool spinUntil(F ready) {
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0;; i++) {
    if (ready()) return true;
    cpuRelax();
    if ((i & 63) == 63 &&
        std::chrono::steady_clock::now() - t0 > std::chrono::microseconds(kSpinMicros))
      return ready();
  }
}

struct Scratch {
  float* ptr[kSlots] = {};
  size_t cap[kSlots] = {};
};

struct Pool {
  std::mutex mu;
  std::condition_variable wake, done;
  std::vector<std::thread> workers;
  int wanted = 1;
  /** Job counter: the caller publishes fn/ctx/nTasks, then increments it (release). */
  std::atomic<uint64_t> generation{0};
  /** Workers that have not finished the current job yet. */
  std::atomic<int> pending{0};
  TaskFn fn = nullptr;
  void* ctx = nullptr;
  int64_t nTasks = 0;
  std::atomic<int64_t> nextTask{0};
  std::atomic<bool> stop{false};
  Scratch scratch[kMaxThreads];

  void runTasks(int tid) {
    for (;;) {
      int64_t t = nextTask.fetch_add(1, std::memory_order_relaxed);
      if (t >= nTasks) break;
      fn(ctx, t, tid);
    }
  }

  /** `seen`: the job counter when the worker was created (no job is in flight then), so it waits for the next. */
  void workerLoop(int tid, uint64_t seen) {
    for (;;) {
      auto ready = [&] {
        return stop.load(std::memory_order_acquire) || generation.load(std::memory_order_acquire) != seen;
      };
      if (!spinUntil(ready)) {
        std::unique_lock<std::mutex> lk(mu);
        wake.wait(lk, ready);
      }
      if (stop.load(std::memory_order_acquire)) return;
      seen = generation.load(std::memory_order_acquire);
      runTasks(tid);
      if (pending.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::lock_guard<std::mutex> lk(mu);  // pairs with the caller's predicate check under mu
        done.notify_one();
      }
    }
  }

  void resize(int t) {
    if (t < 1) t = 1;
    if (t > kMaxThreads) t = kMaxThreads;
    {
      std::lock_guard<std::mutex> lk(mu);
      stop.store(true, std::memory_order_release);
    }
    wake.notify_all();
    for (auto& w : workers) w.join();
    workers.clear();
    stop.store(false, std::memory_order_release);
    wanted = t;
    const uint64_t g = generation.load(std::memory_order_acquire);
    for (int i = 1; i < t; i++) workers.emplace_back([this, i, g] { workerLoop(i, g); });
  }

  ~Pool() {
    {
      std::lock_guard<std::mutex> lk(mu);
      stop.store(true, std::memory_order_release);
    }
    wake.notify_all();
    for (auto& w : workers) w.join();
  }
};

Pool& pool() {
  static Pool* p = [] {
    auto* q = new Pool();  // never destroyed: workers must outlive static destructors of the addon
    int t = static_cast<int>(std::thread::hardware_concurrency());
    if (const char* env = std::getenv("KIRCHHOFF_THREADS")) {
      int v = std::atoi(env);
      if (v > 0) t = v;
    }
    q->resize(t > 0 ? t : 1);
    return q;
  }();
  return *p;
}

}  // namespace

int threadCount() { return pool().wanted; }

void setThreadCount(int t) {
  Pool& p = pool();
  if (t != p.wanted) p.resize(t);
}

void parallelFor(int64_t n, TaskFn fn, void* ctx) {
  Pool& p = pool();
  if (n <= 0) return;
  if (n == 1 || p.workers.empty()) {
    for (int64_t t = 0; t < n; t++) fn(ctx, t, 0);
    return;
  }
  {
    std::lock_guard<std::mutex> lk(p.mu);  // a worker about to sleep re-checks `generation` under mu
    p.fn = fn;
    p.ctx = ctx;
    p.nTasks = n;
    p.nextTask.store(0, std::memory_order_relaxed);
    p.pending.store(static_cast<int>(p.workers.size()), std::memory_order_relaxed);
    p.generation.fetch_add(1, std::memory_order_release);
  }
  p.wake.notify_all();
  p.runTasks(0);
  auto finished = [&] { return p.pending.load(std::memory_order_acquire) == 0; };
  if (spinUntil(finished)) return;
  std::unique_lock<std::mutex> lk(p.mu);
  p.done.wait(lk, finished);
}

float* scratch(int thread, int slot, size_t floats) {
  Scratch& s = pool().scratch[thread];
  if (s.cap[slot] < floats) {
    std::free(s.ptr[slot]);
    size_t bytes = ((floats * sizeof(float) + 63) / 64) * 64 + 64;
    s.ptr[slot] = static_cast<float*>(std::aligned_alloc(64, bytes));
    s.cap[slot] = s.ptr[slot] ? floats : 0;
  }
  return s.ptr[slot];
}

}  // namespace kh
