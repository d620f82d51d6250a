// The avx512 kernel path: compiled with its own -m flags (see binding.gyp) and selected at load time.
#define KH_NS avx512
#define KH_VBYTES 64
#define KH_ISA_NAME "avx512"
#include "isa/entry.h"

namespace kh {
const Kernels* kernelsAvx512() { return &avx512::kTable; }
}  // namespace kh
