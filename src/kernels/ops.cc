// Scalar implementations; these ops are a small share of the forward pass next to MatMul.
#include "kernels/ops.h"

#include <array>
#include <cmath>

#include "tensor/half.h"

namespace densing {

void RmsNorm(const float* x, const float* w, int64_t n, float eps, float* out) {
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(x[i]) * x[i];
  const float mean = static_cast<float>(sum / static_cast<double>(n));
  const float scale = 1.0f / std::sqrt(mean + eps);
  if (w == nullptr) {
    for (int64_t i = 0; i < n; ++i) out[i] = x[i] * scale;
  } else {
    for (int64_t i = 0; i < n; ++i) out[i] = (x[i] * scale) * w[i];
  }
}

void Rope(float* x, int64_t n_heads, int64_t pos, const RopeParams& p) {
  // theta_i = pos · base^(-2i/n_rot), advanced by repeated multiplication as the reference does.
  const float theta_scale = std::pow(p.base, -2.0f / static_cast<float>(p.n_rot));
  const int64_t half = p.n_rot / 2;
  float theta = static_cast<float>(pos);
  for (int64_t i = 0; i < half; ++i) {
    const float t = (p.freq_factors ? theta / p.freq_factors[i] : theta) * p.freq_scale;
    const float c = std::cos(t) * p.attn_factor;
    const float s = std::sin(t) * p.attn_factor;
    for (int64_t h = 0; h < n_heads; ++h) {
      float* v = x + h * p.head_dim;
      const int64_t a = p.layout == RopeLayout::kInterleaved ? 2 * i : i;
      const int64_t b = p.layout == RopeLayout::kInterleaved ? 2 * i + 1 : i + half;
      const float x0 = v[a];
      const float x1 = v[b];
      v[a] = x0 * c - x1 * s;
      v[b] = x0 * s + x1 * c;
    }
    theta *= theta_scale;
  }
}

void Softmax(float* x, int64_t n) {
  float max = -INFINITY;
  for (int64_t i = 0; i < n; ++i) max = std::max(max, x[i]);
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    const float e = std::exp(x[i] - max);
    x[i] = e;
    sum += e;
  }
  const float inv = static_cast<float>(1.0 / sum);
  for (int64_t i = 0; i < n; ++i) x[i] *= inv;
}

void SwiGlu(const float* gate, const float* up, int64_t n, float* y) {
  for (int64_t i = 0; i < n; ++i) {
    const float g = gate[i];
    y[i] = g / (1.0f + std::exp(-g)) * up[i];
  }
}

namespace {

// GELU (tanh form) of every half-precision value, rounded to half precision: the reference looks
// GELU up in such a table, so its two roundings are part of the model's function.
const std::array<uint16_t, 65536>& GeluTable() {
  static const std::array<uint16_t, 65536> table = [] {
    constexpr float kSqrt2OverPi = 0.79788456080286535587989211986876f;
    constexpr float kCoefA = 0.044715f;
    std::array<uint16_t, 65536> t;
    for (uint32_t i = 0; i < t.size(); ++i) {
      const float h = F16ToF32(static_cast<uint16_t>(i));
      t[i] = F32ToF16(0.5f * h * (1.0f + std::tanh(kSqrt2OverPi * h * (1.0f + kCoefA * h * h))));
    }
    return t;
  }();
  return table;
}

}  // namespace

float GeluTanh(float x) {
  if (x <= -10.0f) return 0.0f;
  if (x >= 10.0f) return x;
  return F16ToF32(GeluTable()[F32ToF16(x)]);
}

void GeGlu(const float* gate, const float* up, int64_t n, float* y) {
  for (int64_t i = 0; i < n; ++i) y[i] = GeluTanh(gate[i]) * up[i];
}

void SoftCap(float* x, int64_t n, float cap) {
  for (int64_t i = 0; i < n; ++i) x[i] = cap * std::tanh(x[i] / cap);
}

void AddScaled(const float* x, float s, int64_t n, float* y) {
  for (int64_t i = 0; i < n; ++i) y[i] += s * x[i];
}

void Scale(float* x, float s, int64_t n) {
  for (int64_t i = 0; i < n; ++i) x[i] *= s;
}

float Dot(const float* a, const float* b, int64_t n) {
  float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += a[i] * b[i];
    s1 += a[i + 1] * b[i + 1];
    s2 += a[i + 2] * b[i + 2];
    s3 += a[i + 3] * b[i + 3];
  }
  for (; i < n; ++i) s0 += a[i] * b[i];
  return (s0 + s1) + (s2 + s3);
}

}  // namespace densing
