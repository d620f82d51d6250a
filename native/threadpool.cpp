// Persistent worker pool for the native kernels (baseline ISA). Threads are created once and sleep on a
// condition variable between jobs; the calling thread runs task slot 0 itself. Default size is the
// hardware concurrency, overridable by KIRCHHOFF_THREADS or setThreadCount().
#include <atomic>
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

struct Scratch {
  float* ptr[kSlots] = {};
  size_t cap[kSlots] = {};
};

struct Pool {
  std::mutex mu;
  std::condition_variable wake, done;
  std::vector<std::thread> workers;
  int wanted = 1;
  uint64_t generation = 0;
  int pending = 0;
  TaskFn fn = nullptr;
  void* ctx = nullptr;
  int64_t nTasks = 0;
  std::atomic<int64_t> nextTask{0};
  bool stop = false;
  Scratch scratch[kMaxThreads];

  void runTasks(int tid) {
    for (;;) {
      int64_t t = nextTask.fetch_add(1, std::memory_order_relaxed);
      if (t >= nTasks) break;
      fn(ctx, t, tid);
    }
  }

  void workerLoop(int tid) {
    uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> lk(mu);
        wake.wait(lk, [&] { return stop || generation != seen; });
        if (stop) return;
        seen = generation;
      }
      runTasks(tid);
      std::lock_guard<std::mutex> lk(mu);
      if (--pending == 0) done.notify_one();
    }
  }

  void resize(int t) {
    if (t < 1) t = 1;
    if (t > kMaxThreads) t = kMaxThreads;
    {
      std::lock_guard<std::mutex> lk(mu);
      stop = true;
    }
    wake.notify_all();
    for (auto& w : workers) w.join();
    workers.clear();
    stop = false;
    wanted = t;
    for (int i = 1; i < t; i++) workers.emplace_back([this, i] { workerLoop(i); });
  }

  ~Pool() {
    {
      std::lock_guard<std::mutex> lk(mu);
      stop = true;
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
    std::lock_guard<std::mutex> lk(p.mu);
    p.fn = fn;
    p.ctx = ctx;
    p.nTasks = n;
    p.nextTask.store(0, std::memory_order_relaxed);
    p.pending = static_cast<int>(p.workers.size());
    p.generation++;
  }
  p.wake.notify_all();
  p.runTasks(0);
  std::unique_lock<std::mutex> lk(p.mu);
  p.done.wait(lk, [&] { return p.pending == 0; });
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
