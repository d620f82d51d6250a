// The generic kernel path: compiled with its own -m flags (see binding.gyp) and selected at load time.
#define KH_NS generic
#define KH_VBYTES 16
#define KH_ISA_NAME "generic"
#include "isa/entry.h"

namespace kh {
const Kernels* kernelsGeneric() { return &generic::kTable; }
}  // namespace kh
