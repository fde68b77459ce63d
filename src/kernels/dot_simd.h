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

}  // namespace densing
