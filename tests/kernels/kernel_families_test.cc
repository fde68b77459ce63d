// Every MatMul kernel family (native Highway tiles, AVX-512 VNNI lanes, AMX) against the scalar
// reference vec_dot on the same quantized activations: over row lengths that do and do not
// fill a group or a chunk, row and token counts around the tile sizes, misaligned weights,
// random bit patterns, one and two threads; and MatMulShared against separate MatMuls.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "kernels/cpu_path.h"
#include "kernels/matmul.h"
#include "tensor/dtype.h"

namespace densing {
namespace {

struct Matrix {
  std::vector<uint8_t> bytes;
  TensorView view;
  std::vector<float> deq;  // dequantized rows, for the error bound
};

// Rows quantized from Gaussians (or random bytes with sane f16 factors), `offset` bytes past an
// aligned start.
Matrix MakeMatrix(DType type, int64_t k, int64_t n_out, int64_t offset, bool random_bits,
                  std::mt19937& rng) {
  const DTypeTraits& t = Traits(type);
  Matrix m;
  const int64_t row_bytes = RowBytes(type, k);
  m.bytes.resize(static_cast<size_t>(offset + n_out * row_bytes));
  uint8_t* data = m.bytes.data() + offset;
  if (random_bits) {
    for (uint8_t& b : m.bytes) b = static_cast<uint8_t>(rng());
    // f16 factors (d, and dmin where the type has one) at these offsets of each block stay
    // ~0.01 .. 0.03.
    std::vector<int> f16;
    if (type == DType::kQ4_K || type == DType::kQ5_K) f16 = {0, 2};
    if (type == DType::kQ2_K) f16 = {80, 82};
    if (type == DType::kQ3_K) f16 = {108};
    if (type == DType::kQ6_K) f16 = {208};
    if (type == DType::kQ4_0 || type == DType::kQ5_0 || type == DType::kQ8_0) f16 = {0};
    if (type == DType::kQ4_1 || type == DType::kQ5_1) f16 = {0, 2};
    for (int64_t b = 0; b < n_out * k / t.block_size; ++b) {
      for (int off : f16) {
        const uint16_t h = static_cast<uint16_t>(0x2000 + rng() % 0x1000);
        std::memcpy(data + b * t.block_bytes + off, &h, 2);
      }
    }
  } else {
    std::normal_distribution<float> dist(0.2f, 1.0f);
    std::vector<float> row(static_cast<size_t>(k));
    for (int64_t r = 0; r < n_out; ++r) {
      for (float& v : row) v = dist(rng);
      t.from_float(row.data(), data + r * row_bytes, k);
    }
  }
  m.deq.resize(static_cast<size_t>(n_out * k));
  for (int64_t r = 0; r < n_out; ++r) t.to_float(data + r * row_bytes, m.deq.data() + r * k, k);
  m.view.name = "w";
  m.view.type = type;
  m.view.ne = {k, n_out, 1, 1};
  m.view.n_dims = 2;
  m.view.data = data;
  m.view.n_bytes = n_out * row_bytes;
  return m;
}

std::vector<float> RandomActivations(int64_t n, std::mt19937& rng) {
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> x(static_cast<size_t>(n));
  for (float& v : x) v = dist(rng);
  return x;
}

// The reference: x quantized by the traits' quantizer, dotted by the traits' vec_dot.
void ExpectMatchesReference(const Matrix& w, const std::vector<float>& x, int64_t n_tok,
                            const std::vector<float>& y, const std::string& what) {
  const DTypeTraits& wt = Traits(w.view.type);
  const DTypeTraits& at = Traits(wt.vec_dot_type);
  const int64_t k = w.view.ne[0], n_out = w.view.ne[1];
  std::vector<uint8_t> xa(static_cast<size_t>(RowBytes(at.type, k)));
  std::vector<float> xd(static_cast<size_t>(k));
  for (int64_t t = 0; t < n_tok; ++t) {
    at.from_float(x.data() + t * k, xa.data(), k);
    at.to_float(xa.data(), xd.data(), k);
    for (int64_t r = 0; r < n_out; ++r) {
      const float want = wt.vec_dot(k, w.view.row(r), xa.data());
      double magnitude = 0;  // Σ|w·x|: float rounding scales with it, not with the sum
      for (int64_t i = 0; i < k; ++i) magnitude += std::fabs(double(w.deq[r * k + i]) * xd[i]);
      const float got = y[static_cast<size_t>(t * n_out + r)];
      ASSERT_NEAR(got, want, 1e-5 * magnitude + 1e-6)
          << what << " row " << r << " of " << n_out << " token " << t << " of " << n_tok;
    }
  }
}

std::vector<float> Run(MatMulKernel kernel, const Matrix& w, const std::vector<float>& x,
                       int64_t n_tok, ThreadPool& pool) {
  const int64_t k = w.view.ne[0];
  std::vector<uint8_t> scratch(static_cast<size_t>(MatMulScratchBytes(w.view.type, k, n_tok)));
  std::vector<float> y(static_cast<size_t>(n_tok * w.view.ne[1]), NAN);  // poisoned
  const MatMulOut out{&w.view, y.data()};
  MatMulUsing(kernel, std::span<const MatMulOut>(&out, 1), x.data(), n_tok, scratch.data(), pool);
  return y;
}

const char* Name(MatMulKernel kernel) {
  switch (kernel) {
    case MatMulKernel::kNative:
      return "native";
    case MatMulKernel::kLanes:
      return "lanes";
    case MatMulKernel::kAmx:
      return "amx";
    case MatMulKernel::kPanel:
      return "panel";
    default:
      return "best";
  }
}

const DType kTypes[] = {DType::kQ4_0, DType::kQ4_1, DType::kQ5_0, DType::kQ5_1, DType::kQ8_0,
                        DType::kQ2_K, DType::kQ3_K, DType::kQ4_K, DType::kQ5_K, DType::kQ6_K};

// ARM's I8MM path has the SMMLA tiles for every quantized type in the panels' place.
TEST(KernelFamilies, ArmI8mmHasPromptTilesForEveryQuantizedType) {
  if (ActiveCpuPath() < CpuPath::kI8mm) GTEST_SKIP() << "not the i8mm path or above";
  for (DType type : kTypes) EXPECT_TRUE(HasMatMulKernel(MatMulKernel::kPanel, type)) << Traits(type).name;
}

void CheckFamily(MatMulKernel kernel) {
  bool any = false;
  std::mt19937 rng(5);
  for (int threads : {1, 2}) {
    ThreadPool pool(threads);
    for (DType type : kTypes) {
      if (!HasMatMulKernel(kernel, type)) continue;
      any = true;
      const int64_t bs = Traits(type).block_size;
      const std::vector<int64_t> ks =
          bs == 32 ? std::vector<int64_t>{32, 64, 96, 128, 160, 224, 256, 288, 544, 896}
                   : std::vector<int64_t>{256, 512, 768, 1280};
      for (int64_t k : ks) {
        for (int64_t n_out : {1, 5, 16, 17, 33}) {
          for (int64_t n_tok : {1, 2, 5, 16, 17, 35}) {
            const bool bits = (k + n_out + n_tok) % 3 == 0;
            const Matrix w = MakeMatrix(type, k, n_out, (k / bs + n_out) % 5, bits, rng);
            const std::vector<float> x = RandomActivations(n_tok * k, rng);
            const std::string what = std::string(Name(kernel)) + " " + Traits(type).name +
                                     " k=" + std::to_string(k) + " threads " +
                                     std::to_string(threads) + (bits ? " random bits" : "");
            ExpectMatchesReference(w, x, n_tok, Run(kernel, w, x, n_tok, pool), what);
            if (::testing::Test::HasFatalFailure()) return;
          }
        }
      }
    }
  }
  if (!any) GTEST_SKIP() << Name(kernel) << ": no kernel of this family on this CPU";
}

TEST(KernelFamilies, NativeMatchesReference) { CheckFamily(MatMulKernel::kNative); }
TEST(KernelFamilies, LanesMatchReference) { CheckFamily(MatMulKernel::kLanes); }
TEST(KernelFamilies, AmxMatchesReference) { CheckFamily(MatMulKernel::kAmx); }
TEST(KernelFamilies, PanelsMatchReference) { CheckFamily(MatMulKernel::kPanel); }
TEST(KernelFamilies, BestMatchesReference) { CheckFamily(MatMulKernel::kBest); }

// The decode kernels (native tiles, VNNI lanes) give each token of a batch the sum decoding it
// alone gives, bit for bit: speculative decoding verifies drafts in batches and keeps a draft
// only when it is the token plain decoding would have picked.
TEST(KernelFamilies, BatchesEqualDecodingBitForBit) {
  std::mt19937 rng(17);
  ThreadPool pool(2);
  bool any = false;
  for (MatMulKernel kernel : {MatMulKernel::kNative, MatMulKernel::kLanes}) {
    for (DType type : {DType::kF32, DType::kF16, DType::kBF16, DType::kQ4_0, DType::kQ4_1,
                       DType::kQ5_0, DType::kQ5_1, DType::kQ8_0, DType::kQ2_K, DType::kQ3_K,
                       DType::kQ4_K, DType::kQ5_K, DType::kQ6_K}) {
      if (!HasMatMulKernel(kernel, type)) continue;
      any = true;
      // 576: a partial lanes group; 581: a float row's scalar tail
      const int64_t k = Traits(type).block_size == 1 ? 581 : Traits(type).block_size == 32 ? 576 : 768;
      const Matrix w = MakeMatrix(type, k, 37, 0, false, rng);
      for (int64_t n_tok : {2, 3, 4, 5, 8, 9, 17}) {
        const std::vector<float> x = RandomActivations(n_tok * k, rng);
        const std::vector<float> batch = densing::Run(kernel, w, x, n_tok, pool);
        for (int64_t t = 0; t < n_tok; ++t) {
          const std::vector<float> xt(x.begin() + t * k, x.begin() + (t + 1) * k);
          const std::vector<float> one = densing::Run(kernel, w, xt, 1, pool);
          for (int64_t r = 0; r < 37; ++r) {
            ASSERT_EQ(batch[static_cast<size_t>(t * 37 + r)], one[static_cast<size_t>(r)])
                << Name(kernel) << " " << Traits(type).name << " token " << t << " of " << n_tok
                << " row " << r;
          }
        }
      }
    }
  }
  if (!any) GTEST_SKIP() << "no native or lanes kernel on this CPU";
}

// Q, K and V (and gate and up) of mixed types through one MatMulShared equal separate MatMuls.
TEST(KernelFamilies, SharedEqualsSeparate) {
  std::mt19937 rng(11);
  ThreadPool pool(2);
  const std::vector<std::vector<DType>> sets = {
      {DType::kQ5_0, DType::kQ5_0, DType::kQ8_0},  // qwen2.5 Q4_K_M's attention
      {DType::kQ4_K, DType::kQ4_K, DType::kQ6_K},  // llama Q4_K_M's attention
      {DType::kQ4_0, DType::kF32, DType::kQ8_0},   // layouts that cannot share
      {DType::kQ4_0, DType::kQ4_0},
  };
  const int64_t k = 512;
  for (const auto& types : sets) {
    for (int64_t n_tok : {1, 3, 40}) {
      std::vector<Matrix> ws;
      for (size_t i = 0; i < types.size(); ++i) ws.push_back(MakeMatrix(types[i], k, 24 + 8 * i, 1, false, rng));
      const std::vector<float> x = RandomActivations(n_tok * k, rng);
      int64_t scratch_bytes = 0;
      for (const Matrix& w : ws) scratch_bytes = std::max(scratch_bytes, MatMulScratchBytes(w.view.type, k, n_tok));
      std::vector<uint8_t> scratch(static_cast<size_t>(scratch_bytes));
      std::vector<std::vector<float>> shared(ws.size()), separate(ws.size());
      std::vector<MatMulOut> outs;
      for (size_t i = 0; i < ws.size(); ++i) {
        shared[i].assign(static_cast<size_t>(n_tok * ws[i].view.ne[1]), NAN);
        separate[i].assign(shared[i].size(), NAN);
        outs.push_back({&ws[i].view, shared[i].data()});
      }
      MatMulShared(outs, x.data(), n_tok, scratch.data(), pool);
      for (size_t i = 0; i < ws.size(); ++i) {
        MatMul(ws[i].view, x.data(), n_tok, separate[i].data(), scratch.data(), pool);
        for (size_t j = 0; j < shared[i].size(); ++j) {
          ASSERT_EQ(shared[i][j], separate[i][j]) << Traits(types[i]).name << " n_tok " << n_tok;
        }
      }
    }
  }
}

}  // namespace
}  // namespace densing
