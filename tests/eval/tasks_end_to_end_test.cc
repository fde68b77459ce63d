// Every task end to end on stories260K with a limit: items scored, near chance, sane losses, and
// the JSON that `densing density --eval` reads.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>

#include "eval/multiple_choice.h"
#include "eval/result_json.h"
#include "testing/shared_dir.h"

namespace densing::eval {
namespace {

class TasksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::HaveShared()) GTEST_SKIP() << testing::SharedMissing();
    model_ = Model::Load(testing::SharedDir() + "/models/stories260K.gguf");
    tokenizer_ = Tokenizer::FromGguf(model_->file());
  }
  McResult Run(const std::string& name, int64_t limit, int shots = -1) {
    TaskOptions o;
    o.data_dir = testing::SharedDir() + "/data";
    o.limit = limit;
    o.shots = shots;
    ChoiceScorer scorer(*model_, *tokenizer_, pool_, 2048, 512);
    return RunTask(scorer, LoadTask(name, o));
  }
  std::unique_ptr<Model> model_;
  std::unique_ptr<Tokenizer> tokenizer_;
  ThreadPool pool_{2};
};

void ExpectSane(const McResult& r, int64_t n) {
  EXPECT_EQ(r.n_scored, n) << r.task;
  EXPECT_EQ(r.skipped.count, 0) << r.task;
  EXPECT_GE(r.acc, 0.0);
  EXPECT_LE(r.acc, 1.0);
  const double n_ = static_cast<double>(r.n_scored);
  EXPECT_NEAR(r.acc_stderr, std::sqrt(r.acc * (1 - r.acc) / (n_ - 1)), 1e-9) << r.task;
  EXPECT_GT(r.loss_per_item, 0.0);
  EXPECT_GT(r.loss_per_token, 0.0);
  EXPECT_LE(r.loss_per_token, r.loss_per_item + 1e-12) << "gold answers have at least one token";
  EXPECT_TRUE(std::isfinite(r.loss_per_item_stderr));
  EXPECT_FALSE(r.interrupted);
  EXPECT_GT(r.items_per_second(), 0.0);
}

// A known answer set: a story model must prefer a story's own words to letters in no language,
// by total and by per-character log-probability. The fourth item marks the nonsense as gold (and the first choice, so a tally of
// "picked the first" would differ too), so
// exactly three of four are right and the tally must say so.
TEST_F(TasksTest, KnownAnswersAreTalliedExactly) {
  McTask task;
  task.name = "known";
  task.items = {
      {"Once upon a time, there was a little girl named Lily. She loved to", {"play outside with her friends.", "qzx vbk jjw prr mmq zzt xxk."}, 0, "", 1},
      {"Tom went to the park with his mom. He saw a big", {"zkq xvw pjj qqz.", "dog."}, 1, "", 2},
      {"The sun was shining and the birds were", {"singing in the trees.", "xqz kvj wpf zzq qqx."}, 0, "", 3},
      {"Tom went to the park with his mom. He saw a big", {"zkq xvw pjj qqz.", "dog."}, 0, "", 4},
  };
  ChoiceScorer scorer(*model_, *tokenizer_, pool_, 1024, 512);
  std::vector<int> preds, preds_norm;
  double gold_nll = 0;
  int64_t gold_tokens = 0;
  const McResult r = RunTask(scorer, task, nullptr, {},
                             [&](const McItem& item, std::span<const ChoiceScore> scores, const ItemOutcome& o) {
                               preds.push_back(o.pred);
                               preds_norm.push_back(o.pred_norm);
                               gold_nll -= scores[static_cast<size_t>(item.gold)].log_prob;
                               gold_tokens += scores[static_cast<size_t>(item.gold)].n_tokens;
                             });
  EXPECT_EQ(preds, (std::vector<int>{0, 1, 0, 1}));
  EXPECT_EQ(preds_norm, (std::vector<int>{0, 1, 0, 1}));
  EXPECT_EQ(r.n_scored, 4);
  EXPECT_DOUBLE_EQ(r.acc, 0.75);
  EXPECT_DOUBLE_EQ(r.acc_norm, 0.75);
  EXPECT_NEAR(r.acc_stderr, std::sqrt(0.75 * 0.25 / 3), 1e-12);
  EXPECT_NEAR(r.loss_per_item, gold_nll / 4, 1e-9);
  EXPECT_EQ(r.gold_tokens, gold_tokens);
  EXPECT_NEAR(r.loss_per_token, gold_nll / static_cast<double>(gold_tokens), 1e-9);
}

TEST_F(TasksTest, MmluEverySubjectZeroShot) {
  const McResult r = Run("mmlu", 1, 0);  // one question per subject
  ExpectSane(r, 57);
  EXPECT_EQ(r.subjects.size(), 57u);
  ASSERT_EQ(r.categories.size(), 4u);
  int64_t in_categories = 0;
  for (const GroupScore& g : r.categories) in_categories += g.n;
  EXPECT_EQ(in_categories, 57);
  EXPECT_GE(r.gold_tokens, 57);  // " A" … " D": one or two tokens in this vocabulary
  // Chance is 25%; 57 items of a story model land within a few standard errors of it.
  EXPECT_LT(std::fabs(r.acc - 0.25), 0.25);
}

TEST_F(TasksTest, MmluFiveShotSharesItsPrefix) {
  TaskOptions o;
  o.data_dir = testing::SharedDir() + "/data";
  o.limit = 4;
  McTask task = LoadTask("mmlu", o);
  task.items.resize(4);  // abstract_algebra only: the 5-shot prefix is evaluated once
  ChoiceScorer scorer(*model_, *tokenizer_, pool_, 4096, 512);
  const McResult r = RunTask(scorer, task);
  ExpectSane(r, 4);
  EXPECT_GT(r.n_reused_tokens, 3 * r.n_evaluated_tokens / 4) << "evaluated " << r.n_evaluated_tokens;
}

TEST_F(TasksTest, HellaswagArcEasyArcChallenge) {
  for (const char* name : {"hellaswag", "arc-easy", "arc-challenge"}) {
    const McResult r = Run(name, 12);
    ExpectSane(r, 12);
    EXPECT_TRUE(r.subjects.empty());
    EXPECT_GT(r.gold_tokens, 12) << name;  // multi-token answers
  }
  ExpectSane(Run("arc-easy", 4, 2), 4);
}

TEST_F(TasksTest, CancelStopsWithThePartialResultAndJsonHasTheFields) {
  TaskOptions o;
  o.data_dir = testing::SharedDir() + "/data";
  o.limit = 10;
  ChoiceScorer scorer(*model_, *tokenizer_, pool_, 1024, 512);
  std::atomic<bool> cancel{false};
  const McResult r = RunTask(scorer, LoadTask("arc-easy", o), &cancel, [&](int64_t done, int64_t) {
    if (done == 3) cancel = true;
  });
  EXPECT_TRUE(r.interrupted);
  EXPECT_EQ(r.n_scored, 3);
  const nlohmann::json j = ResultsJson("stories260K.gguf", std::vector<McResult>{r});
  const nlohmann::json& t = j["tasks"][0];
  EXPECT_EQ(t["task"], "arc-easy");
  for (const char* key : {"acc", "acc_stderr", "acc_norm", "acc_norm_stderr", "loss_per_item", "loss_per_token"}) {
    EXPECT_TRUE(t[key].is_number()) << key;
  }
  EXPECT_EQ(t["interrupted"], true);
}

}  // namespace
}  // namespace densing::eval
