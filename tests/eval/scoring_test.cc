// The scoring rules on hand-made log-probabilities.
#include <gtest/gtest.h>

#include <cmath>

#include "base/error.h"
#include "eval/mean_stat.h"
#include "eval/multiple_choice.h"
#include "eval/scoring.h"

namespace densing::eval {
namespace {

TEST(Scoring, AccPicksTheLargestSumAndAccNormTheLargestPerCharacter) {
  // Choice 1 has the largest sum; choice 2 the largest per character (−6 / 30 = −0.2).
  const std::vector<ChoiceScore> c = {{-5.0, 2, 5}, {-4.0, 3, 4}, {-6.0, 9, 30}, {-9.0, 1, 10}};
  const ItemOutcome o = ScoreItem(c, 2);
  EXPECT_EQ(o.pred, 1);
  EXPECT_EQ(o.pred_norm, 2);
  EXPECT_FALSE(o.correct);
  EXPECT_TRUE(o.correct_norm);
  EXPECT_DOUBLE_EQ(o.gold_nll, 6.0);
  EXPECT_EQ(o.gold_tokens, 9);
}

TEST(Scoring, TiesGoToTheFirstChoice) {
  const std::vector<ChoiceScore> c = {{-2.0, 1, 2}, {-2.0, 1, 2}, {-3.0, 1, 3}};
  const ItemOutcome o = ScoreItem(c, 1);
  EXPECT_EQ(o.pred, 0);
  EXPECT_EQ(o.pred_norm, 0);  // −1 per character for all three
  EXPECT_FALSE(o.correct);
}

TEST(Scoring, BadGoldOrNoChoicesAreErrors) {
  const std::vector<ChoiceScore> c = {{-1, 1, 1}, {-2, 1, 1}};
  EXPECT_THROW(ScoreItem(c, 2), Error);
  EXPECT_THROW(ScoreItem(c, -1), Error);
  EXPECT_THROW(ScoreItem({}, 0), Error);
}

TEST(Scoring, CharactersAreCodePoints) {
  EXPECT_EQ(CountChars("abc"), 3);
  EXPECT_EQ(CountChars("über"), 4);   // ü is two bytes
  EXPECT_EQ(CountChars("日本"), 2);    // three bytes each
  EXPECT_EQ(CountChars(""), 0);
}

TEST(Scoring, StandardErrorIsTheSampleDeviationOverRootN) {
  RunningMean m;
  for (double x : {1.0, 0.0, 1.0, 1.0}) m.Add(x);
  // mean 0.75, sample variance 0.25, stderr sqrt(0.25 / 4) = 0.25
  EXPECT_DOUBLE_EQ(m.mean(), 0.75);
  EXPECT_NEAR(m.stderr_of_mean(), 0.25, 1e-12);
  RunningMean one;
  one.Add(3);
  EXPECT_EQ(one.stderr_of_mean(), 0.0);
}

TEST(Scoring, TallyAveragesItemsAndLossPerToken) {
  Tally t;
  t.Add(ScoreItem(std::vector<ChoiceScore>{{-1.0, 2, 3}, {-3.0, 2, 3}}, 0));  // right, nll 1, 2 tokens
  t.Add(ScoreItem(std::vector<ChoiceScore>{{-1.0, 1, 1}, {-5.0, 3, 9}}, 1));  // acc wrong, norm right
  const GroupScore g = ToGroupScore("x", t);
  EXPECT_EQ(g.n, 2);
  EXPECT_DOUBLE_EQ(g.acc, 0.5);
  EXPECT_NEAR(g.acc_stderr, 0.5, 1e-12);  // sqrt(0.5 / 2)
  EXPECT_DOUBLE_EQ(g.acc_norm, 1.0);  // −1/1 < −5/9
  EXPECT_DOUBLE_EQ(g.acc_norm_stderr, 0.0);
  EXPECT_DOUBLE_EQ(t.nll.mean(), 3.0);            // (1 + 5) / 2
  EXPECT_DOUBLE_EQ(t.loss_per_token(), 6.0 / 5);  // (1 + 5) / (2 + 3)
}

}  // namespace
}  // namespace densing::eval
