// The Highway attention head and SwiGLU against their scalar references; the bandwidth probe's
// streaming sum against its scalar reference.
#include "kernels/ops_simd.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "kernels/membw.h"
#include "kernels/ops.h"
#include "kernels/quantize_simd.h"
#include "tensor/half.h"
#include "tensor/quant_blocks.h"
#include "tensor/quant_k.h"

namespace densing {
namespace {

std::vector<float> Random(size_t n, std::mt19937& rng, float sd = 1.0f) {
  std::normal_distribution<float> d(0, sd);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

TEST(OpsSimd, AttendGroupMatchesReference) {
  std::mt19937 rng(3);
  for (int64_t hd : {16, 20, 64, 80, 128, 256}) {
    for (int64_t n_heads : {1, 3, 4, 7}) {
      for (int64_t n_keys : {1, 2, 15, 16, 17, 64, 65, 100, 513}) {
        for (float softcap : {0.0f, 20.0f}) {
          const int64_t stride = hd * 3 + 5;  // keys of other heads between rows, unaligned
          const int64_t q_stride = hd + 3;
          const auto q = Random(static_cast<size_t>(n_heads * q_stride), rng, 2.0f);
          const auto k = Random(static_cast<size_t>(n_keys * stride), rng);
          const auto v = Random(static_cast<size_t>(n_keys * stride), rng);
          const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
          std::vector<float> got(static_cast<size_t>(n_heads * q_stride), NAN);
          GroupAttention g{{q.data(), k.data() + 1, v.data() + 2, DType::kF32, DType::kF32, stride,
                            n_keys, hd, scale, softcap},
                           n_heads, q_stride, got.data(), q_stride};
          AttendGroup(g);
          std::vector<float> scores(static_cast<size_t>(n_keys)), want(static_cast<size_t>(hd));
          for (int64_t h = 0; h < n_heads; ++h) {
            HeadAttention a = g.head;
            a.q = q.data() + h * q_stride;
            AttendHeadReference(a, scores.data(), want.data());
            for (int64_t i = 0; i < hd; ++i) {
              ASSERT_NEAR(got[h * q_stride + i], want[i], 1e-5f * (1.0f + std::fabs(want[i])))
                  << "hd " << hd << " heads " << n_heads << " keys " << n_keys << " cap " << softcap
                  << " head " << h << " at " << i;
            }
          }
        }
      }
    }
  }
}

std::vector<uint16_t> ToHalf(const std::vector<float>& x) {
  std::vector<uint16_t> h(x.size());
  for (size_t i = 0; i < x.size(); ++i) h[i] = F32ToF16(x[i]);
  return h;
}

// An F16 cache (keys, values or both): the vector kernel follows the reference's key-by-key
// rounding (only the order of a dot product's sum differs, which can move a value by an F16
// step), and both stay within F16 precision of exact F32 attention on the same rounded data.
TEST(OpsSimd, AttendGroupWithAnF16CacheMatchesReference) {
  std::mt19937 rng(8);
  double deviation = 0;  // Σ |vector − reference| / (scale + |reference|) over every output
  int64_t n_outputs = 0;
  for (auto [k_type, v_type] : {std::pair{DType::kF16, DType::kF16}, std::pair{DType::kF16, DType::kF32},
                                std::pair{DType::kF32, DType::kF16}}) {
    for (int64_t hd : {8, 16, 20, 64, 128}) {
      for (int64_t n_keys : {1, 2, 17, 64, 300}) {
        for (float softcap : {0.0f, 20.0f}) {
         // Values of 1e-4 put the F16 sums among subnormals, where rounding is easiest to get wrong.
         for (float v_scale : {1.0f, 1e-4f}) {
          const int64_t n_heads = 1 + (n_keys + hd) % 7;  // 1 to 7 heads: chunks of 1, 2, 3 and 4
          const int64_t stride = hd * 2 + 3, q_stride = hd + 1;
          const auto q = Random(static_cast<size_t>(n_heads * q_stride), rng, 2.0f);
          auto k = Random(static_cast<size_t>(n_keys * stride), rng);
          auto v = Random(static_cast<size_t>(n_keys * stride), rng, v_scale);
          const auto k16 = ToHalf(k), v16 = ToHalf(v);
          for (size_t i = 0; i < k.size(); ++i) k[i] = F16ToF32(k16[i]);  // the exact F32 comparison
          for (size_t i = 0; i < v.size(); ++i) v[i] = F16ToF32(v16[i]);
          const void* kp = k_type == DType::kF16 ? static_cast<const void*>(k16.data()) : k.data();
          const void* vp = v_type == DType::kF16 ? static_cast<const void*>(v16.data()) : v.data();
          const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
          std::vector<float> got(static_cast<size_t>(n_heads * q_stride), NAN);
          GroupAttention g{{q.data(), kp, vp, k_type, v_type, stride, n_keys, hd, scale, softcap},
                           n_heads, q_stride, got.data(), q_stride};
          AttendGroup(g);
          std::vector<float> scores(static_cast<size_t>(n_keys)), want(static_cast<size_t>(hd)),
              exact(static_cast<size_t>(hd));
          for (int64_t h = 0; h < n_heads; ++h) {
            HeadAttention a = g.head;
            a.q = q.data() + h * q_stride;
            AttendHeadReference(a, scores.data(), want.data());
            HeadAttention f = a;
            f.k = k.data(), f.v = v.data(), f.k_type = f.v_type = DType::kF32;
            AttendHeadReference(f, scores.data(), exact.data());
            for (int64_t i = 0; i < hd; ++i) {
              const float g_i = got[h * q_stride + i];
              deviation += std::fabs(g_i - want[i]) / (v_scale + std::fabs(want[i]));
              ++n_outputs;
              ASSERT_NEAR(g_i, want[i], 4e-3f * (v_scale + std::fabs(want[i])))
                  << "hd " << hd << " keys " << n_keys << " head " << h << " at " << i;
              ASSERT_NEAR(g_i, exact[i], 3e-2f * (v_scale + std::fabs(exact[i])))
                  << "hd " << hd << " keys " << n_keys << " head " << h << " at " << i;
            }
          }
         }
        }
      }
    }
  }
  // Each key's step rounds to nearest in both, so they part only where a sum's order moves a
  // value across a rounding boundary: rarely. Truncating instead drifts every output.
  EXPECT_LT(deviation / static_cast<double>(n_outputs), 5e-5) << n_outputs << " outputs";
}

TEST(OpsSimd, SwiGluMatchesReference) {
  std::mt19937 rng(4);
  for (int64_t n : {1, 7, 16, 17, 64, 67, 4864}) {
    auto gate = Random(static_cast<size_t>(n), rng, 4.0f);
    if (n > 3) gate[0] = -100.0f, gate[1] = 100.0f, gate[2] = 0.0f;
    const auto up = Random(static_cast<size_t>(n), rng);
    std::vector<float> want(static_cast<size_t>(n)), got = up;  // in place, as the MLP calls it
    SwiGlu(gate.data(), up.data(), n, want.data());
    SwiGluSimd(gate.data(), got.data(), n, got.data());
    for (int64_t i = 0; i < n; ++i) {
      ASSERT_NEAR(got[i], want[i], 2e-6f * (1.0f + std::fabs(want[i]))) << "n " << n << " at " << i;
    }
  }
}

// Inputs that reach every rounding case: ties at ±0.5 after scaling, zeros, a block whose
// largest magnitudes are +a and -a (Q8_K keeps the first), all-zero blocks.
std::vector<float> QuantInputs(int64_t n, std::mt19937& rng) {
  std::vector<float> x = Random(static_cast<size_t>(n), rng, 3.0f);
  for (int64_t i = 0; i < n; i += 7) x[i] = std::round(x[i] * 2.0f) / 2.0f;
  for (int64_t i = 3; i < n; i += 11) x[i] = 0.0f;
  if (n >= 256) {
    x[5] = -10.0f, x[9] = 10.0f;                        // Q8_K: -10 comes first
    for (int64_t i = 32; i < 64; ++i) x[i] = 0.0f;      // an all-zero Q8_0 block
    for (int64_t i = 128; i < 160; ++i) x[i] = 127.0f * 0.5f;  // exact halves after scaling
  }
  return x;
}

TEST(QuantizeSimd, Q8_0IsBitExact) {
  std::mt19937 rng(6);
  for (int64_t nb : {1, 2, 7, 8, 9, 40, 2000}) {  // many blocks: near-ties are rare
    for (int rep = 0; rep < 4; ++rep) {
      const auto x = QuantInputs(32 * nb, rng);
      std::vector<int8_t> q(static_cast<size_t>(32 * nb)), q_ref = q;
      std::vector<float> d(static_cast<size_t>(nb)), d_ref = d;
      QuantizeQ8_0(x.data(), nb, q.data(), d.data());
      QuantizeQ8_0Reference(x.data(), nb, q_ref.data(), d_ref.data());
      EXPECT_EQ(q, q_ref) << nb;
      EXPECT_EQ(d, d_ref) << nb;
    }
  }
}

TEST(QuantizeSimd, Q8_KIsBitExact) {
  std::mt19937 rng(7);
  for (int64_t nb : {1, 2, 5, 3000}) {  // many blocks: near-ties are rare
    for (int rep = 0; rep < 4; ++rep) {
      auto x = QuantInputs(256 * nb, rng);
      if (rep == 3) std::fill(x.begin(), x.begin() + 256, 0.0f);  // an all-zero block
      std::vector<quant::BlockQ8_K> got(static_cast<size_t>(nb)), want = got;
      QuantizeQ8_K(x.data(), nb, got.data());
      Q8_KFromFloat(x.data(), want.data(), 256 * nb);
      EXPECT_EQ(std::memcmp(got.data(), want.data(), sizeof(quant::BlockQ8_K) * nb), 0) << nb;
    }
  }
}

TEST(Membw, SumWordsMatchesReference) {
  std::mt19937_64 rng(5);
  std::vector<uint8_t> buf(1 << 16);
  for (uint8_t& b : buf) b = static_cast<uint8_t>(rng());
  for (int64_t n : {0, 8, 64, 72, 1024, 4096 + 8 * 13, 65536}) {
    for (int64_t off : {0, 8, 24}) {
      if (off + n > static_cast<int64_t>(buf.size())) continue;
      const uint64_t want = SumWordsReference(buf.data() + off, n);
      EXPECT_EQ(SumWords(buf.data() + off, n), want) << n;
      for (int streams : {1, 2, 3, 4}) {
        EXPECT_EQ(SumWordsStreams(buf.data() + off, n, streams), want) << n << " " << streams;
      }
    }
  }
}

TEST(Membw, MeasuresSomething) {
  ThreadPool pool(2);
  const ReadBandwidth r = MeasureReadBandwidth(pool, 8 << 20, 2);
  EXPECT_GE(r.buffer_bytes, 8 << 20);
  EXPECT_EQ(r.passes, 2);
  EXPECT_TRUE(std::isfinite(r.gb_per_s));
  EXPECT_GT(r.gb_per_s, 0.0);
}

}  // namespace
}  // namespace densing
