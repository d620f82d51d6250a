// Builds one ISA's kernel table. Included last by each isa_*.cpp translation unit.
#pragma once
#include "analog.h"
#include "analog_tile.h"
#include "conv.h"
#include "depthwise.h"
#include "hwa.h"
#include "norm.h"
#include "philox.h"

namespace kh {
namespace KH_NS {
static const Kernels kTable = {KH_ISA_NAME,  sgemm,        convForward, convBackwardInput, convBackwardWeight,
                               channelStats, channelAffine, bnBackward, fillUniform,       fillNormal,
                               peakProbe,    analogInput,   analogOutput, analogIm2col, analogTileForward,
                               hwaDac,       hwaAdc,        hwaAdcBackward};
}  // namespace KH_NS
}  // namespace kh
