// k-quant dequantization and reference dot products. Every super-block type is first decoded
// into one common form (256 small integers, a scale and a min per group of 16, and the two f16
// factors), so the arithmetic of to_float and vec_dot is written once.
#include "tensor/quant_k.h"

#include "tensor/quant_blocks.h"

namespace densing {
namespace {

using quant::kQKK;
constexpr int kGroups = kQKK / 16;

// x[e] = d·scale[e / 16]·q[e] - dmin·min[e / 16].
struct Decoded {
  int8_t q[kQKK];
  int scale[kGroups];
  int min[kGroups];
  float d;
  float dmin;
};

// The 2-bit field of element e in the shared Q2_K/Q3_K layout.
int Crumb(const uint8_t* qs, int e) {
  return (qs[32 * (e / 128) + e % 32] >> (2 * ((e % 128) / 32))) & 3;
}

void Decode(const quant::BlockQ2_K& b, Decoded* o) {
  for (int e = 0; e < kQKK; ++e) o->q[e] = static_cast<int8_t>(Crumb(b.qs, e));
  for (int g = 0; g < kGroups; ++g) {
    o->scale[g] = b.scales[g] & 0xF;
    o->min[g] = b.scales[g] >> 4;
  }
  o->d = quant::LoadF16(b.d);
  o->dmin = quant::LoadF16(b.dmin);
}

void Decode(const quant::BlockQ3_K& b, Decoded* o) {
  for (int e = 0; e < kQKK; ++e) {
    const bool high = (b.hmask[e % 32] >> (e / 32)) & 1;
    o->q[e] = static_cast<int8_t>(Crumb(b.qs, e) - (high ? 0 : 4));
  }
  for (int g = 0; g < kGroups; ++g) {
    o->scale[g] = quant::ScaleQ3K(g, b.scales);
    o->min[g] = 0;
  }
  o->d = quant::LoadF16(b.d);
  o->dmin = 0.0f;
}

// Scales and mins of the Q4_K/Q5_K groups of 32, spread over our groups of 16.
void DecodeScalesK4(const uint8_t* scales, Decoded* o) {
  for (int j = 0; j < 8; ++j) {
    uint8_t sc, m;
    quant::ScaleMinK4(j, scales, &sc, &m);
    o->scale[2 * j] = o->scale[2 * j + 1] = sc;
    o->min[2 * j] = o->min[2 * j + 1] = m;
  }
}

int Nibble(const uint8_t* qs, int e) {
  const uint8_t byte = qs[32 * (e / 64) + e % 32];
  return e % 64 < 32 ? (byte & 0xF) : (byte >> 4);
}

void Decode(const quant::BlockQ4_K& b, Decoded* o) {
  for (int e = 0; e < kQKK; ++e) o->q[e] = static_cast<int8_t>(Nibble(b.qs, e));
  DecodeScalesK4(b.scales, o);
  o->d = quant::LoadF16(b.d);
  o->dmin = quant::LoadF16(b.dmin);
}

void Decode(const quant::BlockQ5_K& b, Decoded* o) {
  for (int e = 0; e < kQKK; ++e) {
    const int high = (b.qh[e % 32] >> (e / 32)) & 1;
    o->q[e] = static_cast<int8_t>(Nibble(b.qs, e) | (high << 4));
  }
  DecodeScalesK4(b.scales, o);
  o->d = quant::LoadF16(b.d);
  o->dmin = quant::LoadF16(b.dmin);
}

void Decode(const quant::BlockQ6_K& b, Decoded* o) {
  for (int e = 0; e < kQKK; ++e) {
    const int n = e / 128, l = e % 32, p = (e % 128) / 32;
    const uint8_t low_byte = b.ql[64 * n + l + 32 * (p & 1)];
    const int low = p < 2 ? (low_byte & 0xF) : (low_byte >> 4);
    const int high = (b.qh[32 * n + l] >> (2 * p)) & 3;
    o->q[e] = static_cast<int8_t>((low | (high << 4)) - 32);
  }
  for (int g = 0; g < kGroups; ++g) {
    o->scale[g] = b.scales[g];
    o->min[g] = 0;
  }
  o->d = quant::LoadF16(b.d);
  o->dmin = 0.0f;
}

void Decode(const quant::BlockQ8_K& b, Decoded* o) {
  for (int e = 0; e < kQKK; ++e) o->q[e] = b.qs[e];
  for (int g = 0; g < kGroups; ++g) {
    o->scale[g] = 1;
    o->min[g] = 0;
  }
  o->d = quant::LoadF32(b.d);
  o->dmin = 0.0f;
}

template <typename Block>
void ToFloat(const void* src, float* dst, int64_t n) {
  const auto* b = static_cast<const Block*>(src);
  Decoded o;
  for (int64_t i = 0; i < n / kQKK; ++i, dst += kQKK) {
    Decode(b[i], &o);
    for (int e = 0; e < kQKK; ++e) {
      const float dl = o.d * static_cast<float>(o.scale[e / 16]);
      const float ml = o.dmin * static_cast<float>(o.min[e / 16]);
      dst[e] = dl * static_cast<float>(o.q[e]) - ml;
    }
  }
}

// Σ_g scale_g·Σ_{e in g} q_e·y_e in integers, minus the mins through the activations' group
// sums, each scaled once per super-block, as the reference engine does.
template <typename Block>
float DotQ8_K(int64_t n, const void* w, const void* x) {
  const auto* a = static_cast<const Block*>(w);
  const auto* y = static_cast<const quant::BlockQ8_K*>(x);
  Decoded o;
  float sum = 0.0f;
  for (int64_t i = 0; i < n / kQKK; ++i) {
    Decode(a[i], &o);
    int32_t isum = 0;
    int32_t msum = 0;
    for (int g = 0; g < kGroups; ++g) {
      int32_t gsum = 0;
      for (int e = 16 * g; e < 16 * g + 16; ++e) gsum += o.q[e] * y[i].qs[e];
      isum += o.scale[g] * gsum;
      msum += o.min[g] * quant::LoadI16(y[i].bsums + 2 * g);
    }
    const float yd = quant::LoadF32(y[i].d);
    sum += (yd * o.d) * static_cast<float>(isum) - (yd * o.dmin) * static_cast<float>(msum);
  }
  return sum;
}

}  // namespace

void Q2_KToFloat(const void* src, float* dst, int64_t n) { ToFloat<quant::BlockQ2_K>(src, dst, n); }
void Q3_KToFloat(const void* src, float* dst, int64_t n) { ToFloat<quant::BlockQ3_K>(src, dst, n); }
void Q4_KToFloat(const void* src, float* dst, int64_t n) { ToFloat<quant::BlockQ4_K>(src, dst, n); }
void Q5_KToFloat(const void* src, float* dst, int64_t n) { ToFloat<quant::BlockQ5_K>(src, dst, n); }
void Q6_KToFloat(const void* src, float* dst, int64_t n) { ToFloat<quant::BlockQ6_K>(src, dst, n); }
void Q8_KToFloat(const void* src, float* dst, int64_t n) { ToFloat<quant::BlockQ8_K>(src, dst, n); }

float Q2_KDotQ8_K(int64_t n, const void* w, const void* x) {
  return DotQ8_K<quant::BlockQ2_K>(n, w, x);
}
float Q3_KDotQ8_K(int64_t n, const void* w, const void* x) {
  return DotQ8_K<quant::BlockQ3_K>(n, w, x);
}
float Q4_KDotQ8_K(int64_t n, const void* w, const void* x) {
  return DotQ8_K<quant::BlockQ4_K>(n, w, x);
}
float Q5_KDotQ8_K(int64_t n, const void* w, const void* x) {
  return DotQ8_K<quant::BlockQ5_K>(n, w, x);
}
float Q6_KDotQ8_K(int64_t n, const void* w, const void* x) {
  return DotQ8_K<quant::BlockQ6_K>(n, w, x);
}
float Q8_KDotQ8_K(int64_t n, const void* w, const void* x) {
  return DotQ8_K<quant::BlockQ8_K>(n, w, x);
}

}  // namespace densing
