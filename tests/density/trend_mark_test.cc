// `densing trend --mark`: reading a results file, placing the model with the trend's own options,
// and drawing it where the plot's axes put that date and value.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "base/error.h"
#include "density/trend_mark.h"
#include "density/trend_plot.h"
#include "xml_check.h"

namespace densing::density {
namespace {

// Centre of the circle whose tooltip starts with `label`.
std::pair<double, double> CircleOf(const std::string& svg, const std::string& label) {
  const std::regex re("<circle cx=\"([0-9.]+)\" cy=\"([0-9.]+)\"[^>]*><title>" + label);
  std::smatch m;
  if (!std::regex_search(svg, m, re)) return {-1, -1};
  return {std::stod(m[1]), std::stod(m[2])};
}

TEST(TrendMark, DrawnWhereTheAxesPutItsDateAndValueWithItsIntervalAndLabel) {
  std::vector<TrendPoint> pts;
  for (int i = 0; i < 8; ++i) {
    pts.push_back({fmt::format("M{}", i), Date{2023, 3 + 2 * i, 1}, std::exp(0.4 * i)});
  }
  const TrendFit f = FitTrend(pts, TrendOptions{}, "plot");
  // The mark sits at M3's date and value; its interval runs from M2's value to M5's. The mark's
  // own range lies inside the points', so the axes are the same with or without it.
  TrendMark mark;
  mark.label = "my-model Q4_K_M";
  mark.date = pts[3].date;
  mark.value = pts[3].value;
  mark.lo = pts[2].value;
  mark.hi = pts[5].value;
  mark.score = 50;
  mark.params_b = 1;
  const std::string svg = TrendPlotSvg(f, TrendPlotLabels{"t", "s", "y"}, {mark});
  const auto x = xmlcheck::CheckXml(svg);
  ASSERT_EQ(x.error, "");
  EXPECT_NE(x.text.find("my-model Q4_K_M"), std::string::npos);  // labelled
  const auto at = CircleOf(svg, "my-model Q4_K_M");
  const auto m3 = CircleOf(svg, "M3 ");
  ASSERT_GT(at.first, 0);
  EXPECT_EQ(at, m3);
  // The interval bar: a vertical line at the mark's x from M2's height to M5's.
  const double y2 = CircleOf(svg, "M2 ").second, y5 = CircleOf(svg, "M5 ").second;
  const std::string bar = fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\"",
                                      at.first, y2, at.first, y5);
  EXPECT_NE(svg.find(bar), std::string::npos) << bar;
  EXPECT_NE(svg.find("your model, measured"), std::string::npos);  // legend
  EXPECT_EQ(TrendPlotSvg(f, TrendPlotLabels{"t", "s", "y"}).find("your model"), std::string::npos);
}

TEST(TrendMark, AMarkOutsideThePointsWidensTheAxes) {
  std::vector<TrendPoint> pts;
  for (int i = 0; i < 4; ++i) pts.push_back({fmt::format("M{}", i), Date{2023, 3 + i, 1}, 1.0 + i});
  const TrendFit f = FitTrend(pts, TrendOptions{}, "plot");
  TrendMark mark{"late and dense", Date{2026, 6, 1}, 1000.0, std::nullopt, std::nullopt, 60, 1};
  const std::string svg = TrendPlotSvg(f, TrendPlotLabels{"t", "s", "y"}, {mark});
  const auto at = CircleOf(svg, "late and dense");
  const auto last = CircleOf(svg, "M3 ");
  EXPECT_GT(at.first, last.first);   // later
  EXPECT_LT(at.second, last.second); // higher
  EXPECT_LE(at.first, 960 - 40);     // inside the plot area
  EXPECT_GE(at.second, 80);
}

nlohmann::json DensityJson() {
  return nlohmann::json::parse(R"({
    "score": "avg",
    "model_params": {"total": 2000000000, "non_embedding": 1500000000, "active": 1000000000},
    "models": [{"model": "mine", "release": "2025-06-01", "score": 45.0}],
    "measured": {"tasks": [{"task": "mmlu", "column": "mmlu", "score": 40.0},
                           {"task": "hellaswag", "column": "hellaswag", "score": 50.0}],
                 "score_ci95": [41.0, 49.0]}
  })");
}

TEST(TrendMark, ReadsADensityResultsFile) {
  const MarkInput in = MarkFromDensityJson(DensityJson(), "r.json");
  EXPECT_EQ(in.label, "mine");
  ASSERT_TRUE(in.release);
  EXPECT_EQ(in.release->ToString(), "2025-06-01");
  EXPECT_DOUBLE_EQ(*in.total_b, 2.0);
  EXPECT_DOUBLE_EQ(*in.non_embedding_b, 1.5);
  EXPECT_DOUBLE_EQ(*in.active_b, 1.0);
  EXPECT_DOUBLE_EQ(in.scores.at("mmlu"), 40.0);
  EXPECT_DOUBLE_EQ(in.scores.at("hellaswag"), 50.0);
  EXPECT_EQ(in.ci_column, "avg");
  EXPECT_DOUBLE_EQ(*in.ci_hi, 49.0);
  for (const char* bad : {R"({"models": []})", R"([1, 2])",
                          R"({"models": [{"model": "x", "score": 50}], "model_params": {}})",
                          R"({"score": "mmlu", "models": [{"model": "x", "score": 140}],
                              "model_params": {"active": 1e9}})"}) {
    EXPECT_THROW(MarkFromDensityJson(nlohmann::json::parse(bad), "r.json"), Error) << bad;
  }
}

TEST(TrendMark, PlacedWithTheTrendsTaskParamsAndMetric) {
  const MarkInput in = MarkFromDensityJson(DensityJson(), "r.json");
  DensityOptions o;
  o.score_column = "avg";
  o.chance = 0;
  o.params = ParamKind::kTotal;
  const TrendMark avg = PlaceMark(in, o, Metric::kSimple, Date{2025, 6, 1}, "r.json");
  EXPECT_DOUBLE_EQ(avg.score, 45.0);  // the mean of the measured tasks
  EXPECT_DOUBLE_EQ(avg.value, 45.0 / 2.0);
  ASSERT_TRUE(avg.lo && avg.hi);      // the file's interval is about avg: mapped through N
  EXPECT_DOUBLE_EQ(*avg.lo, 41.0 / 2.0);
  EXPECT_DOUBLE_EQ(*avg.hi, 49.0 / 2.0);
  o.score_column = "mmlu";
  o.chance = 25;
  o.params = ParamKind::kNonEmbedding;
  const TrendMark mmlu = PlaceMark(in, o, Metric::kAboveChance, Date{2025, 6, 1}, "r.json");
  EXPECT_DOUBLE_EQ(mmlu.value, (40.0 - 25.0) / 1.5);
  EXPECT_FALSE(mmlu.lo);  // the interval is avg's, not mmlu's
  o.score_column = "gsm8k";
  EXPECT_THROW(PlaceMark(in, o, Metric::kSimple, Date{2025, 6, 1}, "r.json"), Error);
  o.score_column = "mmlu";
  o.chance = 45;  // at or below chance: no above-chance density to draw
  EXPECT_THROW(PlaceMark(in, o, Metric::kAboveChance, Date{2025, 6, 1}, "r.json"), Error);
}

}  // namespace
}  // namespace densing::density
