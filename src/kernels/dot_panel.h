// Panel tiles: integer kernels for prompt batches on AVX2 and AVX-512 (with or without VNNI: on
// Zen 5 they beat the VNNI lanes tiles from four tokens on), for Q4_0, Q4_1, Q5_0, Q5_1, Q8_0 and
// Q2_K … Q6_K. A task's weight rows are decoded sixteen at a time (two ymm, or one zmm with VNNI)
// into an int8 panel whose 32-bit lanes are the rows (chunk j of a block: elements 4j..4j+3 of
// each row), so one vpmaddubsw or vpdpbusd against four activation bytes broadcast to every lane
// serves all the rows with no horizontal sums; the panel is decoded once per chunk of the row and
// reused by every token of the task. On aarch64 CPUs with I8MM the SMMLA tiles
// (dot_arm_i8mm.cc) take the panels' place in MatMul, on the activations' own layout.
#pragma once

#include <cstdint>

#include "kernels/dot_tile.h"
#include "tensor/dtype.h"

namespace densing {
namespace panel {

inline constexpr int64_t kRowMultiple = 16;  // MatMul hands the tiles row ranges of multiples of this
inline constexpr int64_t kMinTokens = 4;     // MatMul uses the panels from this many tokens on

// One 32-element activation block of the legacy types' panels: the reference's Q8_0
// quantization (same int8 values, same f16-rounded scale), with the scale as f32 and the sum of
// the quants that undoes the weights' unsigned offset (Q4_0's q - 8, Q5_0's q - 16).
struct XBlock {
  int8_t qs[32];
  float d;
  int32_t sum;
};
static_assert(sizeof(XBlock) == 40);

inline int64_t RowBytes(int64_t k) { return k / 32 * static_cast<int64_t>(sizeof(XBlock)); }

// Quantizes k floats (k a multiple of 32) as Q8_0 and writes RowBytes(k) bytes of XBlocks.
void PackRow(const float* x, int64_t k, uint8_t* out);

}  // namespace panel

// The panel tile for weight type w on the dispatched target, or nullptr (no such tile there).
// *packed says which activations it reads: panel::XBlock rows (Q4_0, Q5_0, Q8_0) or the
// weight type's vec_dot_type rows (Q4_1, Q5_1: Q8_1; Q4_K, Q6_K: Q8_K).
MatTileFn PanelSimdTile(DType w, bool* packed);

// The x86 panel tiles of the k-quants (dot_panel_kquant.cc), which PanelSimdTile offers.
MatTileFn PanelKQuantTile(DType w);

}  // namespace densing
