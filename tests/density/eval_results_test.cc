// Scores read from eval results files of the shapes `densing eval` may write.
#include "density/eval_results.h"

#include <gtest/gtest.h>

#include "base/error.h"

namespace densing::density {
namespace {

TEST(EvalResults, AcceptsTheKnownShapes) {
  using J = nlohmann::json;
  EXPECT_DOUBLE_EQ(ScoresFromEvalJson(J{{"task", "mmlu"}, {"acc", 0.623}}, "r").at("mmlu"), 62.3);
  EXPECT_DOUBLE_EQ(
      ScoresFromEvalJson(J{{"results", {{"hellaswag", {{"acc,none", 0.5}}}}}}, "r").at("hellaswag"),
      50.0);
  const auto many = ScoresFromEvalJson(
      J::parse(R"({"tasks":[{"task":"MMLU","acc":0.4},{"task":"arc-easy","acc":55.5}]})"), "r");
  EXPECT_DOUBLE_EQ(many.at("mmlu"), 40.0);
  EXPECT_DOUBLE_EQ(many.at("arc-easy"), 55.5);
  EXPECT_DOUBLE_EQ(ScoresFromEvalJson(J{{"mmlu", {{"acc", 0.25}}}}, "r").at("mmlu"), 25.0);
}

TEST(EvalResults, RejectsFilesWithoutAccuracy) {
  EXPECT_THROW(ScoresFromEvalJson(nlohmann::json{{"ppl", 3.2}}, "r"), Error);
  EXPECT_THROW(ScoresFromEvalJson(nlohmann::json{{"task", "mmlu"}, {"acc", "high"}}, "r"), Error);
  EXPECT_THROW(LoadEvalScores("/nonexistent/results.json"), Error);
}

}  // namespace
}  // namespace densing::density
