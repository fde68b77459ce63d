// Packing activations into the lanes layout: the reference Q8_0 quantizer, then a reshuffle.
#include "kernels/act_lanes.h"

#include <algorithm>
#include <cstring>

#include "kernels/quantize_simd.h"
#include "tensor/half.h"
#include "tensor/quant_blocks.h"

namespace densing::lanes {

void PackRow(const float* x, int64_t k, uint8_t* out) {
  const int64_t nb = k / kBlock;
  auto* groups = reinterpret_cast<Group*>(out);
  for (int64_t g0 = 0; g0 < nb; g0 += kGroupBlocks) {
    const int64_t n = std::min(kGroupBlocks, nb - g0);
    int8_t q[kGroupBlocks * kBlock] = {};
    float d[kGroupBlocks] = {};
    QuantizeQ8_0(x + g0 * kBlock, n, q, d);
    Group& g = groups[g0 / kGroupBlocks];
    for (int64_t j = 0; j < kGroupBlocks; ++j) {
      std::memcpy(g.lo + 16 * j, q + 32 * j, 16);
      std::memcpy(g.hi + 16 * j, q + 32 * j + 16, 16);
    }
    for (int64_t l = 0; l < kLanes; ++l) {
      int32_t sum = 0;
      for (int64_t i = 0; i < 4; ++i) sum += g.lo[4 * l + i] + g.hi[4 * l + i];
      g.neg_sum[l] = -sum;
      g.d[l] = d[l / 4];
    }
  }
}

void UnpackBlock(const uint8_t* row, int64_t b, void* q8_0_block) {
  const Group& g = reinterpret_cast<const Group*>(row)[b / kGroupBlocks];
  const int64_t j = b % kGroupBlocks;
  auto* q = static_cast<quant::BlockQ8_0*>(q8_0_block);
  std::memcpy(q->qs, g.lo + 16 * j, 16);
  std::memcpy(q->qs + 16, g.hi + 16 * j, 16);
  const uint16_t h = F32ToF16(g.d[4 * j]);  // exact: the value came from an f16
  std::memcpy(q->d, &h, 2);
}

}  // namespace densing::lanes
