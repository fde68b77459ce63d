// A choice's score is the sum of the log-softmax values of the model's own logits over its tokens,
// whether its context came from a cache or not and however the answers were batched.
#include <gtest/gtest.h>

#include <cmath>

#include "eval/choice_scorer.h"
#include "eval/log_prob.h"
#include "runtime/session.h"
#include "testing/shared_dir.h"

namespace densing::eval {
namespace {

// Σ log-softmax(logits of the token before)[token] over the continuation, read from EvalAll.
double ReferenceScore(const Model& model, ThreadPool& pool, const PairTokens& p) {
  Session s(model, pool, 1024);
  std::vector<int32_t> all = p.context;
  all.insert(all.end(), p.continuation.begin(), p.continuation.end());
  const std::span<const float> logits = s.EvalAll(all);
  const auto n_vocab = static_cast<size_t>(s.n_vocab());
  double sum = 0;
  for (size_t i = p.context.size(); i < all.size(); ++i) {
    const std::span<const float> row = logits.subspan((i - 1) * n_vocab, n_vocab);
    sum += TokenLogProb(row, SummarizeRow(row), all[i]);
  }
  return sum;
}

class ChoiceScorerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::HaveShared()) GTEST_SKIP() << testing::SharedMissing();
    model_ = Model::Load(testing::SharedDir() + "/models/stories260K.gguf");
    tokenizer_ = Tokenizer::FromGguf(model_->file());
  }
  std::unique_ptr<Model> model_;
  std::unique_ptr<Tokenizer> tokenizer_;
  ThreadPool pool_{2};
};

TEST_F(ChoiceScorerTest, ScoresEqualTheSumOfLogSoftmaxOverTheSameTokens) {
  const std::string context = "Once upon a time, there was a little girl named Lily. She liked to";
  const std::vector<std::string> choices = {"play with her ball in the park.", "eat", "sing a song to the moon.",
                                            "go."};
  ChoiceScorer scorer(*model_, *tokenizer_, pool_, 256, 16);  // small batches split the answers
  std::vector<ChoiceScore> out;
  ASSERT_EQ(scorer.Score(context, choices, out), ScoreStatus::kOk);
  ASSERT_EQ(out.size(), choices.size());
  for (size_t i = 0; i < choices.size(); ++i) {
    const PairTokens p = EncodePair(*tokenizer_, context, " " + choices[i]);
    EXPECT_EQ(out[i].n_tokens, static_cast<int64_t>(p.continuation.size()));
    EXPECT_EQ(out[i].n_chars, static_cast<int64_t>(choices[i].size()));
    EXPECT_NEAR(out[i].log_prob, ReferenceScore(*model_, pool_, p), 2e-4) << choices[i];
    EXPECT_LT(out[i].log_prob, 0);
  }
  // The same context again comes from the cache: one token evaluated, the same scores.
  const int64_t evaluated = scorer.n_evaluated();
  std::vector<ChoiceScore> again;
  scorer.Score(context, choices, again);
  EXPECT_GT(scorer.n_reused(), 0);
  for (size_t i = 0; i < choices.size(); ++i) EXPECT_NEAR(again[i].log_prob, out[i].log_prob, 1e-5);
  EXPECT_LT(scorer.n_evaluated() - evaluated, evaluated);
}

TEST_F(ChoiceScorerTest, ASharedPrefixIsReusedAndScoresStayExact) {
  ChoiceScorer scorer(*model_, *tokenizer_, pool_, 256, 64);
  const std::string shared = "Tom had a red ball. He threw it to his dog. ";
  std::vector<ChoiceScore> a, b;
  scorer.Score(shared + "The dog", std::vector<std::string>{"ran.", "slept all day."}, a);
  const int64_t reused = scorer.n_reused();
  scorer.Score(shared + "The cat", std::vector<std::string>{"ran.", "slept all day."}, b);
  EXPECT_GT(scorer.n_reused() - reused, 10);
  ChoiceScorer fresh(*model_, *tokenizer_, pool_, 256, 64);
  std::vector<ChoiceScore> c;
  fresh.Score(shared + "The cat", std::vector<std::string>{"ran.", "slept all day."}, c);
  for (size_t i = 0; i < c.size(); ++i) EXPECT_NEAR(b[i].log_prob, c[i].log_prob, 1e-5);
}

TEST_F(ChoiceScorerTest, TrailingSpaceMovesToTheAnswer) {
  const PairTokens spaced = EncodePair(*tokenizer_, "The sky is ", "blue");
  const PairTokens plain = EncodePair(*tokenizer_, "The sky is", " blue");
  EXPECT_EQ(spaced.context, plain.context);
  EXPECT_EQ(spaced.continuation, plain.continuation);
  EXPECT_EQ(plain.context.front(), tokenizer_->bos());
}

TEST_F(ChoiceScorerTest, LongContextsLoseTheirStartAndTooLongAnswersAreReported) {
  ChoiceScorer scorer(*model_, *tokenizer_, pool_, 32, 32);
  std::string context;
  for (int i = 0; i < 20; ++i) context += "Lily and Ben played. ";
  std::vector<ChoiceScore> out;
  EXPECT_EQ(scorer.Score(context, std::vector<std::string>{"They were happy.", "No."}, out), ScoreStatus::kTruncated);
  EXPECT_TRUE(std::isfinite(out[0].log_prob));
  EXPECT_EQ(scorer.Score("Hi", std::vector<std::string>{context, "No."}, out), ScoreStatus::kTooLong);
}

}  // namespace
}  // namespace densing::eval
