// Rotary scaling against the reference engine's logits (tests/model/fixtures) with the F32 bounds
// of the shared fixtures' README: Llama 3.1's frequency divisors (rope_freqs.weight) over a
// 586-token prompt, and LongRoPE's long and short divisors with its attention factor.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "model/model.h"
#include "runtime/session.h"
#include "testing/shared_dir.h"

namespace densing {
namespace {

const std::string kFixtures = DENSING_MODEL_FIXTURES;

// Logits over a whole fixture prompt, in a context of the size the reference used, held to the
// F32 bound of the shared fixtures (e ≤ 1e-2 on the top ids) and to its argmax where clear.
void ExpectMatchesReference(const std::string& model_file, const std::string& fixture) {
  const nlohmann::json ref = nlohmann::json::parse(testing::ReadFile(kFixtures + "/" + fixture));
  auto model = Model::Load(kFixtures + "/" + model_file);
  const std::vector<int32_t> tokens = ref["tokens"];
  ThreadPool pool(2);
  Session session(*model, pool, ref["n_ctx"].get<int64_t>(), 128);
  const std::span<const float> logits = session.EvalAll(tokens);
  const size_t n_vocab = static_cast<size_t>(session.n_vocab());
  double worst = 0;
  size_t argmax_checked = 0, argmax_same = 0;
  for (const auto& rp : ref["positions"]) {
    const size_t p = rp["pos"].get<size_t>();
    const std::span<const float> ours = logits.subspan(p * n_vocab, n_vocab);
    const double sd = rp["sd"].get<double>();
    double e = 0;
    for (const auto& pair : rp["top"]) {
      e = std::max(e, std::abs(pair[1].get<double>() - ours[pair[0].get<size_t>()]) / sd);
    }
    worst = std::max(worst, e);
    EXPECT_LE(e, 1e-2) << fixture << " position " << p;
    const auto& top = rp["top"];
    if (top[0][1].get<double>() - top[1][1].get<double>() > 0.1 * sd) {
      ++argmax_checked;
      argmax_same += std::max_element(ours.begin(), ours.end()) - ours.begin() == rp["argmax"].get<int64_t>();
    }
  }
  EXPECT_LE(argmax_checked - argmax_same, std::max<size_t>(1, argmax_checked / 20));
  ::testing::Test::RecordProperty("worst_error", std::to_string(worst));
}

TEST(RopeScaling, LongPromptWithFrequencyDivisorsMatchesReference) {
  auto model = Model::Load(kFixtures + "/tiny-llama3-rope.gguf");
  ASSERT_NE(model->weights().rope_freqs.data, nullptr);
  ExpectMatchesReference("tiny-llama3-rope.gguf", "tiny-llama3-rope.p-long.json");
}

// Phi-3.5 / Phi-4-mini's LongRoPE: the long divisors in a context past the original one (here
// 256), the short ones within it, and the attention factor on every rotation in both.
TEST(RopeScaling, LongRopeMatchesReferenceInLongAndShortContexts) {
  auto model = Model::Load(kFixtures + "/tiny-phi3-longrope.gguf");
  ASSERT_NE(model->weights().rope_factors_long.data, nullptr);
  ASSERT_EQ(model->config().n_ctx_orig, 256);
  ExpectMatchesReference("tiny-phi3-longrope.gguf", "tiny-phi3-longrope.p-long.json");
  ExpectMatchesReference("tiny-phi3-longrope.gguf", "tiny-phi3-longrope.p-short.json");
}

}  // namespace
}  // namespace densing
