// Llama 3.1's rotary frequency divisors (rope_freqs.weight) over a 586-token prompt, against the
// reference engine's logits (tests/model/fixtures): the F32 bounds of the shared fixtures' README.
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

TEST(RopeScaling, LongPromptWithFrequencyDivisorsMatchesReference) {
  const nlohmann::json ref = nlohmann::json::parse(testing::ReadFile(kFixtures + "/tiny-llama3-rope.p-long.json"));
  auto model = Model::Load(kFixtures + "/tiny-llama3-rope.gguf");
  ASSERT_NE(model->weights().rope_freqs.data, nullptr);
  const std::vector<int32_t> tokens = ref["tokens"];
  ASSERT_GT(tokens.size(), 500u);
  ThreadPool pool(2);
  Session session(*model, pool, static_cast<int64_t>(tokens.size()), 128);
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
    EXPECT_LE(e, 1e-2) << "position " << p;
    const auto& top = rp["top"];
    if (top[0][1].get<double>() - top[1][1].get<double>() > 0.1 * sd) {
      ++argmax_checked;
      argmax_same += std::max_element(ours.begin(), ours.end()) - ours.begin() == rp["argmax"].get<int64_t>();
    }
  }
  EXPECT_LE(argmax_checked - argmax_same, std::max<size_t>(1, argmax_checked / 20));
  RecordProperty("worst_error", std::to_string(worst));
}

}  // namespace
}  // namespace densing
