// Log-probabilities: log-softmax values and the top tokens, best first, ties to the lower id.
#include "server/logprobs.h"

#include <gtest/gtest.h>

#include <cmath>

namespace densing::server {
namespace {

TEST(Logprobs, LogSoftmaxAndTop) {
  const std::vector<float> logits = {1.0f, 3.0f, 2.0f, 3.0f, -50.0f};
  double z = 0;
  for (float l : logits) z += std::exp(l);
  const TokenLogprob lp = ComputeLogprob(logits, 2, 3);
  EXPECT_EQ(lp.id, 2);
  EXPECT_NEAR(lp.logprob, 2.0 - std::log(z), 1e-6);
  ASSERT_EQ(lp.top.size(), 3u);
  EXPECT_EQ(lp.top[0].first, 1);
  EXPECT_EQ(lp.top[1].first, 3);
  EXPECT_EQ(lp.top[2].first, 2);
  EXPECT_NEAR(lp.top[0].second, 3.0 - std::log(z), 1e-6);
  EXPECT_TRUE(ComputeLogprob(logits, 4, 0).top.empty());
  EXPECT_EQ(ComputeLogprob(logits, 0, 20).top.size(), logits.size());
}

}  // namespace
}  // namespace densing::server
