// Legacy block types: each block of 32 has an f16 scale (and an f16 min for the _1 types).
// The quantizers round exactly as the reference engine's quantize_row_*_ref, so a tensor we
// quantize is byte-identical to the one llama.cpp writes.
#include "tensor/quant_legacy.h"

#include <algorithm>
#include <cfloat>
#include <cmath>

#include "tensor/quant_blocks.h"

namespace densing {
namespace {

using quant::kQK;

template <typename Block>
const Block* Blocks(const void* p) {
  return static_cast<const Block*>(p);
}
template <typename Block>
Block* Blocks(void* p) {
  return static_cast<Block*>(p);
}

// The element of largest magnitude (the first one on ties), with its sign.
float SignedAbsMax(const float* x) {
  float amax = 0.0f;
  float max = 0.0f;
  for (int j = 0; j < kQK; ++j) {
    if (amax < std::fabs(x[j])) {
      amax = std::fabs(x[j]);
      max = x[j];
    }
  }
  return max;
}

void MinMax(const float* x, float* min, float* max) {
  *min = FLT_MAX;
  *max = -FLT_MAX;
  for (int j = 0; j < kQK; ++j) {
    if (x[j] < *min) *min = x[j];
    if (x[j] > *max) *max = x[j];
  }
}

// Packs 32 values < 32 into low nibbles (qs) and fifth bits (qh).
void PackQ5(const uint8_t* q, uint8_t* qs, uint8_t* qh) {
  uint32_t h = 0;
  for (int j = 0; j < kQK / 2; ++j) {
    qs[j] = static_cast<uint8_t>((q[j] & 0x0F) | ((q[j + 16] & 0x0F) << 4));
    h |= static_cast<uint32_t>((q[j] >> 4) & 1) << j;
    h |= static_cast<uint32_t>((q[j + 16] >> 4) & 1) << (j + 16);
  }
  std::memcpy(qh, &h, 4);
}

// The 32 five-bit quants of a Q5 block.
void UnpackQ5(const uint8_t* qs, const uint8_t* qh, int* q) {
  const uint32_t h = quant::LoadU32(qh);
  for (int j = 0; j < kQK / 2; ++j) {
    q[j] = (qs[j] & 0x0F) | static_cast<int>(((h >> j) & 1) << 4);
    q[j + 16] = (qs[j] >> 4) | static_cast<int>(((h >> (j + 16)) & 1) << 4);
  }
}

// roundf (halves away from zero) for |v| < 2^23, without the libm call baseline x86-64 makes.
int RoundHalfAway(float v) {
  int i = static_cast<int>(v);  // truncates toward zero
  const float frac = v - static_cast<float>(i);  // exact
  if (frac >= 0.5f) ++i;
  if (frac <= -0.5f) --i;
  return i;
}

int DotQ8(const int* q, const int8_t* x) {
  int sum = 0;
  for (int j = 0; j < kQK; ++j) sum += q[j] * x[j];
  return sum;
}

}  // namespace

// ---------------------------------------------------------------- Q4_0

void Q4_0ToFloat(const void* src, float* dst, int64_t n) {
  const auto* b = Blocks<quant::BlockQ4_0>(src);
  for (int64_t i = 0; i < n / kQK; ++i, dst += kQK) {
    const float d = quant::LoadF16(b[i].d);
    for (int j = 0; j < kQK / 2; ++j) {
      dst[j] = static_cast<float>((b[i].qs[j] & 0x0F) - 8) * d;
      dst[j + 16] = static_cast<float>((b[i].qs[j] >> 4) - 8) * d;
    }
  }
}

void Q4_0FromFloat(const float* src, void* dst, int64_t n) {
  auto* b = Blocks<quant::BlockQ4_0>(dst);
  for (int64_t i = 0; i < n / kQK; ++i, src += kQK) {
    const float d = SignedAbsMax(src) / -8;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    quant::StoreF16(b[i].d, d);
    for (int j = 0; j < kQK / 2; ++j) {
      const int q0 = std::min(15, static_cast<int>(src[j] * id + 8.5f));
      const int q1 = std::min(15, static_cast<int>(src[j + 16] * id + 8.5f));
      b[i].qs[j] = static_cast<uint8_t>(q0 | (q1 << 4));
    }
  }
}

float Q4_0DotQ8_0(int64_t n, const void* w, const void* x) {
  const auto* a = Blocks<quant::BlockQ4_0>(w);
  const auto* y = Blocks<quant::BlockQ8_0>(x);
  float sum = 0.0f;
  for (int64_t i = 0; i < n / kQK; ++i) {
    int q[kQK];
    for (int j = 0; j < kQK / 2; ++j) {
      q[j] = (a[i].qs[j] & 0x0F) - 8;
      q[j + 16] = (a[i].qs[j] >> 4) - 8;
    }
    const int sumi = DotQ8(q, y[i].qs);
    sum += static_cast<float>(sumi) * (quant::LoadF16(a[i].d) * quant::LoadF16(y[i].d));
  }
  return sum;
}

// ---------------------------------------------------------------- Q4_1

void Q4_1ToFloat(const void* src, float* dst, int64_t n) {
  const auto* b = Blocks<quant::BlockQ4_1>(src);
  for (int64_t i = 0; i < n / kQK; ++i, dst += kQK) {
    const float d = quant::LoadF16(b[i].d);
    const float m = quant::LoadF16(b[i].m);
    for (int j = 0; j < kQK / 2; ++j) {
      dst[j] = static_cast<float>(b[i].qs[j] & 0x0F) * d + m;
      dst[j + 16] = static_cast<float>(b[i].qs[j] >> 4) * d + m;
    }
  }
}

void Q4_1FromFloat(const float* src, void* dst, int64_t n) {
  auto* b = Blocks<quant::BlockQ4_1>(dst);
  for (int64_t i = 0; i < n / kQK; ++i, src += kQK) {
    float min, max;
    MinMax(src, &min, &max);
    const float d = (max - min) / 15;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    quant::StoreF16(b[i].d, d);
    quant::StoreF16(b[i].m, min);
    for (int j = 0; j < kQK / 2; ++j) {
      const int q0 = std::min(15, static_cast<int>((src[j] - min) * id + 0.5f));
      const int q1 = std::min(15, static_cast<int>((src[j + 16] - min) * id + 0.5f));
      b[i].qs[j] = static_cast<uint8_t>(q0 | (q1 << 4));
    }
  }
}

float Q4_1DotQ8_1(int64_t n, const void* w, const void* x) {
  const auto* a = Blocks<quant::BlockQ4_1>(w);
  const auto* y = Blocks<quant::BlockQ8_1>(x);
  float sum = 0.0f;
  for (int64_t i = 0; i < n / kQK; ++i) {
    int q[kQK];
    for (int j = 0; j < kQK / 2; ++j) {
      q[j] = a[i].qs[j] & 0x0F;
      q[j + 16] = a[i].qs[j] >> 4;
    }
    const int sumi = DotQ8(q, y[i].qs);
    sum += quant::LoadF16(a[i].d) * quant::LoadF16(y[i].d) * static_cast<float>(sumi) +
           quant::LoadF16(a[i].m) * quant::LoadF16(y[i].s);
  }
  return sum;
}

// ---------------------------------------------------------------- Q5_0

void Q5_0ToFloat(const void* src, float* dst, int64_t n) {
  const auto* b = Blocks<quant::BlockQ5_0>(src);
  for (int64_t i = 0; i < n / kQK; ++i, dst += kQK) {
    const float d = quant::LoadF16(b[i].d);
    int q[kQK];
    UnpackQ5(b[i].qs, b[i].qh, q);
    for (int j = 0; j < kQK; ++j) dst[j] = static_cast<float>(q[j] - 16) * d;
  }
}

void Q5_0FromFloat(const float* src, void* dst, int64_t n) {
  auto* b = Blocks<quant::BlockQ5_0>(dst);
  for (int64_t i = 0; i < n / kQK; ++i, src += kQK) {
    const float d = SignedAbsMax(src) / -16;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    quant::StoreF16(b[i].d, d);
    uint8_t q[kQK];
    for (int j = 0; j < kQK; ++j) {
      q[j] = static_cast<uint8_t>(std::min(31, static_cast<int>(src[j] * id + 16.5f)));
    }
    PackQ5(q, b[i].qs, b[i].qh);
  }
}

float Q5_0DotQ8_0(int64_t n, const void* w, const void* x) {
  const auto* a = Blocks<quant::BlockQ5_0>(w);
  const auto* y = Blocks<quant::BlockQ8_0>(x);
  float sum = 0.0f;
  for (int64_t i = 0; i < n / kQK; ++i) {
    int q[kQK];
    UnpackQ5(a[i].qs, a[i].qh, q);
    for (int& v : q) v -= 16;
    const int sumi = DotQ8(q, y[i].qs);
    sum += static_cast<float>(sumi) * (quant::LoadF16(a[i].d) * quant::LoadF16(y[i].d));
  }
  return sum;
}

// ---------------------------------------------------------------- Q5_1

void Q5_1ToFloat(const void* src, float* dst, int64_t n) {
  const auto* b = Blocks<quant::BlockQ5_1>(src);
  for (int64_t i = 0; i < n / kQK; ++i, dst += kQK) {
    const float d = quant::LoadF16(b[i].d);
    const float m = quant::LoadF16(b[i].m);
    int q[kQK];
    UnpackQ5(b[i].qs, b[i].qh, q);
    for (int j = 0; j < kQK; ++j) dst[j] = static_cast<float>(q[j]) * d + m;
  }
}

void Q5_1FromFloat(const float* src, void* dst, int64_t n) {
  auto* b = Blocks<quant::BlockQ5_1>(dst);
  for (int64_t i = 0; i < n / kQK; ++i, src += kQK) {
    float min, max;
    MinMax(src, &min, &max);
    const float d = (max - min) / 31;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    quant::StoreF16(b[i].d, d);
    quant::StoreF16(b[i].m, min);
    uint8_t q[kQK];
    for (int j = 0; j < kQK; ++j) {
      q[j] = static_cast<uint8_t>(std::min(31, static_cast<int>((src[j] - min) * id + 0.5f)));
    }
    PackQ5(q, b[i].qs, b[i].qh);
  }
}

float Q5_1DotQ8_1(int64_t n, const void* w, const void* x) {
  const auto* a = Blocks<quant::BlockQ5_1>(w);
  const auto* y = Blocks<quant::BlockQ8_1>(x);
  float sum = 0.0f;
  for (int64_t i = 0; i < n / kQK; ++i) {
    int q[kQK];
    UnpackQ5(a[i].qs, a[i].qh, q);
    const int sumi = DotQ8(q, y[i].qs);
    sum += quant::LoadF16(a[i].d) * quant::LoadF16(y[i].d) * static_cast<float>(sumi) +
           quant::LoadF16(a[i].m) * quant::LoadF16(y[i].s);
  }
  return sum;
}

// ---------------------------------------------------------------- Q8_0, Q8_1

void Q8_0ToFloat(const void* src, float* dst, int64_t n) {
  const auto* b = Blocks<quant::BlockQ8_0>(src);
  for (int64_t i = 0; i < n / kQK; ++i, dst += kQK) {
    const float d = quant::LoadF16(b[i].d);
    for (int j = 0; j < kQK; ++j) dst[j] = static_cast<float>(b[i].qs[j]) * d;
  }
}

void Q8_0FromFloat(const float* src, void* dst, int64_t n) {
  auto* b = Blocks<quant::BlockQ8_0>(dst);
  for (int64_t i = 0; i < n / kQK; ++i, src += kQK) {
    float amax = 0.0f;
    for (int j = 0; j < kQK; ++j) amax = std::max(amax, std::fabs(src[j]));
    const float d = amax / 127;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    quant::StoreF16(b[i].d, d);
    for (int j = 0; j < kQK; ++j) b[i].qs[j] = static_cast<int8_t>(RoundHalfAway(src[j] * id));
  }
}

float Q8_0DotQ8_0(int64_t n, const void* w, const void* x) {
  const auto* a = Blocks<quant::BlockQ8_0>(w);
  const auto* y = Blocks<quant::BlockQ8_0>(x);
  float sum = 0.0f;
  for (int64_t i = 0; i < n / kQK; ++i) {
    int sumi = 0;
    for (int j = 0; j < kQK; ++j) sumi += a[i].qs[j] * y[i].qs[j];
    sum += static_cast<float>(sumi) * (quant::LoadF16(a[i].d) * quant::LoadF16(y[i].d));
  }
  return sum;
}

void Q8_1ToFloat(const void* src, float* dst, int64_t n) {
  const auto* b = Blocks<quant::BlockQ8_1>(src);
  for (int64_t i = 0; i < n / kQK; ++i, dst += kQK) {
    const float d = quant::LoadF16(b[i].d);
    for (int j = 0; j < kQK; ++j) dst[j] = static_cast<float>(b[i].qs[j]) * d;
  }
}

void Q8_1FromFloat(const float* src, void* dst, int64_t n) {
  auto* b = Blocks<quant::BlockQ8_1>(dst);
  for (int64_t i = 0; i < n / kQK; ++i, src += kQK) {
    float amax = 0.0f;
    for (int j = 0; j < kQK; ++j) amax = std::max(amax, std::fabs(src[j]));
    const float d = amax / 127;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    quant::StoreF16(b[i].d, d);
    int sum = 0;
    for (int j = 0; j < kQK; ++j) {
      b[i].qs[j] = static_cast<int8_t>(RoundHalfAway(src[j] * id));
      sum += b[i].qs[j];
    }
    quant::StoreF16(b[i].s, static_cast<float>(sum) * d);
  }
}

float Q8_1DotQ8_1(int64_t n, const void* w, const void* x) {
  const auto* a = Blocks<quant::BlockQ8_1>(w);
  const auto* y = Blocks<quant::BlockQ8_1>(x);
  float sum = 0.0f;
  for (int64_t i = 0; i < n / kQK; ++i) {
    int sumi = 0;
    for (int j = 0; j < kQK; ++j) sumi += a[i].qs[j] * y[i].qs[j];
    sum += static_cast<float>(sumi) * (quant::LoadF16(a[i].d) * quant::LoadF16(y[i].d));
  }
  return sum;
}

}  // namespace densing
