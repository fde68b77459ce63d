// MatMul against a plain loop over the traits' scalar vec_dot: every output written once, for
// decode (one token) and prompt batches, on one, two and three threads.
#include "kernels/matmul.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "base/error.h"

namespace densing {
namespace {

struct Case {
  DType type;
  int64_t k;
  int64_t n_out;
};

std::vector<float> Expected(const TensorView& w, const std::vector<float>& x, int64_t n_tok) {
  const DTypeTraits& wt = Traits(w.type);
  const DTypeTraits& at = Traits(wt.vec_dot_type);
  const int64_t k = w.ne[0];
  std::vector<uint8_t> xa(static_cast<size_t>(RowBytes(at.type, k)));
  std::vector<float> y(static_cast<size_t>(n_tok * w.ne[1]));
  for (int64_t t = 0; t < n_tok; ++t) {
    at.from_float(x.data() + t * k, xa.data(), k);
    for (int64_t r = 0; r < w.ne[1]; ++r) y[t * w.ne[1] + r] = wt.vec_dot(k, w.row(r), xa.data());
  }
  return y;
}

TEST(MatMul, MatchesScalarReference) {
  const Case cases[] = {{DType::kF32, 67, 13},   {DType::kF16, 256, 40},  {DType::kBF16, 96, 9},
                        {DType::kQ8_0, 512, 70}, {DType::kQ4_0, 256, 33}, {DType::kQ4_1, 128, 5},
                        {DType::kQ5_0, 96, 17},  {DType::kQ5_1, 64, 8},   {DType::kQ4_K, 512, 37},
                        {DType::kQ6_K, 256, 64}, {DType::kQ2_K, 256, 3},  {DType::kQ3_K, 768, 11},
                        {DType::kQ5_K, 256, 130}};
  std::mt19937 rng(1);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  for (int n_threads : {1, 2, 3}) {
    ThreadPool pool(n_threads);
    for (const Case& c : cases) {
      std::vector<float> wf(static_cast<size_t>(c.k * c.n_out));
      for (float& v : wf) v = dist(rng);
      std::vector<uint8_t> wq(static_cast<size_t>(RowBytes(c.type, c.k) * c.n_out));
      for (int64_t r = 0; r < c.n_out; ++r) {
        Traits(c.type).from_float(wf.data() + r * c.k, wq.data() + r * RowBytes(c.type, c.k), c.k);
      }
      TensorView w;
      w.name = "w";
      w.type = c.type;
      w.ne = {c.k, c.n_out, 1, 1};
      w.n_dims = 2;
      w.data = wq.data();
      w.n_bytes = static_cast<int64_t>(wq.size());
      for (int64_t n_tok : {1, 2, 5, 37, 70}) {
        std::vector<float> x(static_cast<size_t>(n_tok * c.k));
        for (float& v : x) v = dist(rng);
        std::vector<uint8_t> scratch(static_cast<size_t>(MatMulScratchBytes(c.type, c.k, n_tok)));
        std::vector<float> y(static_cast<size_t>(n_tok * c.n_out), NAN);
        MatMul(w, x.data(), n_tok, y.data(), scratch.data(), pool);
        const std::vector<float> want = Expected(w, x, n_tok);
        for (size_t i = 0; i < y.size(); ++i) {
          ASSERT_NEAR(y[i], want[i], 1e-4f * (1.0f + std::fabs(want[i])))
              << Traits(c.type).name << " n_tok " << n_tok << " threads " << n_threads << " at "
              << i;
        }
      }
    }
  }
}

TEST(MatMul, RejectsAStackOfMatrices) {
  ThreadPool pool(1);
  TensorView w;
  w.name = "blk.0.ffn_up_exps.weight";
  w.type = DType::kF32;
  w.ne = {4, 4, 2, 1};
  std::vector<float> data(32, 1.0f), x(4, 1.0f), y(4);
  w.data = reinterpret_cast<const uint8_t*>(data.data());
  EXPECT_THROW(MatMul(w, x.data(), 1, y.data(), nullptr, pool), Error);
}

}  // namespace
}  // namespace densing
