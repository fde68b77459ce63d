// Measured scores: the column a task stands for, the average over tasks, and the item bootstrap's
// interval (it must cover the score and shrink as items are added).
#include "density/measured.h"

#include <gtest/gtest.h>

#include "base/error.h"
#include "density/catalog.h"
#include "density/trend.h"

namespace densing::density {
namespace {

MeasuredTask Task(const std::string& name, int right, int n) {
  MeasuredTask t;
  t.task = name;
  t.column = ColumnOfEvalTask(name);
  for (int i = 0; i < n; ++i) t.correct.push_back(i < right ? 1 : 0);
  return t;
}

TEST(Measured, TasksMapToCatalogColumnsAndAvgIsTheMeanOfTasks) {
  EXPECT_EQ(ColumnOfEvalTask("arc-challenge"), "arc_c");
  EXPECT_EQ(ColumnOfEvalTask("arc-easy"), "arc_e");
  EXPECT_THROW(ColumnOfEvalTask("winogrande"), Error);
  const std::vector<MeasuredTask> tasks = {Task("mmlu", 30, 100), Task("hellaswag", 6, 10)};
  EXPECT_DOUBLE_EQ(*MeasuredScore(tasks, "mmlu"), 30.0);
  EXPECT_DOUBLE_EQ(*MeasuredScore(tasks, "hellaswag"), 60.0);
  EXPECT_DOUBLE_EQ(*MeasuredScore(tasks, "avg"), 45.0);  // tasks weigh alike, not items
  EXPECT_FALSE(MeasuredScore(tasks, "arc_c"));
}

TEST(Measured, BootstrapIntervalCoversTheScoreAndShrinksWithItems) {
  const std::vector<MeasuredTask> small = {Task("mmlu", 40, 100)};
  const std::vector<MeasuredTask> large = {Task("mmlu", 400, 1000)};
  const auto a = BootstrapOverItems(small, "mmlu", {}, 2000, 7);
  const auto b = BootstrapOverItems(large, "mmlu", {}, 2000, 7);
  ASSERT_TRUE(a && b);
  EXPECT_LT(a->lo, 40.0);
  EXPECT_GT(a->hi, 40.0);
  // Binomial: the 95% half-width is about 1.96·sqrt(p(1−p)/n) = 9.6 points at n = 100.
  EXPECT_NEAR(a->hi - a->lo, 2 * 1.96 * 100 * std::sqrt(0.4 * 0.6 / 100), 2.0);
  EXPECT_NEAR(b->hi - b->lo, 2 * 1.96 * 100 * std::sqrt(0.4 * 0.6 / 1000), 0.8);
  // A value that exists only above 45 exists in too few resamples for an interval.
  EXPECT_FALSE(BootstrapOverItems(small, "mmlu",
                                  [](double s) -> std::optional<double> {
                                    if (s > 45) return s;
                                    return std::nullopt;
                                  },
                                  500, 1));
}

TEST(TaskAverage, EachModelsMeanOverTheBenchmarksItHasWithItsSource) {
  const Catalog c = ParseCatalog(
      "model,params_total_B,mmlu,hellaswag\n"
      "A,1,40,60\n"
      "B,2,50,\n"
      "C,3,,\n",
      "t.csv");
  const Catalog avg = CatalogForTask(c, "avg");
  EXPECT_DOUBLE_EQ(*avg.Find("A")->Score("avg"), 50.0);
  EXPECT_DOUBLE_EQ(*avg.Find("B")->Score("avg"), 50.0);
  EXPECT_FALSE(avg.Find("C")->Score("avg"));
  EXPECT_EQ(avg.Find("A")->sources.at("avg"), "[calc] mean of hellaswag, mmlu (2 benchmarks)");
  EXPECT_FALSE(CatalogForTask(c, "mmlu").Find("A")->Score("avg"));
  EXPECT_THROW(WithAverageScore(avg), Error);  // a column named avg would be hidden
}

TrendFit Line(double slope, double lo, double hi) {
  TrendFit f;
  f.line.slope = slope;
  f.doubling_days = std::log(2.0) / slope;
  f.slope_ci_lo = lo;
  f.slope_ci_hi = hi;
  return f;
}

TEST(SplitChange, SaysWhichWayAndWhetherTheIntervalsSeparate) {
  const auto faster = CompareSplit(Line(0.005, 0.004, 0.006), Line(0.010, 0.008, 0.012));
  EXPECT_EQ(faster.direction, SplitChange::Direction::kSpedUp);
  EXPECT_TRUE(faster.outside_intervals);
  const auto slower = CompareSplit(Line(0.007, 0.005, 0.009), Line(0.006, 0.003, 0.009));
  EXPECT_EQ(slower.direction, SplitChange::Direction::kSlowedDown);
  EXPECT_FALSE(slower.outside_intervals);
  EXPECT_NE(slower.text.find("overlap"), std::string::npos);
  TrendFit no_ci = Line(0.004, 0, 0);
  no_ci.slope_ci_lo.reset();
  EXPECT_FALSE(CompareSplit(no_ci, Line(0.01, 0.009, 0.011)).intervals_known);
}

}  // namespace
}  // namespace densing::density
