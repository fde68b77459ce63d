// The per-family SIMD tile selectors behind FindMatTile; each dispatches once to the CPU's best
// Highway target and returns that target's tile for the type, or nullptr.
#pragma once

#include "kernels/dot_tile.h"

namespace densing {

MatTileFn FloatSimdTile(DType w);   // dot_float.cc: F32, F16, BF16
MatTileFn LegacySimdTile(DType w);  // dot_legacy.cc: Q4_0, Q4_1, Q5_0, Q5_1, Q8_0
MatTileFn KQuantSimdTile(DType w);  // dot_kquant.cc: Q2_K .. Q6_K
// dot_lanes.cc: Q4_0, Q5_0, Q8_0 on the lanes activation layout (act_lanes.h); AVX3_DL only.
MatTileFn LanesSimdTile(DType w);
// aarch64 only, compiled for the extension they use: call them only where ActiveCpuPath()
// allows it. dot_arm_dotprod.cc: the legacy and k-quant types with SDOT (any batch; a batch's
// sums are decoding's bit for bit); dot_arm_i8mm.cc: the same types with SMMLA for prompt
// batches (the panel family's place in MatMul).
MatTileFn ArmDotprodTile(DType w);
MatTileFn ArmI8mmTile(DType w);

}  // namespace densing
