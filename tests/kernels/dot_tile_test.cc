// The SIMD tiles against the scalar reference tile, for every weight type, on every Highway
// target this CPU supports, over row lengths, token counts and misaligned buffers.
#include <gtest/gtest.h>

#define HWY_WANT_AVX3_DL
#include <hwy/targets.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "kernels/cpu_path.h"
#include "kernels/dot_tile.h"
#include "tensor/dtype.h"

namespace densing {
namespace {

const DType kTypes[] = {DType::kF32,  DType::kF16,  DType::kBF16, DType::kQ8_0, DType::kQ4_0,
                        DType::kQ4_1, DType::kQ5_0, DType::kQ5_1, DType::kQ2_K, DType::kQ3_K,
                        DType::kQ4_K, DType::kQ5_K, DType::kQ6_K};

// Runs `fn` once per Highway target the CPU supports, with dispatch forced to it.
template <typename Fn>
void ForEachTarget(Fn fn) {
  for (int64_t target : hwy::SupportedAndGeneratedTargets()) {
    hwy::SetSupportedTargetsForTest(target);
    hwy::GetChosenTarget().Update(hwy::SupportedTargets());
    SCOPED_TRACE(hwy::TargetName(target));
    fn(target);
  }
  hwy::SetSupportedTargetsForTest(0);
  hwy::GetChosenTarget().Update(hwy::SupportedTargets());
}

// Quantized rows stored at `offset` bytes past an aligned start, to exercise unaligned loads.
struct Rows {
  std::vector<uint8_t> bytes;
  int64_t offset = 0;
  int64_t row_bytes = 0;
  std::vector<float> deq;  // the rows dequantized
  const uint8_t* data() const { return bytes.data() + offset; }
};

Rows MakeRows(DType type, int64_t n_rows, int64_t k, int64_t offset, std::mt19937& rng) {
  const DTypeTraits& t = Traits(type);
  std::normal_distribution<float> dist(0.2f, 1.0f);  // a nonzero mean exercises the min terms
  Rows r;
  r.offset = offset;
  r.row_bytes = RowBytes(type, k);
  r.bytes.resize(static_cast<size_t>(offset + n_rows * r.row_bytes));
  r.deq.resize(static_cast<size_t>(n_rows * k));
  std::vector<float> x(static_cast<size_t>(k));
  for (int64_t i = 0; i < n_rows; ++i) {
    for (float& v : x) v = dist(rng);
    uint8_t* row = r.bytes.data() + offset + i * r.row_bytes;
    t.from_float(x.data(), row, k);
    t.to_float(row, r.deq.data() + i * k, k);
  }
  return r;
}

void CompareTiles(DType type, int64_t k, int64_t n_out, int64_t n_tok, int64_t w_off, int64_t x_off,
                  std::mt19937& rng) {
  const DTypeTraits& wt = Traits(type);
  const Rows w = MakeRows(type, n_out, k, w_off, rng);
  const Rows x = MakeRows(wt.vec_dot_type, n_tok, k, x_off, rng);
  MatTile m;
  m.w_type = type;
  m.w = w.data();
  m.w_row_bytes = w.row_bytes;
  m.x = x.data();
  m.x_row_bytes = x.row_bytes;
  m.k = k;
  m.y_stride = n_out;
  std::vector<float> ref(static_cast<size_t>(n_out * n_tok), NAN), fast = ref;
  m.y = ref.data();
  ReferenceMatTile(m, 0, n_out, 0, n_tok);
  m.y = fast.data();
  FindMatTile(type)(m, 0, n_out, 0, n_tok);
  for (int64_t t = 0; t < n_tok; ++t) {
    for (int64_t r = 0; r < n_out; ++r) {
      double magnitude = 0;  // Σ|w·x|: float rounding scales with it, not with the sum
      for (int64_t i = 0; i < k; ++i)
        magnitude += std::fabs(double(w.deq[r * k + i]) * x.deq[t * k + i]);
      const size_t at = static_cast<size_t>(t * n_out + r);
      ASSERT_NEAR(fast[at], ref[at], 1e-5 * magnitude + 1e-30)
          << wt.name << " k=" << k << " row " << r << " token " << t << " of " << n_tok
          << " offsets " << w_off << "/" << x_off;
    }
  }
}

TEST(DotTile, SimdMatchesReferenceOnEveryTarget) {
  std::mt19937 rng(42);
  ForEachTarget([&](int64_t) {
    for (DType type : kTypes) {
      const int64_t bs = Traits(type).block_size;
      const std::vector<int64_t> ks =
          bs == 1 ? std::vector<int64_t>{1, 3, 8, 15, 16, 17, 63, 64, 65, 100, 259, 1027}
                  : std::vector<int64_t>{bs, 2 * bs, 3 * bs, 7 * bs, 16 * bs};
      for (int64_t k : ks) {
        for (int64_t n_tok : {1, 2, 3, 4, 5, 7}) {
          CompareTiles(type, k, 5, n_tok, (k + n_tok) % 4, n_tok % 3, rng);
        }
      }
    }
  });
}

// Weight blocks of random bytes reach every quant value (Q8_0's -128, Q6_K's scale -128, all
// high bits set) that quantized Gaussians rarely produce; only the f16 factors are kept sane.
TEST(DotTile, RandomBitPatternsMatchReference) {
  struct Factors {
    DType type;
    std::vector<int> f16_offsets;  // within the block
  };
  const Factors kFactors[] = {
      {DType::kQ8_0, {0}},   {DType::kQ4_0, {0}},    {DType::kQ4_1, {0, 2}},
      {DType::kQ5_0, {0}},   {DType::kQ5_1, {0, 2}}, {DType::kQ2_K, {80, 82}},
      {DType::kQ3_K, {108}}, {DType::kQ4_K, {0, 2}}, {DType::kQ5_K, {0, 2}},
      {DType::kQ6_K, {208}},
  };
  std::mt19937 rng(99);
  for (const Factors& f : kFactors) {
    const DTypeTraits& wt = Traits(f.type);
    const int64_t k = 4 * wt.block_size, n_out = 6, n_tok = 3;
    Rows w;
    w.offset = 1;
    w.row_bytes = RowBytes(f.type, k);
    w.bytes.resize(static_cast<size_t>(1 + n_out * w.row_bytes));
    for (uint8_t& b : w.bytes) b = static_cast<uint8_t>(rng());
    for (int64_t b = 0; b < n_out * k / wt.block_size; ++b) {
      for (int off : f.f16_offsets) {
        const uint16_t h = static_cast<uint16_t>(0x2000 + rng() % 0x1000);  // ~0.01 .. 0.03
        std::memcpy(w.bytes.data() + 1 + b * wt.block_bytes + off, &h, 2);
      }
    }
    w.deq.resize(static_cast<size_t>(n_out * k));
    for (int64_t r = 0; r < n_out; ++r)
      wt.to_float(w.data() + r * w.row_bytes, w.deq.data() + r * k, k);
    const Rows x = MakeRows(wt.vec_dot_type, n_tok, k, 2, rng);
    MatTile m{f.type, w.data(), w.row_bytes, x.data(), x.row_bytes, k, nullptr, n_out};
    std::vector<float> ref(static_cast<size_t>(n_out * n_tok)), fast = ref;
    m.y = ref.data();
    ReferenceMatTile(m, 0, n_out, 0, n_tok);
    ForEachTarget([&](int64_t) {
      m.y = fast.data();
      FindMatTile(f.type)(m, 0, n_out, 0, n_tok);
      for (int64_t t = 0; t < n_tok; ++t) {
        for (int64_t r = 0; r < n_out; ++r) {
          double magnitude = 0;
          for (int64_t i = 0; i < k; ++i) {
            magnitude += std::fabs(double(w.deq[r * k + i]) * x.deq[t * k + i]);
          }
          const size_t at = static_cast<size_t>(t * n_out + r);
          EXPECT_NEAR(fast[at], ref[at], 1e-5 * magnitude)
              << wt.name << " row " << r << " token " << t;
        }
      }
    });
  }
}

TEST(DotTile, SubTilesWriteOnlyTheirOutputs) {
  std::mt19937 rng(7);
  for (DType type : kTypes) {
    const int64_t k = 2 * Traits(type).block_size * (Traits(type).block_size == 1 ? 64 : 1);
    const Rows w = MakeRows(type, 9, k, 1, rng);
    const Rows x = MakeRows(Traits(type).vec_dot_type, 6, k, 3, rng);
    MatTile m{type, w.data(), w.row_bytes, x.data(), x.row_bytes, k, nullptr, 9};
    std::vector<float> y(54, -1234.0f);
    m.y = y.data();
    FindMatTile(type)(m, 2, 7, 1, 4);
    for (int64_t t = 0; t < 6; ++t) {
      for (int64_t r = 0; r < 9; ++r) {
        const bool inside = r >= 2 && r < 7 && t >= 1 && t < 4;
        EXPECT_EQ(y[t * 9 + r] == -1234.0f, !inside) << Traits(type).name << " " << r << " " << t;
      }
    }
  }
}

// Every type has a SIMD tile from AVX2 on (x86) and from the dot-product path on (ARM), so the
// tests above compare those tiles, not the reference with itself.
TEST(DotTile, EveryTypeHasSimdTiles) {
  const CpuPath path = ActiveCpuPath();
  const bool x86 = path >= CpuPath::kAvx2 && path <= CpuPath::kAmx;
  const bool arm = path >= CpuPath::kDotprod && path <= CpuPath::kSve;
  if (!x86 && !arm) {
    GTEST_SKIP() << "no SIMD quantized kernels on the " << CpuPathName(path) << " path";
  }
  for (DType type : kTypes) EXPECT_NE(FindSimdMatTile(type), nullptr) << Traits(type).name;
}

}  // namespace
}  // namespace densing
