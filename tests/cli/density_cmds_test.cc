// `densing density` and `densing trend` as a user meets them: the paper's protocol by default, the
// JSON fields, the table, --all, --split, --from, --metric, --sensitivity, and one-line errors.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "testing/run_densing.h"
#include "testing/shared_dir.h"

namespace densing {
namespace {

using testing::Densing;
using testing::ExpectOneLineError;
using testing::Result;

nlohmann::json JsonOf(const std::vector<std::string>& args) {
  const Result r = Densing(args);
  EXPECT_EQ(r.code, 0) << r.err;
  return nlohmann::json::parse(r.out);
}

bool Has(const nlohmann::json& names, const std::string& model) {
  for (const auto& n : names) {
    if (n == model) return true;
  }
  return false;
}

TEST(TrendCommand, DefaultIsThePapersProtocolWithAJackknifeInterval) {
  const auto j = JsonOf({"trend", "--json", "--no-plot"});
  EXPECT_EQ(j["metric"], "effective");
  EXPECT_EQ(j["protocol"]["from"], "2023-02-24");
  EXPECT_EQ(j["protocol"]["kind"], "base");
  EXPECT_EQ(j["protocol"]["open_weights_only"], true);
  EXPECT_FALSE(Has(j["envelope"], "GPT-3 175B"));  // closed, 2020
  EXPECT_FALSE(Has(j["envelope"], "Phi-3-mini"));  // instruction-tuned
  for (const auto& p : j["envelope_points"]) {
    EXPECT_GE(p["date"].get<std::string>(), "2023-02-24");
    EXPECT_FALSE(p["outside_protocol"].get<bool>());
  }
  const double days = j["doubling_days"], lo = j["doubling_days_ci95"][0],
               hi = j["doubling_days_ci95"][1];
  EXPECT_LT(lo, days);
  EXPECT_GT(hi, days);
  EXPECT_EQ(j["leave_one_out"].size(), j["envelope"].size());
  for (size_t k = 0; k < j["envelope"].size(); ++k) {
    EXPECT_EQ(j["leave_one_out"][k]["model"], j["envelope"][k]);
  }
  EXPECT_NE(j["interval"]["method"].get<std::string>().find("jackknife"), std::string::npos);
  bool gpt3_skipped = false;
  for (const auto& s : j["skipped"]) {
    gpt3_skipped |= s.get<std::string>().rfind("GPT-3 175B: outside the protocol", 0) == 0;
  }
  EXPECT_TRUE(gpt3_skipped);
}

TEST(TrendCommand, TableNamesTheProtocolAndTheInterval) {
  const Result r = Densing({"trend", "--no-plot", "--sensitivity"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("protocol: open-weight base models released from 2023-02-24"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("jackknife 95% CI"), std::string::npos);
  EXPECT_NE(r.out.find("envelope (densest model to date):"), std::string::npos);
  EXPECT_NE(r.out.find("sensitivity (each envelope model left out"), std::string::npos);
  EXPECT_EQ(Densing({"trend", "--no-plot"}).out.find("sensitivity"), std::string::npos);
}

TEST(TrendCommand, AllBringsInTheOthersMarkedInTableJsonAndPlot) {
  const auto j = JsonOf({"trend", "--json", "--no-plot", "--all"});
  EXPECT_TRUE(Has(j["envelope"], "GPT-3 175B"));
  EXPECT_TRUE(j["envelope_points"][0]["outside_protocol"].get<bool>());
  const std::string plot = ::testing::TempDir() + "/trend_all_" + std::to_string(::getpid()) + ".svg";
  const Result r = Densing({"trend", "--all", "--plot", plot});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("GPT-3 175B"), std::string::npos);
  EXPECT_NE(r.out.find("* closed weights"), std::string::npos) << r.out;
  std::ifstream in(plot);
  std::stringstream svg;
  svg << in.rdbuf();
  EXPECT_NE(svg.str().find("outside the protocol"), std::string::npos);
  std::remove(plot.c_str());
}

TEST(TrendCommand, FromSplitMetricAndParams) {
  const auto from = JsonOf({"trend", "--json", "--no-plot", "--from", "2023-09-01"});
  for (const auto& p : from["envelope_points"]) EXPECT_GE(p["date"].get<std::string>(), "2023-09-01");
  EXPECT_EQ(from["protocol"]["from"], "2023-09-01");

  const auto split = JsonOf({"trend", "--json", "--no-plot", "--split", "2024-01-01"});
  EXPECT_EQ(split["split"]["date"], "2024-01-01");
  ASSERT_TRUE(split["split"]["before"].contains("slope_per_day")) << split["split"]["before"];
  ASSERT_TRUE(split["split"]["after"].contains("slope_per_day")) << split["split"]["after"];
  for (const auto& p : split["split"]["after"]["envelope_points"]) {
    EXPECT_GE(p["date"].get<std::string>(), "2024-01-01");
  }

  const auto simple = JsonOf({"trend", "--json", "--no-plot", "--metric", "simple"});
  EXPECT_EQ(simple["metric"], "simple");
  EXPECT_TRUE(simple["reference"].is_null());

  // The paper's N: the reference family has every non-embedding count, so nothing falls back.
  const Result ne = Densing({"trend", "--json", "--no-plot", "--params", "non-embedding"});
  ASSERT_EQ(ne.code, 0) << ne.err;
  EXPECT_EQ(ne.err.find("note"), std::string::npos) << ne.err;
  const auto nej = nlohmann::json::parse(ne.out);
  EXPECT_EQ(nej["params"], "non-embedding");
  EXPECT_EQ(nej["metric"], "effective");
}

TEST(TrendCommand, Errors) {
  ExpectOneLineError(Densing({"trend", "--no-plot", "--metric", "fastest"}), "--metric");
  ExpectOneLineError(Densing({"trend", "--no-plot", "--kind", "robot"}), "--kind");
  ExpectOneLineError(Densing({"trend", "--no-plot", "--from", "2023-13-01"}), "--from");
  ExpectOneLineError(Densing({"trend", "--no-plot", "--split", "soon"}), "--split");
  // A reference that cannot be built is an error that names the way out, never a silent switch.
  ExpectOneLineError(Densing({"trend", "--no-plot", "--ref-family", "Nope"}), "--metric above-chance");
  ExpectOneLineError(Densing({"trend", "--no-plot", "--task", "hellaswag"}), "--metric above-chance");
  // A window that holds one envelope date (from the newest dated base models with exact counts in
  // the catalog, the Qwen3 base models of 2025-04-29) has no line.
  ExpectOneLineError(Densing({"trend", "--no-plot", "--from", "2025-04-29"}), "envelope");
}

TEST(DensityCommand, JsonTableAndErrors) {
  const auto j = JsonOf({"density", "--json"});
  EXPECT_EQ(j["score"], "mmlu");
  EXPECT_EQ(j["params"], "active");
  ASSERT_TRUE(j["reference"].is_object());
  bool qwen = false;
  for (const auto& m : j["models"]) {
    if (m["model"] == "Qwen1.5-7B") {
      qwen = true;
      EXPECT_NEAR(m["params_B"].get<double>(), 7.7213, 1e-9);
      EXPECT_GT(m["rho"].get<double>(), 0.7);
      EXPECT_LT(m["rho"].get<double>(), 1.4);
    }
  }
  EXPECT_TRUE(qwen);
  const auto ne = JsonOf({"density", "--json", "--params", "non-embedding"});
  EXPECT_TRUE(ne["reference"].is_object()) << ne.dump();
  const Result table = Densing({"density"});
  ASSERT_EQ(table.code, 0) << table.err;
  EXPECT_NE(table.out.find("Llama-1 33B"), std::string::npos);
  ExpectOneLineError(Densing({"density", "--json", "--csv"}), "--json and --csv");
  ExpectOneLineError(Densing({"density", "--params", "some"}), "--params");
}

TEST(TrendCommand, TaskAvgAndAnyColumnFitTheReferenceOnTheSameTask) {
  const auto avg = JsonOf({"trend", "--json", "--no-plot", "--task", "avg"});
  EXPECT_EQ(avg["score"], "avg");
  EXPECT_EQ(avg["reference"]["score"], "avg");
  // Any column: a catalog with hellaswag on three models of four.
  const std::string csv =
      ::testing::TempDir() + "/task_col_" + std::to_string(::getpid()) + ".csv";
  std::ofstream(csv) << "model,release,params_total_B,hellaswag,mmlu\n"
                        "A,2023-03-01,10,50,40\nB,2023-09-01,5,55,41\nC,2024-03-01,2,60,42\n"
                        "D,2024-06-01,1,,43\n";
  const auto hs = JsonOf({"trend", "--json", "--no-plot", "--catalog", csv, "--task",
                          "hellaswag", "--params", "total", "--metric", "above-chance"});
  EXPECT_EQ(hs["score"], "hellaswag");
  EXPECT_EQ(hs["envelope"].size(), 3u);
  // The model without the task is listed, not silently dropped.
  bool listed = false;
  for (const auto& s : hs["skipped"]) listed |= s.get<std::string>() == "D: no hellaswag";
  EXPECT_TRUE(listed) << hs["skipped"].dump();
  const Result text = Densing({"trend", "--no-plot", "--catalog", csv, "--task", "hellaswag",
                               "--params", "total", "--metric", "above-chance", "--verbose"});
  std::remove(csv.c_str());
  EXPECT_NE(text.out.find("D: no hellaswag"), std::string::npos) << text.out;
}

TEST(TrendCommand, SplitSaysWhetherDoublingSpedUpWithBothIntervals) {
  const auto j = JsonOf({"trend", "--json", "--no-plot", "--all", "--split", "2024-01-01"});
  ASSERT_TRUE(j["split"].contains("change")) << j["split"].dump();
  const std::string dir = j["split"]["change"]["direction"];
  const double before = j["split"]["before"]["slope_per_day"];
  const double after = j["split"]["after"]["slope_per_day"];
  EXPECT_EQ(dir, after > before ? "sped up" : "slowed down");
  const Result r = Densing({"trend", "--no-plot", "--all", "--split", "2024-01-01"});
  EXPECT_NE(r.out.find("change:  doubling " + dir), std::string::npos) << r.out;
}

TEST(DensityCommand, MeasureScoresTheFileHereAndLabelsItsNumbers) {
  DENSING_REQUIRE_SHARED();
  if (testing::UnderEmulation()) GTEST_SKIP() << "scoring four benchmarks takes 8 minutes under qemu; native runs it";
  const std::string model = testing::SharedDir() + "/models/tiny-qwen3.gguf";
  const auto j = JsonOf({"density", "-m", model, "--measure", "--limit", "1", "--data",
                         testing::SharedDir() + "/data", "--name", "Qwen2.5-0.5B",
                         "--resamples", "200", "--json"});
  ASSERT_EQ(j["models"].size(), 1u);
  const auto& m = j["measured"];
  ASSERT_EQ(m["tasks"].size(), 4u);
  double sum = 0;
  for (const auto& t : m["tasks"]) {
    EXPECT_GT(t["n"].get<int>(), 0);
    sum += t["score"].get<double>();
    if (t["task"] == "mmlu") {
      EXPECT_EQ(t["shots"], 5);
      EXPECT_EQ(t["metric"], "acc");
      EXPECT_DOUBLE_EQ(j["models"][0]["score"].get<double>(), t["score"].get<double>());
    }
  }
  EXPECT_NE(m["source"].get<std::string>().find("measured here"), std::string::npos);
  // The catalog's number for the named model is given beside the measured one, with its source.
  EXPECT_DOUBLE_EQ(m["published"]["score"].get<double>(), 47.5);
  EXPECT_TRUE(m["published"]["scores"]["mmlu"].contains("source"));
  const double lo = m["score_ci95"][0], hi = m["score_ci95"][1];
  EXPECT_LE(lo, j["models"][0]["score"].get<double>());
  EXPECT_GE(hi, j["models"][0]["score"].get<double>());
  // avg is the mean of the measured tasks.
  const auto a = JsonOf({"density", "-m", model, "--measure", "--limit", "1", "--data",
                         testing::SharedDir() + "/data", "--task", "avg", "--resamples", "50",
                         "--json"});
  EXPECT_NEAR(a["models"][0]["score"].get<double>(), sum / 4, 1e-9);
  const Result text = Densing({"density", "-m", model, "--measure", "--limit", "1",
                               "--measure-tasks", "arc-easy", "--task", "arc_e", "--data",
                               testing::SharedDir() + "/data"});
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_NE(text.out.find("score measured here"), std::string::npos);
  EXPECT_NE(text.out.find("measured here (densing eval's scoring, --limit 1)"), std::string::npos);
  ExpectOneLineError(Densing({"density", "--measure"}), "--model");
  ExpectOneLineError(Densing({"density", "-m", model, "--measure", "--score", "mmlu=30"}),
                     "leave out");
}

// `trend --mark`: the model of a `density --json` results file drawn on the plot, placed by the same
// reference as `density` placed it; a bad file or a bare GGUF is a one-line error.
TEST(TrendCommand, MarkDrawsTheUsersModelAtItsDensity) {
  const std::string model = testing::SharedDir() + "/models/tiny-qwen3.gguf";
  if (!std::ifstream(model)) GTEST_SKIP() << model << " is absent";
  const std::string base = ::testing::TempDir() + "/mark_" + std::to_string(::getpid());
  const Result d = Densing({"density", "-m", model, "--score", "mmlu=55", "--name", "My Tiny",
                            "--release", "2025-06-01", "--json"});
  ASSERT_EQ(d.code, 0) << d.err;
  std::ofstream(base + ".json") << d.out;
  const double rho = nlohmann::json::parse(d.out)["models"][0]["rho"];
  const auto j = JsonOf({"trend", "--json", "--mark", base + ".json", "--plot", base + ".svg"});
  ASSERT_EQ(j["marks"].size(), 1u);
  EXPECT_EQ(j["marks"][0]["model"], "My Tiny");
  EXPECT_EQ(j["marks"][0]["date"], "2025-06-01");
  EXPECT_DOUBLE_EQ(j["marks"][0]["value"].get<double>(), rho);  // the same reference placed it
  EXPECT_DOUBLE_EQ(j["marks"][0]["score"].get<double>(), 55);
  std::ifstream in(base + ".svg");
  std::stringstream svg;
  svg << in.rdbuf();
  EXPECT_NE(svg.str().find(">My Tiny</text>"), std::string::npos);
  EXPECT_NE(svg.str().find("<title>My Tiny (2025-06-01)"), std::string::npos);
  // The catalog's fit is not moved by the mark.
  const auto plain = JsonOf({"trend", "--json", "--no-plot"});
  EXPECT_EQ(plain["doubling_days"], j["doubling_days"]);
  const Result text = Densing({"trend", "--no-plot", "--mark", base + ".json"});
  EXPECT_NE(text.out.find("marked:  My Tiny (2025-06-01)"), std::string::npos) << text.out;
  std::ofstream(base + ".bad.json") << "{\"models\": ";
  ExpectOneLineError(Densing({"trend", "--no-plot", "--mark", base + ".bad.json"}), "not JSON");
  std::ofstream(base + ".other.json") << "{\"task\": \"mmlu\", \"acc\": 0.5}";
  ExpectOneLineError(Densing({"trend", "--no-plot", "--mark", base + ".other.json"}),
                     "not a results file of one model");
  ExpectOneLineError(Densing({"trend", "--no-plot", "--mark", model}), "--measure --json");
  ExpectOneLineError(Densing({"trend", "--no-plot", "--task", "gsm8k", "--metric", "simple",
                              "--mark", base + ".json"}),
                     "no gsm8k score");
  for (const char* ext : {".json", ".svg", ".bad.json", ".other.json"}) {
    std::remove((base + ext).c_str());
  }
}

}  // namespace
}  // namespace densing
