// The "lanes" activation layout of the AVX-512 VNNI kernels for weights in 32-element blocks
// (Q4_0, Q5_0, Q8_0): the activations are the reference's Q8_0 quantization (same int8 values,
// same f16-rounded scales), laid out so that one 512-bit vpdpbusd covers four blocks, with each
// block's sum in four int32 lanes and everything the kernel needs per lane precomputed.
#pragma once

#include <cstdint>

namespace densing::lanes {

inline constexpr int64_t kBlock = 32;
inline constexpr int64_t kGroupBlocks = 4;    // blocks per group
inline constexpr int64_t kGroupBytes = 256;   // bytes per group, see Group
inline constexpr int64_t kLanes = 16;

// One group of four blocks j = 0..3 (absent blocks of a row's last group are all zero).
struct Group {
  int8_t lo[64];             // lo[16j + i] = q_j[i], i < 16
  int8_t hi[64];             // hi[16j + i] = q_j[16 + i]
  int32_t neg_sum[kLanes];   // lane l: -(Σ lo[4l .. 4l+3] + Σ hi[4l .. 4l+3])
  float d[kLanes];           // lane l: the scale of block l / 4
};
static_assert(sizeof(Group) == kGroupBytes);

inline int64_t RowBytes(int64_t k) {
  return (k + kBlock * kGroupBlocks - 1) / (kBlock * kGroupBlocks) * kGroupBytes;
}

// Quantizes k floats (k a multiple of 32) as Q8_0 and writes RowBytes(k) bytes in this layout.
void PackRow(const float* x, int64_t k, uint8_t* out);

// The Q8_0 block `b` of a packed row (for the scalar reference on a row's last blocks).
void UnpackBlock(const uint8_t* row, int64_t b, void* q8_0_block);

}  // namespace densing::lanes
