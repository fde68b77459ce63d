// Dot-product tiles: the inner kernel of MatMul for each weight type. A tile computes a block of
// outputs (rows of W × tokens of X) so each weight block is decoded once for several tokens.
// FindMatTile dispatches to the best SIMD target for the CPU; call it once per operation.
#pragma once

#include <cstdint>

#include "tensor/dtype.h"

namespace densing {

// One MatMul's operands. Activation rows are already converted: to the weight type's
// vec_dot_type for the tiles here, to the lanes layout (act_lanes.h) for dot_lanes.cc's.
struct MatTile {
  DType w_type = DType::kF32;
  const uint8_t* w = nullptr;  // n_out rows of w_row_bytes
  int64_t w_row_bytes = 0;
  const uint8_t* x = nullptr;  // n_tok rows of x_row_bytes
  int64_t x_row_bytes = 0;
  int64_t k = 0;       // elements per row
  float* y = nullptr;  // y[t * y_stride + r]
  int64_t y_stride = 0;
};

// Computes y for rows [r0, r1) and tokens [t0, t1).
using MatTileFn = void (*)(const MatTile& m, int64_t r0, int64_t r1, int64_t t0, int64_t t1);

// The fastest tile for weight type `w` on this CPU; the scalar reference where no SIMD kernel
// exists for the type (or the target).
MatTileFn FindMatTile(DType w);
// The SIMD tile, or nullptr where the chosen target has none for `w` (tests use this to know
// what they compare).
MatTileFn FindSimdMatTile(DType w);
// The tile built on the traits table's scalar reference vec_dot.
void ReferenceMatTile(const MatTile& m, int64_t r0, int64_t r1, int64_t t0, int64_t t1);

}  // namespace densing
