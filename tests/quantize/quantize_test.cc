// densing's quantizer against the reference quantizer's files: every NAME-TYPE.gguf in
// ../shared/models whose NAME.gguf is there is reproduced byte for byte from it. Types without a
// reference file are held to error bounds and must still load and run.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "base/error.h"
#include "model/model.h"
#include "quantize/quantize_file.h"
#include "runtime/session.h"
#include "testing/shared_dir.h"

namespace densing {
namespace {

namespace fs = std::filesystem;

TEST(Quantize, ReproducesEveryReferenceFileByteForByte) {
  DENSING_REQUIRE_SHARED();
  const fs::path models = fs::path(testing::SharedDir()) / "models";
  ThreadPool pool(2);
  int compared = 0;
  for (const auto& e : fs::directory_iterator(models)) {
    const std::string stem = e.path().stem().string();
    const size_t dash = stem.rfind('-');
    if (dash == std::string::npos) continue;
    const fs::path source = models / (stem.substr(0, dash) + ".gguf");
    if (!fs::exists(source)) continue;
    const QuantTarget target = ParseQuantTarget(stem.substr(dash + 1));
    auto in = gguf::File::Open(source.string());
    const std::string out = testing::TempPath("quantized.gguf");
    QuantizeFile(*in, out, target, PlanTypes(*in, target, {}), pool);
    EXPECT_EQ(testing::ReadFile(out), testing::ReadFile(e.path().string())) << stem;
    ++compared;
  }
  EXPECT_GE(compared, 12);  // Q8_0, Q4_0, Q4_K_M, Q6_K, F16, BF16 files among them
}

double RelativeRms(const TensorView& a, const TensorView& b) {
  std::vector<float> x(static_cast<size_t>(a.ne[0])), y(x.size());
  double err = 0, ref = 0;
  for (int64_t r = 0; r < a.n_rows(); ++r) {
    DequantizeRow(a, r, x.data());
    DequantizeRow(b, r, y.data());
    for (size_t i = 0; i < x.size(); ++i) {
      err += (double(x[i]) - y[i]) * (double(x[i]) - y[i]);
      ref += double(x[i]) * x[i];
    }
  }
  return std::sqrt(err / ref);
}

// Types no shared file uses: their error sits where their bits say, and the model still runs.
TEST(Quantize, EveryTypeStaysWithinItsErrorAndRuns) {
  DENSING_REQUIRE_SHARED();
  const std::string source = testing::SharedDir() + "/models/tiny-llama-gqa.gguf";
  auto in = gguf::File::Open(source);
  auto base = Model::Load(source);
  ThreadPool pool(2);
  const std::vector<int32_t> prompt = {1, 317, 400, 428, 286};
  Session s0(*base, pool, 8);
  const std::span<const float> l0 = s0.Eval(prompt);
  const std::vector<float> ref(l0.begin(), l0.end());
  const struct {
    const char* type;
    double max_rms;
  } kCases[] = {{"Q2_K", 0.45}, {"Q3_K", 0.25}, {"Q3_K_M", 0.25}, {"Q4_0", 0.15}, {"Q4_1", 0.12},
                {"Q4_K_S", 0.12}, {"Q5_0", 0.07}, {"Q5_1", 0.06}, {"Q5_K", 0.06}, {"Q5_K_M", 0.06},
                {"Q6_K", 0.03}, {"Q8_0", 0.01}};
  for (const auto& c : kCases) {
    const QuantTarget target = ParseQuantTarget(c.type);
    const std::string out = testing::TempPath("q.gguf");
    QuantizeFile(*in, out, target, PlanTypes(*in, target, {}), pool);
    auto q = Model::Load(out);
    const TensorView a = in->Tensor("blk.0.ffn_up.weight");
    const TensorView b = q->file().Tensor("blk.0.ffn_up.weight");
    EXPECT_EQ(b.type, target.base) << c.type;
    EXPECT_LT(RelativeRms(a, b), c.max_rms) << c.type;
    Session s(*q, pool, 8);
    const std::span<const float> l = s.Eval(prompt);
    double diff = 0, norm = 0;
    for (size_t i = 0; i < ref.size(); ++i) {
      diff += (l[i] - ref[i]) * (l[i] - ref[i]);
      norm += ref[i] * ref[i];
    }
    EXPECT_LT(std::sqrt(diff / norm), 2 * c.max_rms + 0.05) << c.type;
  }
}

TEST(Quantize, PlanFollowsTheMixesAndOverrides) {
  DENSING_REQUIRE_SHARED();
  auto in = gguf::File::Open(testing::SharedDir() + "/models/tiny-qwen2.gguf");  // tied output
  const std::vector<DType> t = PlanTypes(*in, ParseQuantTarget("q4_k_m"), {ParseTypeOverride("ffn_gate=Q8_0")});
  for (size_t i = 0; i < t.size(); ++i) {
    const std::string& name = in->tensors()[i].name;
    if (name == "token_embd.weight") {
      EXPECT_EQ(t[i], DType::kQ6_K);  // it is the output head too
    } else if (name.find("norm") != std::string::npos) {
      EXPECT_EQ(t[i], DType::kF32);
    } else if (name.find("ffn_gate") != std::string::npos) {
      EXPECT_EQ(t[i], DType::kQ8_0) << name;
    }
  }
  EXPECT_THROW(ParseQuantTarget("Q7_K"), Error);
  EXPECT_THROW(ParseTypeOverride("no-equals"), Error);
  EXPECT_THROW(ParseTypeOverride("(=Q4_0"), Error);
  EXPECT_THROW(ParseTypeOverride("x=Q8_K"), Error);
}

}  // namespace
}  // namespace densing
