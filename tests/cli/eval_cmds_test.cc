// The measuring commands as a user runs them: perplexity equal to the reference's figures with
// the command's defaults, and a multiple-choice answer's score equal to the sum read from
// `densing logits` over the same tokens.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "testing/run_densing.h"
#include "testing/shared_dir.h"

namespace densing {
namespace {

using testing::Densing;
using testing::ExpectOneLineError;
using testing::Result;

std::string Stories() { return testing::SharedDir() + "/models/stories260K.gguf"; }

// |got − want| within half a unit of want's 4th significant digit.
void ExpectFourDigits(double got, double want, const std::string& what) {
  const double unit = std::pow(10.0, std::floor(std::log10(std::fabs(want))) - 3);
  EXPECT_LE(std::fabs(got - want), 0.5 * unit) << what << ": " << got << " vs " << want;
}

TEST(EvalCommands, PerplexityEqualsTheReferenceWithItsDefaults) {
  DENSING_REQUIRE_SHARED();
  const auto fixture = nlohmann::json::parse(testing::ReadFile(testing::SharedDir() + "/fixtures/perplexity.json"));
  const auto& row = fixture["results"][0];
  const Result r = Densing({"perplexity", "-m", Stories(), "-f", testing::SharedDir() + "/" + row["text"].get<std::string>(),
                            "-c", std::to_string(row["n_ctx"].get<int>()), "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["n_chunks"], row["chunks"]);
  ExpectFourDigits(j["ppl"], row["ppl"], "ppl");
  ExpectFourDigits(j["ppl_stderr"], row["stderr"], "stderr");
  // The exact F32 cache gives a figure of its own, as close as F16 rounding allows.
  const Result exact = Densing({"perplexity", "-m", Stories(), "-f",
                                testing::SharedDir() + "/" + row["text"].get<std::string>(), "-c", "128",
                                "--json", "-ctk", "f32", "-ctv", "f32"});
  ASSERT_EQ(exact.code, 0) << exact.err;
  const double ppl32 = nlohmann::json::parse(exact.out)["ppl"];
  EXPECT_NE(ppl32, j["ppl"].get<double>());
  EXPECT_NEAR(ppl32, j["ppl"].get<double>(), 1e-3 * ppl32);
}

TEST(EvalCommands, AnUnknownCacheTypeIsAOneLineError) {
  DENSING_REQUIRE_SHARED();
  ExpectOneLineError(Densing({"perplexity", "-m", Stories(), "-f", testing::SharedDir() + "/data/tinystories/head-40k.txt",
                              "-ctk", "q8_0"}),
                     "cache-type-k");
}

// log P(answer | context) from `densing logits` over context + " " + answer: the answer's last
// n_answer tokens, each read from the row of the token before it.
double ScoreFromLogits(const std::string& text, int64_t n_answer) {
  const Result r = Densing({"logits", "-m", Stories(), "-p", text, "--full"});
  EXPECT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  const auto& tokens = j["tokens"];
  const auto& positions = j["positions"];
  const auto n = static_cast<int64_t>(tokens.size());
  double sum = 0;
  for (int64_t i = n - n_answer; i < n; ++i) {
    const auto& row = positions[static_cast<size_t>(i - 1)];
    sum += row["logits"][tokens[static_cast<size_t>(i)].get<size_t>()].get<double>() - row["logsumexp"].get<double>();
  }
  return sum;
}

TEST(EvalCommands, AChoiceScoreIsTheSumReadFromDensingLogits) {
  DENSING_REQUIRE_SHARED();
  const std::string samples = testing::TempPath("samples.jsonl");
  const Result r = Densing({"eval", "-m", Stories(), "--task", "arc-easy", "--data", testing::SharedDir() + "/data",
                            "--limit", "2", "--samples", samples});
  ASSERT_EQ(r.code, 0) << r.err;
  std::istringstream lines(testing::ReadFile(samples));
  std::string line;
  int items = 0;
  while (std::getline(lines, line)) {
    const auto s = nlohmann::json::parse(line);
    ++items;
    EXPECT_EQ(s["task"], "arc-easy");
    const auto& choices = s["choices"];
    ASSERT_EQ(s["log_probs"].size(), choices.size());
    for (size_t c = 0; c < choices.size(); ++c) {
      const std::string text = s["context"].get<std::string>() + " " + choices[c].get<std::string>();
      const double want = ScoreFromLogits(text, s["n_tokens"][c].get<int64_t>());
      EXPECT_NEAR(s["log_probs"][c].get<double>(), want, 1e-3 * (1 + std::fabs(want))) << text;
    }
    // acc: the answer with the highest score.
    int best = 0;
    for (size_t c = 1; c < choices.size(); ++c) {
      if (s["log_probs"][c].get<double>() > s["log_probs"][static_cast<size_t>(best)].get<double>()) best = static_cast<int>(c);
    }
    EXPECT_EQ(s["pred"], best);
    EXPECT_EQ(s["acc"], best == s["gold"].get<int>() ? 1 : 0);
  }
  EXPECT_EQ(items, 2);
}

}  // namespace
}  // namespace densing
