// Process-wide glibc malloc tuning applied when the addon loads (see tuneAllocator).
#pragma once
#include <cstdlib>
#include <cstring>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace kh {

/**
 * Keeps freed tensor storage in the malloc heap instead of returning it to the OS. A training step frees and
 * re-allocates ~30-100 MB of activations (Node's ArrayBuffers come from glibc malloc); with glibc's defaults
 * the 2-8 MB blocks are mmap'd/munmap'd or trimmed off the heap top, so every step page-faults its
 * activations in again (measured 2026-11-28, ResNet-8 b128: ~6,500 minor faults and ~13 ms system CPU per
 * step; with these settings ~100 faults and <2 ms). Costs up to ~256 MB of retained free heap. Opt out with
 * KIRCHHOFF_MALLOC_TUNING=0; skipped when the user tunes malloc through MALLOC_* variables.
 */
inline void tuneAllocator() {
#if defined(__GLIBC__)
  const char* opt = std::getenv("KIRCHHOFF_MALLOC_TUNING");
  if (opt && std::strcmp(opt, "0") == 0) return;
  if (std::getenv("MALLOC_MMAP_THRESHOLD_") || std::getenv("MALLOC_TRIM_THRESHOLD_")) return;
  mallopt(M_MMAP_THRESHOLD, 64 << 20);  // blocks up to 64 MB from the heap (no munmap on free)
  mallopt(M_TRIM_THRESHOLD, 256 << 20);  // keep up to 256 MB of free heap top
  mallopt(M_TOP_PAD, 32 << 20);          // grow the heap in 32 MB steps
#endif
}

}  // namespace kh
