// The avx2 kernel path: compiled with its own -m flags (see binding.gyp) and selected at load time.
#define KH_NS avx2
#define KH_VBYTES 32
#define KH_ISA_NAME "avx2"
#include "isa/entry.h"

namespace kh {
const Kernels* kernelsAvx2() { return &avx2::kTable; }
}  // namespace kh
