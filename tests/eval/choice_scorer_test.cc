// A choice's score is the sum of the log-softmax values of the model's own logits over its tokens,
// whether its context came from a cache or not and however the answers were batched.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "eval/choice_scorer.h"
#include "runtime/session.h"
#include "testing/shared_dir.h"

namespace densing::eval {
namespace {

// Computed apart from the code under test: the context (it has no trailing space) and the whole
// text "context answer" are tokenized directly, the answer is what follows the context's tokens,
// and each answer token's log-softmax is taken in double from one uncached pass over everything.
double ReferenceScore(const Model& model, ThreadPool& pool, const Tokenizer& tokenizer,
                      const std::string& context, const std::string& choice, size_t* n_answer_tokens) {
  const std::vector<int32_t> ctx = tokenizer.Encode(context, true, false);
  const std::vector<int32_t> all = tokenizer.Encode(context + " " + choice, true, false);
  EXPECT_TRUE(std::equal(ctx.begin(), ctx.end(), all.begin())) << "the context's tokens must prefix the text's";
  *n_answer_tokens = all.size() - ctx.size();
  Session s(model, pool, 1024);
  const std::span<const float> logits = s.EvalAll(all);
  const auto n_vocab = static_cast<size_t>(s.n_vocab());
  double sum = 0;
  for (size_t i = ctx.size(); i < all.size(); ++i) {
    const std::span<const float> row = logits.subspan((i - 1) * n_vocab, n_vocab);
    double max = row[0];
    for (float v : row) max = std::max(max, double{v});
    double z = 0;
    for (float v : row) z += std::exp(double{v} - max);
    sum += double{row[static_cast<size_t>(all[i])]} - max - std::log(z);
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
    size_t n_answer = 0;
    const double want = ReferenceScore(*model_, pool_, *tokenizer_, context, choices[i], &n_answer);
    EXPECT_EQ(out[i].n_tokens, static_cast<int64_t>(n_answer));
    EXPECT_EQ(out[i].n_chars, static_cast<int64_t>(choices[i].size()));
    EXPECT_NEAR(out[i].log_prob, want, 2e-4) << choices[i];
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
