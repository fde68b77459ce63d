// The sampler chain: greedy, each filter's cut, penalties, seeded reproducibility.
#include "sampling/sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "base/error.h"

namespace densing {
namespace {

SamplerParams Plain() {
  SamplerParams p;
  p.top_k = 0;
  p.top_p = 1.0f;
  p.min_p = 0.0f;
  p.temperature = 1.0f;
  return p;
}

TEST(Sampler, GreedyPicksTheLargestLogit) {
  SamplerParams p;
  p.temperature = 0;
  Sampler s(p);
  const std::vector<float> logits = {0.1f, 3.0f, -1.0f, 2.9f};
  EXPECT_EQ(s.Sample(logits, {}), 1);
  EXPECT_EQ(Greedy(logits), 1);
}

TEST(Sampler, SameSeedSameTokens) {
  SamplerParams p = Plain();
  p.seed = 42;
  Sampler a(p), b(p);
  const std::vector<float> logits = {1, 1.2f, 0.8f, 1.1f, 0.9f};
  for (int i = 0; i < 50; ++i) EXPECT_EQ(a.Sample(logits, {}), b.Sample(logits, {}));
}

TEST(Sampler, FrequenciesFollowTheSoftmax) {
  SamplerParams p = Plain();
  p.seed = 7;
  Sampler s(p);
  const std::vector<float> logits = {0.0f, std::log(3.0f)};  // p = 1/4, 3/4
  int ones = 0;
  for (int i = 0; i < 4000; ++i) ones += s.Sample(logits, {}) == 1;
  EXPECT_NEAR(ones / 4000.0, 0.75, 0.03);
}

// No top-k, top-p or min-p: the candidates are not sorted, only the best moved to the front;
// every token still comes with its softmax probability.
TEST(Sampler, UnsortedCandidatesStillFollowTheSoftmax) {
  SamplerParams p = Plain();
  p.seed = 11;
  Sampler s(p);
  const std::vector<float> logits = {std::log(1.0f), std::log(2.0f), std::log(4.0f), std::log(1.0f),
                                     std::log(2.0f)};  // p = 0.1, 0.2, 0.4, 0.1, 0.2
  std::vector<int> counts(logits.size());
  constexpr int kDraws = 20000;
  for (int i = 0; i < kDraws; ++i) ++counts[static_cast<size_t>(s.Sample(logits, {}))];
  const double want[] = {0.1, 0.2, 0.4, 0.1, 0.2};
  for (size_t i = 0; i < logits.size(); ++i) EXPECT_NEAR(counts[i] / double{kDraws}, want[i], 0.015) << i;
}

TEST(Sampler, TopKKeepsOnlyKCandidates) {
  SamplerParams p = Plain();
  p.top_k = 2;
  Sampler s(p);
  const std::vector<float> logits = {5, 4, 3.9f, -2};
  for (int i = 0; i < 200; ++i) EXPECT_LT(s.Sample(logits, {}), 2);
  EXPECT_EQ(s.candidates().size(), 2u);
}

TEST(Sampler, TopPCutsTheTail) {
  SamplerParams p = Plain();
  p.top_p = 0.5f;
  Sampler s(p);
  const std::vector<float> logits = {std::log(0.6f), std::log(0.3f), std::log(0.1f)};
  for (int i = 0; i < 100; ++i) EXPECT_EQ(s.Sample(logits, {}), 0);
}

TEST(Sampler, MinPCutsRelativeToTheBest) {
  SamplerParams p = Plain();
  p.min_p = 0.4f;
  Sampler s(p);
  // p = 0.5, 0.3, 0.2: 0.2 < 0.4 · 0.5 is cut, 0.3 is kept
  const std::vector<float> logits = {std::log(0.5f), std::log(0.3f), std::log(0.2f)};
  s.Sample(logits, {});
  EXPECT_EQ(s.candidates().size(), 2u);
}

TEST(Sampler, RepeatPenaltyDividesPositiveAndMultipliesNegativeLogits) {
  SamplerParams p;
  p.temperature = 0;
  p.repeat_penalty = 2.0f;
  Sampler s(p);
  // token 0 (logit 3) was just said: 3/2 = 1.5 < 2 makes token 1 the greedy choice
  const std::vector<float> logits = {3.0f, 2.0f, -1.0f};
  const std::vector<int32_t> history = {0};
  EXPECT_EQ(s.Sample(logits, history), 1);
  p.repeat_penalty = 1.0f;
  Sampler plain(p);
  EXPECT_EQ(plain.Sample(logits, history), 0);

  // Negative logits: token 0 (-1) was said; -1 · 2 = -2 < -1.5 makes token 1 the greedy choice.
  // Dividing it instead (-0.5) would keep token 0 on top.
  p.repeat_penalty = 2.0f;
  Sampler negative(p);
  const std::vector<float> all_negative = {-1.0f, -1.5f, -4.0f};
  EXPECT_EQ(negative.Sample(all_negative, history), 1);
  EXPECT_EQ(plain.Sample(all_negative, history), 0);
}

// Each candidate's logit after the penalties, by id (temperature 1 and no cuts leave them as
// the penalties made them).
std::map<int32_t, float> PenalizedLogits(const SamplerParams& p, const std::vector<float>& logits,
                                         const std::vector<int32_t>& history) {
  Sampler s(p);
  s.Sample(logits, history);
  std::map<int32_t, float> out;
  for (const Sampler::Candidate& c : s.candidates()) out[c.id] = c.logit;
  return out;
}

// llama.cpp's formula on a five-token vocabulary, computed by hand:
//   l' = (l <= 0 ? l · repeat : l / repeat) - count · frequency - (count > 0) · presence
// over the last repeat_last_n tokens of the history.
TEST(Sampler, PenaltiesFollowTheirFormulaExactly) {
  SamplerParams p = Plain();
  const std::vector<float> logits = {2.0f, -1.0f, 0.5f, 3.0f, -2.0f};
  // oldest first; the last four are 3 1 1 0
  const std::vector<int32_t> history = {4, 4, 3, 1, 1, 0};

  p.presence_penalty = 0.5f;  // alone: each seen token loses 0.5 once
  auto got = PenalizedLogits(p, logits, history);
  EXPECT_FLOAT_EQ(got[0], 1.5f);
  EXPECT_FLOAT_EQ(got[1], -1.5f);
  EXPECT_FLOAT_EQ(got[2], 0.5f);
  EXPECT_FLOAT_EQ(got[3], 2.5f);
  EXPECT_FLOAT_EQ(got[4], -2.5f);

  p = Plain();
  p.frequency_penalty = 0.25f;  // alone: 0.25 per occurrence
  got = PenalizedLogits(p, logits, history);
  EXPECT_FLOAT_EQ(got[0], 1.75f);   // once
  EXPECT_FLOAT_EQ(got[1], -1.5f);   // twice
  EXPECT_FLOAT_EQ(got[2], 0.5f);    // never
  EXPECT_FLOAT_EQ(got[3], 2.75f);   // once
  EXPECT_FLOAT_EQ(got[4], -2.5f);   // twice

  p = Plain();  // all three, over the last four tokens only (3 1 1 0)
  p.repeat_penalty = 2.0f;
  p.presence_penalty = 0.5f;
  p.frequency_penalty = 0.25f;
  p.repeat_last_n = 4;
  got = PenalizedLogits(p, logits, history);
  EXPECT_FLOAT_EQ(got[0], 2.0f / 2 - 0.25f - 0.5f);      // 0.25
  EXPECT_FLOAT_EQ(got[1], -1.0f * 2 - 2 * 0.25f - 0.5f);  // -3
  EXPECT_FLOAT_EQ(got[2], 0.5f);
  EXPECT_FLOAT_EQ(got[3], 3.0f / 2 - 0.25f - 0.5f);      // 0.75
  EXPECT_FLOAT_EQ(got[4], -2.0f);                         // outside the window

  p.repeat_last_n = 0;  // looks at nothing
  got = PenalizedLogits(p, logits, history);
  for (int32_t i = 0; i < 5; ++i) EXPECT_FLOAT_EQ(got[i], logits[static_cast<size_t>(i)]) << i;

  p.repeat_last_n = -1;  // the whole history: token 4 twice
  got = PenalizedLogits(p, logits, history);
  EXPECT_FLOAT_EQ(got[4], -2.0f * 2 - 2 * 0.25f - 0.5f);  // -5
}

// Temperature divides the logits before the softmax: at T = 2, p = 1/4, 3/4 becomes
// 1 : sqrt(3), i.e. 0.366 for token 0.
TEST(Sampler, TemperatureFlattensTheDistribution) {
  SamplerParams p = Plain();
  p.temperature = 2.0f;
  p.seed = 3;
  Sampler s(p);
  const std::vector<float> logits = {0.0f, std::log(3.0f)};
  int zeros = 0;
  for (int i = 0; i < 4000; ++i) zeros += s.Sample(logits, {}) == 0;
  EXPECT_NEAR(zeros / 4000.0, 1.0 / (1.0 + std::sqrt(3.0)), 0.03);
}

// OpenAI's logit_bias: added to the logit, except that -100 bans the token outright — even one
// whose logit is so far ahead that subtracting 100 would leave it the best.
TEST(Sampler, LogitBiasAddsAndMinusHundredBans) {
  SamplerParams p;
  p.temperature = 0;
  const std::vector<float> logits = {250.0f, 0.0f, 1.0f};
  p.logit_bias = {{0, -100.0f}};
  EXPECT_EQ(Sampler(p).Sample(logits, {}), 2);
  p.logit_bias = {{0, -99.0f}};
  EXPECT_EQ(Sampler(p).Sample(logits, {}), 0);  // 151 is still the best
  p.logit_bias = {{1, 2.5f}};
  const std::vector<float> close = {0.0f, 0.0f, 2.0f};
  EXPECT_EQ(Sampler(p).Sample(close, {}), 1);
  // At temperature 1 a banned token is never drawn, whatever the seed.
  SamplerParams q = Plain();
  q.logit_bias = {{0, -100.0f}};
  const std::vector<float> likely = {5.0f, 0.0f, 0.0f};
  for (uint64_t seed = 0; seed < 200; ++seed) {
    q.seed = seed;
    EXPECT_NE(Sampler(q).Sample(likely, {}), 0) << seed;
  }
}

TEST(Sampler, RejectsBadParameters) {
  SamplerParams p;
  p.top_p = 0;
  EXPECT_THROW(Sampler{p}, Error);
  p = SamplerParams();
  p.temperature = -1;
  EXPECT_THROW(Sampler{p}, Error);
  p = SamplerParams();
  p.repeat_penalty = 0;
  EXPECT_THROW(Sampler{p}, Error);
}

}  // namespace
}  // namespace densing
