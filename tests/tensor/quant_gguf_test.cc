// Against real files: the reference engine quantized ../shared/models/tiny-*.gguf into -Q8_0,
// -Q4_0, -Q4_K_M and -Q6_K variants. Quantizing the source tensors with our from_float must give
// the same bytes, k-quants included (their search is followed step for step); dequantizing the
// reference's tensors must land close to the source.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "gguf/gguf_file.h"
#include "tensor/dtype.h"
#include "testing/shared_dir.h"

namespace densing {
namespace {

struct Pair {
  const char* source;
  const char* quantized;
};
const Pair kPairs[] = {
    {"tiny-llama-gqa", "tiny-llama-gqa-Q8_0"},
    {"tiny-llama-gqa", "tiny-llama-gqa-Q4_0"},
    {"tiny-llama-gqa", "tiny-llama-gqa-Q4_K_M"},
    {"tiny-llama-gqa", "tiny-llama-gqa-Q6_K"},
    {"tiny-moe", "tiny-moe-Q4_0"},
    {"tiny-moe", "tiny-moe-Q4_K_M"},
    {"tiny-qwen2", "tiny-qwen2-Q8_0"},
    {"tiny-qwen2", "tiny-qwen2-Q4_K_M"},
    {"tiny-minicpm", "tiny-minicpm-Q8_0"},
    {"tiny-gemma2", "tiny-gemma2-Q8_0"},
    {"tiny-phi3", "tiny-phi3-Q4_K_M"},
    {"tiny-qwen2moe", "tiny-qwen2moe-Q4_K_M"},
};

std::string ModelPath(const char* name) {
  return testing::SharedDir() + "/models/" + name + ".gguf";
}

std::vector<float> ToFloat(const TensorView& t) {
  std::vector<float> out(static_cast<size_t>(t.n_elements()));
  for (int64_t r = 0; r < t.n_rows(); ++r) DequantizeRow(t, r, out.data() + r * t.ne[0]);
  return out;
}

double SquaredError(const std::vector<float>& a, const std::vector<float>& b) {
  double e = 0;
  for (size_t i = 0; i < a.size(); ++i) e += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
  return e;
}

double SquaredNorm(const std::vector<float>& a) {
  double e = 0;
  for (float v : a) e += double(v) * v;
  return e;
}

// Relative RMS error bound of the reference engine's tensors against their source.
double DequantBound(DType t) {
  switch (t) {
    case DType::kQ8_0:
      return 0.01;
    case DType::kQ6_K:
      return 0.03;
    case DType::kQ5_K:
    case DType::kQ5_0:
    case DType::kQ5_1:
      return 0.06;
    default:
      return 0.12;
  }
}

TEST(QuantGguf, MatchesReferenceQuantizer) {
  DENSING_REQUIRE_SHARED();
  std::map<std::string, int> n_checked;  // tensors compared, by type
  for (const Pair& p : kPairs) {
    auto src = gguf::File::Open(ModelPath(p.source));
    auto q = gguf::File::Open(ModelPath(p.quantized));
    for (const gguf::TensorInfo& info : q->tensors()) {
      const TensorView qt = q->View(info);
      const DTypeTraits& t = Traits(qt.type);
      if (t.block_size == 1) continue;  // norms and other tensors kept in float
      const TensorView st = src->Tensor(info.name);
      ASSERT_EQ(st.ne, qt.ne) << p.quantized << " " << info.name;
      const std::vector<float> x = ToFloat(st);

      std::vector<uint8_t> ours(static_cast<size_t>(qt.n_bytes));
      for (int64_t r = 0; r < qt.n_rows(); ++r) {
        t.from_float(x.data() + r * qt.ne[0], ours.data() + r * qt.row_bytes(), qt.ne[0]);
      }
      const std::string what = std::string(p.quantized) + " " + info.name + " " + t.name;
      const bool same = std::memcmp(ours.data(), qt.data, ours.size()) == 0;
      EXPECT_TRUE(same) << what << ": our quantizer's bytes differ from the reference's";

      const std::vector<float> ref_deq = ToFloat(qt);
      std::vector<float> our_deq(x.size());
      t.to_float(ours.data(), our_deq.data(), static_cast<int64_t>(x.size()));
      const double norm = SquaredNorm(x);
      const double ref_rel = std::sqrt(SquaredError(x, ref_deq) / norm);
      const double our_rel = std::sqrt(SquaredError(x, our_deq) / norm);
      EXPECT_LT(ref_rel, DequantBound(qt.type)) << what;
      EXPECT_LE(our_rel, 1.02 * ref_rel) << what;  // the bar if bytes ever differ
      ++n_checked[t.name];
    }
  }
  for (const char* name : {"Q8_0", "Q4_0", "Q4_K", "Q6_K"}) {
    EXPECT_GE(n_checked[name], 10) << name;
  }
}

}  // namespace
}  // namespace densing
