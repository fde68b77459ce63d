// Row operations against straightforward double-precision definitions.
#include "kernels/ops.h"
#include "tensor/half.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace densing {
namespace {

std::vector<float> Random(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0, 1);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

TEST(Ops, RmsNorm) {
  const auto x = Random(67, 1), w = Random(67, 2);
  std::vector<float> y(67);
  RmsNorm(x.data(), w.data(), 67, 1e-5f, y.data());
  double ss = 0;
  for (float v : x) ss += double(v) * v;
  const double scale = 1.0 / std::sqrt(ss / 67 + 1e-5);
  for (int i = 0; i < 67; ++i) EXPECT_NEAR(y[i], x[i] * scale * w[i], 1e-5);
}

// Each value against e^(x − max) / Σ e^(x − max) in double, to float precision; shifted by +100
// the inputs overflow float's exp unless the maximum is subtracted first.
TEST(Ops, SoftmaxMatchesItsFormula) {
  for (float shift : {0.0f, 100.0f}) {
    auto x = Random(100, 3);
    for (float& v : x) v += shift;
    const auto before = x;
    Softmax(x.data(), 100);
    const double max = *std::max_element(before.begin(), before.end());
    double z = 0;
    for (float v : before) z += std::exp(double{v} - max);
    double sum = 0;
    for (int i = 0; i < 100; ++i) {
      const double want = std::exp(double{before[i]} - max) / z;
      EXPECT_NEAR(x[i], want, 2e-6 * want) << i << " shift " << shift;
      sum += x[i];
    }
    EXPECT_NEAR(sum, 1.0, 1e-5);
  }
}

// Rotary embedding preserves each rotated pair's norm and matches the closed form.
TEST(Ops, RopeBothLayouts) {
  for (RopeLayout layout : {RopeLayout::kInterleaved, RopeLayout::kHalves}) {
    const int64_t hd = 16, n_rot = 12;  // partial rotation: 4 dims pass through
    auto x = Random(2 * hd, 4);
    auto y = x;
    RopeParams p{hd, n_rot, 10000.0f, layout, nullptr};
    Rope(y.data(), 2, 37, p);
    for (int h = 0; h < 2; ++h) {
      for (int64_t i = 0; i < n_rot / 2; ++i) {
        const int64_t a = layout == RopeLayout::kInterleaved ? 2 * i : i;
        const int64_t b = layout == RopeLayout::kInterleaved ? 2 * i + 1 : i + n_rot / 2;
        const double theta = 37.0 * std::pow(10000.0, -2.0 * i / n_rot);
        const double x0 = x[h * hd + a], x1 = x[h * hd + b];
        EXPECT_NEAR(y[h * hd + a], x0 * std::cos(theta) - x1 * std::sin(theta), 1e-4);
        EXPECT_NEAR(y[h * hd + b], x0 * std::sin(theta) + x1 * std::cos(theta), 1e-4);
      }
      for (int64_t i = n_rot; i < hd; ++i) EXPECT_EQ(y[h * hd + i], x[h * hd + i]);
    }
  }
}

TEST(Ops, RopeFrequencyFactorsDivideTheAngle) {
  const int64_t hd = 4;
  std::vector<float> x = {1, 0, 1, 0}, y = x;
  const float factors[2] = {2.0f, 1.0f};
  Rope(y.data(), 1, 3, RopeParams{hd, hd, 10000.0f, RopeLayout::kInterleaved, factors});
  EXPECT_NEAR(y[0], std::cos(1.5), 1e-6);
  EXPECT_NEAR(y[1], std::sin(1.5), 1e-6);
}

// GELU through its half-precision table equals the formula evaluated on the half-rounded input
// and rounded to half, as the reference computes it, over [-12, 12] and at the ±10 cut-offs.
TEST(Ops, GeluTableEqualsTheRoundedFormula) {
  const auto direct = [](float x) {
    if (x <= -10.0f) return 0.0f;
    if (x >= 10.0f) return x;
    const float h = F16ToF32(F32ToF16(x));
    const float g = 0.5f * h * (1.0f + std::tanh(0.79788456080286535587989211986876f * h * (1.0f + 0.044715f * h * h)));
    return F16ToF32(F32ToF16(g));
  };
  for (float x = -12.0f; x <= 12.0f; x += 0.00073f) ASSERT_EQ(GeluTanh(x), direct(x)) << x;
  for (float x : {-10.0f, -9.999f, 9.999f, 10.0f, 0.0f, -0.0f, 1e-8f}) EXPECT_EQ(GeluTanh(x), direct(x)) << x;
}

TEST(Ops, GeluAndSwiGlu) {
  EXPECT_NEAR(GeluTanh(1.0f), 0.8412, 1e-3);
  EXPECT_EQ(GeluTanh(-20.0f), 0.0f);
  EXPECT_EQ(GeluTanh(20.0f), 20.0f);
  const float g[2] = {1.0f, -2.0f}, u[2] = {2.0f, 3.0f};
  float y[2];
  SwiGlu(g, u, 2, y);
  EXPECT_NEAR(y[0], 2.0 / (1 + std::exp(-1.0)), 1e-6);
  EXPECT_NEAR(y[1], 3.0 * -2.0 / (1 + std::exp(2.0)), 1e-6);
}

TEST(Ops, SoftCapBoundsValues) {
  std::vector<float> x = {0.0f, 10.0f, -1000.0f};
  SoftCap(x.data(), 3, 30.0f);
  EXPECT_EQ(x[0], 0.0f);
  EXPECT_NEAR(x[1], 30 * std::tanh(1.0 / 3), 1e-5);
  EXPECT_NEAR(x[2], -30.0f, 1e-4);
}

}  // namespace
}  // namespace densing
