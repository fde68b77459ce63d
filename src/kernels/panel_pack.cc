// The panels' activation rows (kernels/dot_panel.h): the reference's Q8_0 quantization with the
// scale as f32 and each block's quant sum. Changes with panel::XBlock, not with the tiles.
#include <algorithm>
#include <cstring>

#include "kernels/dot_panel.h"
#include "kernels/quantize_simd.h"

namespace densing {

namespace panel {

void PackRow(const float* x, int64_t k, uint8_t* out) {
  constexpr int64_t kStep = 8;  // blocks quantized per call
  const int64_t nb = k / 32;
  auto* blocks = reinterpret_cast<XBlock*>(out);
  for (int64_t b0 = 0; b0 < nb; b0 += kStep) {
    const int64_t n = std::min(kStep, nb - b0);
    int8_t q[kStep * 32];
    float d[kStep];
    QuantizeQ8_0(x + b0 * 32, n, q, d);
    for (int64_t b = 0; b < n; ++b) {
      XBlock& xb = blocks[b0 + b];
      std::memcpy(xb.qs, q + 32 * b, 32);
      xb.d = d[b];
      int32_t sum = 0;
      for (int i = 0; i < 32; ++i) sum += xb.qs[i];
      xb.sum = sum;
    }
  }
}

}  // namespace panel

}  // namespace densing
