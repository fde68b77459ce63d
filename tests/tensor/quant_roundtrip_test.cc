// Every quantized type: quantize → dequantize stays within its error bound, the reference
// vec_dot equals the float dot of the dequantized rows, and edge cases (zeros, a lone spike,
// exact ties of the reference rounding) come out as the reference quantizers make them.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "tensor/dtype.h"
#include "tensor/quant_blocks.h"

namespace densing {
namespace {

std::vector<float> Gaussian(int64_t n, uint32_t seed, float sigma = 1.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, sigma);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = dist(rng);
  return v;
}

std::vector<float> RoundTrip(DType type, const std::vector<float>& x) {
  const DTypeTraits& t = Traits(type);
  const int64_t n = static_cast<int64_t>(x.size());
  std::vector<uint8_t> q(static_cast<size_t>(RowBytes(type, n)));
  t.from_float(x.data(), q.data(), n);
  std::vector<float> y(x.size());
  t.to_float(q.data(), y.data(), n);
  return y;
}

double RelativeRms(const std::vector<float>& x, const std::vector<float>& y) {
  double err = 0, ref = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    err += (double(x[i]) - y[i]) * (double(x[i]) - y[i]);
    ref += double(x[i]) * x[i];
  }
  return std::sqrt(err / ref);
}

struct Bound {
  DType type;
  double max_rel_rms;  // for Gaussian data; we measure 12-20% below these
};
const Bound kBounds[] = {
    {DType::kQ4_0, 0.100},  {DType::kQ4_1, 0.092},  {DType::kQ5_0, 0.050}, {DType::kQ5_1, 0.045},
    {DType::kQ8_0, 0.0064}, {DType::kQ8_1, 0.0064}, {DType::kQ2_K, 0.34},  {DType::kQ3_K, 0.175},
    {DType::kQ4_K, 0.083},  {DType::kQ5_K, 0.042},  {DType::kQ6_K, 0.021}, {DType::kQ8_K, 0.008},
    {DType::kF16, 0.00025}, {DType::kBF16, 0.002},
};

TEST(QuantRoundTrip, ErrorWithinBound) {
  const int64_t n = 256 * 64;
  const std::vector<float> x = Gaussian(n, 7);
  for (const Bound& b : kBounds) {
    const double rel = RelativeRms(x, RoundTrip(b.type, x));
    EXPECT_LT(rel, b.max_rel_rms) << Traits(b.type).name;
    EXPECT_GT(rel, 0.0) << Traits(b.type).name;
  }
}

TEST(QuantRoundTrip, ZerosStayZero) {
  const std::vector<float> x(512, 0.0f);
  for (const Bound& b : kBounds) {
    for (float v : RoundTrip(b.type, x)) ASSERT_EQ(v, 0.0f) << Traits(b.type).name;
  }
}

TEST(QuantRoundTrip, LoneSpikesSurvive) {
  // A lone spike in a block of zeros survives every type (the block scale follows the max).
  std::vector<float> x(512, 0.0f);
  x[37] = -3.0f;
  x[300] = 5.0f;
  for (const Bound& b : kBounds) {
    const std::vector<float> y = RoundTrip(b.type, x);
    EXPECT_NEAR(y[37], -3.0f, 0.02f) << Traits(b.type).name;
    EXPECT_NEAR(y[300], 5.0f, 0.02f) << Traits(b.type).name;
    EXPECT_NEAR(y[38], 0.0f, 0.5f) << Traits(b.type).name;
  }
}

TEST(QuantRoundTrip, ReferenceRoundingOfLegacyTypes) {
  // Q8_0 rounds half away from zero (roundf): with amax 127 the scale is exactly 1.
  std::vector<float> x(32, 0.0f);
  x[0] = 127.0f;
  x[1] = 2.5f;
  x[2] = -2.5f;
  x[3] = 0.49999997f;
  quant::BlockQ8_0 q8;
  Traits(DType::kQ8_0).from_float(x.data(), &q8, 32);
  EXPECT_EQ(q8.qs[0], 127);
  EXPECT_EQ(q8.qs[1], 3);
  EXPECT_EQ(q8.qs[2], -3);
  EXPECT_EQ(q8.qs[3], 0);
  // Q4_0: d = max / -8 keeps the sign of the largest element; it maps to 0, never to 16.
  x.assign(32, 0.0f);
  x[5] = 8.0f;
  x[6] = -8.0f;
  x[7] = 1.0f;
  quant::BlockQ4_0 q4;
  Traits(DType::kQ4_0).from_float(x.data(), &q4, 32);
  EXPECT_EQ(quant::LoadF16(q4.d), -1.0f);
  EXPECT_EQ(q4.qs[5] & 0xF, 0);   // 8·(-1) + 8.5 → 0
  EXPECT_EQ(q4.qs[6] & 0xF, 15);  // 16.5 clamped to 15
  EXPECT_EQ(q4.qs[7] & 0xF, 7);   // -1 + 8.5 → 7
  EXPECT_EQ(q4.qs[0] & 0xF, 8);
}

TEST(QuantRoundTrip, Q8_KGroupSums) {
  const std::vector<float> x = Gaussian(512, 3);
  std::vector<quant::BlockQ8_K> q(2);
  Traits(DType::kQ8_K).from_float(x.data(), q.data(), 512);
  for (const auto& b : q) {
    for (int g = 0; g < 16; ++g) {
      int sum = 0;
      for (int l = 0; l < 16; ++l) sum += b.qs[16 * g + l];
      EXPECT_EQ(quant::LoadI16(b.bsums + 2 * g), sum);
    }
  }
}

// The reference dot of a weight row with quantized activations equals the float dot of the two
// dequantized rows, up to float rounding (and the f16 Σ term of Q8_1).
TEST(QuantDot, MatchesDequantizedDot) {
  const DType weights[] = {DType::kQ4_0, DType::kQ4_1, DType::kQ5_0, DType::kQ5_1, DType::kQ8_0,
                           DType::kQ8_1, DType::kQ2_K, DType::kQ3_K, DType::kQ4_K, DType::kQ5_K,
                           DType::kQ6_K, DType::kQ8_K, DType::kF16,  DType::kBF16, DType::kF32};
  for (DType type : weights) {
    const DTypeTraits& wt = Traits(type);
    const DTypeTraits& at = Traits(wt.vec_dot_type);
    for (int64_t n : {256, 1024, 4352}) {
      const std::vector<float> w = Gaussian(n, 11 + static_cast<uint32_t>(n));
      std::vector<float> x = Gaussian(n, 5 + static_cast<uint32_t>(n), 0.3f);
      x[3] += 1.0f;  // a nonzero mean, so the min terms matter
      std::vector<uint8_t> wq(static_cast<size_t>(RowBytes(type, n)));
      std::vector<uint8_t> xq(static_cast<size_t>(RowBytes(at.type, n)));
      wt.from_float(w.data(), wq.data(), n);
      at.from_float(x.data(), xq.data(), n);
      std::vector<float> wd(static_cast<size_t>(n)), xd(static_cast<size_t>(n));
      wt.to_float(wq.data(), wd.data(), n);
      at.to_float(xq.data(), xd.data(), n);
      double expect = 0, scale = 0;
      for (int64_t i = 0; i < n; ++i) {
        expect += double(wd[i]) * xd[i];
        scale += std::fabs(double(wd[i]) * xd[i]);
      }
      const bool f16_sum = at.type == DType::kQ8_1 && type != DType::kQ8_1;
      const double tol = (f16_sum ? 2e-3 : 2e-5) * scale;
      EXPECT_NEAR(wt.vec_dot(n, wq.data(), xq.data()), expect, tol) << wt.name << " n=" << n;
    }
  }
}

}  // namespace
}  // namespace densing
