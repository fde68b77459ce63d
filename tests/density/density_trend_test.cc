// Densities, the family reference and the trend on hand-made catalogs, against hand computations.
#include <gtest/gtest.h>

#include <cmath>

#include "base/error.h"
#include "density/catalog.h"
#include "density/density.h"
#include "density/family_reference.h"
#include "density/trend.h"

namespace densing::density {
namespace {

// A reference family "Ref" that follows S = 25 + 75 / (1 + exp(−0.6·(ln N − 2))) exactly.
double RefScore(double n_b) { return 25.0 + 75.0 / (1.0 + std::exp(-0.6 * (std::log(n_b) - 2.0))); }

Catalog HandCatalog() {
  std::string text = "model,family,release,params_active_B,mmlu\n";
  for (double n : {0.5, 1.0, 2.0, 4.0, 8.0}) {
    text += fmt::format("Ref-{},Ref,2023-06,{},{:.12g}\n", n, n, RefScore(n));
  }
  text += "Dense,X,2024-01-10,2,60\n";
  text += "Tiny,X,2024-02,1.1,25.34\n";
  text += fmt::format("Punchy,X,2024-03,2,{:.12g}\n", RefScore(4.0));
  text += "Guess,X,2024-04,1,20\n";
  text += "NoScore,X,2024-04,1,\n";
  return ParseCatalog(text, "hand.csv");
}

TEST(Density, SimpleAndAboveChanceMatchHandValues) {
  const Catalog c = HandCatalog();
  DensityOptions o;
  std::vector<std::string> skipped;
  const auto rows = CatalogDensities(c, o, &skipped);
  ASSERT_EQ(rows.size(), 9u);
  EXPECT_EQ(skipped, std::vector<std::string>{"NoScore: no mmlu"});
  const DensityRow& dense = rows[5];
  EXPECT_EQ(dense.model, "Dense");
  EXPECT_DOUBLE_EQ(dense.simple, 30.0);        // 60 / 2
  EXPECT_DOUBLE_EQ(dense.above_chance, 17.5);  // (60 − 25) / 2
  const DensityRow& tiny = rows[6];
  EXPECT_NEAR(tiny.simple, 23.0364, 1e-4);       // 25.34 / 1.1
  EXPECT_NEAR(tiny.above_chance, 0.3091, 1e-4);  // 0.34 / 1.1
  // The plain ratio ranks the near-chance model close to a real one; above chance does not.
  EXPECT_GT(tiny.simple / dense.simple, 0.75);
  EXPECT_LT(tiny.above_chance / dense.above_chance, 0.02);
  EXPECT_FALSE(rows[8].Value(Metric::kAboveChance).has_value());  // below chance
}

TEST(Density, PerGigabyteOfWeights) {
  ModelFacts f{"q4", std::nullopt, 3.0, 65.0, 1.75, false};
  const DensityRow r = ComputeDensity(f, DensityOptions{});
  EXPECT_NEAR(*r.score_per_gb, 65.0 / 1.75, 1e-12);
  EXPECT_NEAR(*r.above_chance_per_gb, 40.0 / 1.75, 1e-12);
  ModelFacts missing{"m", std::nullopt, std::nullopt, 65.0, std::nullopt, false};
  EXPECT_THROW(ComputeDensity(missing, DensityOptions{}), Error);
}

TEST(FamilyReference, RecoversTheFamilyCurveAndInvertsIt) {
  const Catalog c = HandCatalog();
  const FamilyReference ref(c, "ref", "mmlu", ParamKind::kActive, 25.0);
  EXPECT_NEAR(ref.curve().gamma, 0.6, 0.006);
  EXPECT_NEAR(ref.curve().l, 2.0, 0.02);
  const EffectiveParams e = ref.Effective(RefScore(3.0));
  ASSERT_EQ(e.reach, Reach::kInside);
  EXPECT_NEAR(e.n_hat_b, 3.0, 1e-6);
  EXPECT_FALSE(e.extrapolated);
  EXPECT_TRUE(ref.Effective(RefScore(20.0)).extrapolated);
  EXPECT_EQ(ref.Effective(25.0).reach, Reach::kBelowFloor);
  EXPECT_EQ(ref.Effective(20.0).reach, Reach::kBelowFloor);
  EXPECT_EQ(ref.Effective(100.0).reach, Reach::kAboveCeiling);

  DensityOptions o;
  o.reference = &ref;
  const auto rows = CatalogDensities(c, o, nullptr);
  EXPECT_NEAR(*rows[7].rho, 2.0, 1e-6);  // scores like a 4B reference model with 2B
  EXPECT_NEAR(*rows[0].rho, 1.0, 1e-6);  // the reference itself
  EXPECT_FALSE(rows[8].rho.has_value());
}

TEST(FamilyReference, NeedsFourSizes) {
  const Catalog c =
      ParseCatalog("model,family,params_active_B,mmlu\na,F,1,40\nb,F,2,45\nc,F,4,50\n", "few.csv");
  try {
    FamilyReference(c, "F", "mmlu", ParamKind::kActive, 25.0);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("has 3 distinct sizes"), std::string::npos);
  }
}

TEST(FamilyReference, BuiltinDefaultGivesItsOwnMembersDensityNearOne) {
  const Catalog& c = BuiltinCatalog();
  const FamilyReference ref(c, kDefaultReferenceFamily, "mmlu", ParamKind::kActive, 25.0);
  DensityOptions o;
  o.reference = &ref;
  for (const auto& r : CatalogDensities(c, o, nullptr)) {
    if (r.model.rfind("Qwen1.5", 0) == 0) {
      ASSERT_TRUE(r.rho) << r.model;
      EXPECT_GT(*r.rho, 0.7) << r.model;
      EXPECT_LT(*r.rho, 1.4) << r.model;
    }
  }
}

Date D(const char* s) { return *ParseDate(s); }

TEST(Trend, EnvelopeAndDoublingTimeOfAnExactDoubling) {
  // Values double every 100 days on the envelope (t = 0, 100, 200, 300); the rest lie below.
  std::vector<TrendPoint> pts = {
      {"C", D("2023-09-12"), 4.0},   {"A", D("2023-02-24"), 1.0},
      {"x1", D("2023-03-01"), 0.5},  {"B", D("2023-06-04"), 2.0},
      {"x2", D("2023-07-01"), 1.5},  {"x3", D("2023-10-01"), 3.9},
      {"x4", D("2023-12-21"), 3.0},  {"D", D("2023-12-21"), 8.0},
      {"tie", D("2023-07-02"), 2.0},  // equal to the best so far: not a new record
  };
  const TrendFit f = FitTrend(pts, TrendOptions{}, "hand");
  std::vector<std::string> names;
  for (size_t i : f.envelope) names.push_back(f.points[i].model);
  EXPECT_EQ(names, (std::vector<std::string>{"A", "B", "C", "D"}));
  EXPECT_NEAR(f.doubling_days, 100.0, 1e-9);
  EXPECT_NEAR(f.line.slope, std::log(2.0) / 100.0, 1e-12);
  EXPECT_NEAR(f.line.r2, 1.0, 1e-12);
  ASSERT_TRUE(f.doubling_ci_lo && f.doubling_ci_hi);
  EXPECT_LE(*f.doubling_ci_lo, 100.0 + 1e-9);
  EXPECT_GE(*f.doubling_ci_hi, 100.0 - 1e-9);
  const auto j = ToJson(f);
  EXPECT_EQ(j["envelope"].size(), 4u);
  EXPECT_EQ(j["doubling_days_ci95"].size(), 2u);
}

TEST(Trend, ScatteredEnvelopeMatchesHandComputation) {
  // ln values 0, 1, 1.5 at t = 0, 100, 200: slope 0.0075/day, R² = 1 − 0.041667/1.166667.
  std::vector<TrendPoint> pts = {{"a", D("2023-02-24"), 1.0},
                                 {"b", D("2023-06-04"), std::exp(1.0)},
                                 {"c", D("2023-09-12"), std::exp(1.5)}};
  const TrendFit f = FitTrend(pts, TrendOptions{false}, "hand");
  EXPECT_NEAR(f.line.slope, 0.0075, 1e-12);
  EXPECT_NEAR(f.doubling_days, 92.4196, 1e-4);
  EXPECT_NEAR(f.line.r2, 1.0 - 0.5 / 14.0, 1e-9);
  EXPECT_FALSE(f.doubling_ci_lo.has_value());
}

TEST(Trend, NeedsTwoEnvelopeDates) {
  std::vector<TrendPoint> falling = {{"a", D("2023-01"), 3.0}, {"b", D("2023-05"), 2.0}};
  EXPECT_THROW(FitTrend(falling, TrendOptions{}, "falling"), Error);
  std::vector<TrendPoint> bad = {{"a", D("2023-01"), 0.0}, {"b", D("2023-05"), 2.0}};
  EXPECT_THROW(FitTrend(bad, TrendOptions{}, "zero"), Error);
}

TEST(Trend, SelectionSkipsWithReasons) {
  const Catalog c = HandCatalog();
  DensityOptions o;
  std::vector<std::string> skipped;
  TrendSelection sel;
  sel.metric = Metric::kAboveChance;
  sel.from = D("2024-01-01");
  sel.protocol_kind.clear();  // the hand catalog says nothing about kind or weights
  sel.protocol_open_weights = false;
  const auto pts = TrendPointsOf(CatalogDensities(c, o, nullptr), sel, &skipped);
  EXPECT_EQ(pts.size(), 3u);  // Dense, Tiny, Punchy; Guess is below chance
  EXPECT_EQ(skipped, std::vector<std::string>{"Guess: above-chance density is not positive"});
}

TEST(Trend, ProtocolKeepsOpenBaseModelsFromLlama1On) {
  const Catalog c = ParseCatalog(
      "model,kind,weights,release,params_active_B,mmlu\n"
      "Old,base,open,2022-06,10,40\n"
      "Closed,base,closed,2023-06,10,50\n"
      "Chat,chat,open,2023-07,10,55\n"
      "Unknown,,open,2023-08,10,56\n"
      "Base1,base,open,2023-03,10,45\n"
      "Base2,base,open,2023-09,5,50\n",
      "p.csv");
  std::vector<std::string> skipped;
  TrendSelection sel;
  sel.metric = Metric::kAboveChance;
  const auto rows = CatalogDensities(c, DensityOptions{}, nullptr);
  auto pts = TrendPointsOf(rows, sel, &skipped);
  ASSERT_EQ(pts.size(), 2u);
  EXPECT_EQ(pts[0].model, "Base1");
  EXPECT_EQ(pts[1].model, "Base2");
  EXPECT_FALSE(pts[0].outside_protocol);
  const std::vector<std::string> want = {
      "Old: outside the protocol: released before 2023-02-24 (--all brings it in)",
      "Closed: outside the protocol: closed weights (--all brings it in)",
      "Chat: outside the protocol: chat model (--all brings it in)",
      "Unknown: outside the protocol: kind unknown (--all brings it in)"};
  EXPECT_EQ(skipped, want);
  sel.all = true;
  pts = TrendPointsOf(rows, sel, nullptr);
  ASSERT_EQ(pts.size(), 6u);
  int outside = 0;
  for (const auto& p : pts) outside += p.outside_protocol;
  EXPECT_EQ(outside, 4);
  EXPECT_TRUE(pts[0].outside_protocol);  // Old
  EXPECT_FALSE(pts[4].outside_protocol);  // Base1
}

TEST(Trend, LeaveOneOutRefitsTheEnvelopeWithoutEachRecord) {
  // Records A, B, C, D double every 100 days; "hidden" (t = 150, value 1.8) is beaten by B's
  // 2.0 and becomes a record when B is left out.
  std::vector<TrendPoint> pts = {{"A", D("2023-02-24"), 1.0},
                                 {"B", D("2023-06-04"), 2.0},
                                 {"hidden", D("2023-07-24"), 1.8},
                                 {"C", D("2023-09-12"), 4.0},
                                 {"D", D("2023-12-21"), 8.0}};
  const TrendFit f = FitTrend(pts, TrendOptions{}, "loo");
  ASSERT_EQ(f.leave_one_out.size(), 4u);
  EXPECT_EQ(f.leave_one_out[1].model, "B");
  EXPECT_EQ(f.leave_one_out[1].n_envelope, 4u);  // A, hidden, C, D
  // Without B the line goes through ln values 0, ln 1.8, ln 4, ln 8 at t = 0, 150, 200, 300.
  const double t[] = {0, 150, 200, 300}, y[] = {0, std::log(1.8), std::log(4.0), std::log(8.0)};
  EXPECT_NEAR(*f.leave_one_out[1].slope, FitLine(t, y, "hand").slope, 1e-12);
  // The others leave three records on the exact doubling line.
  for (size_t k : {0u, 2u, 3u}) {
    EXPECT_NEAR(*f.leave_one_out[k].slope, std::log(2.0) / 100.0, 1e-12) << k;
  }
  // The jackknife standard error is the spread of the four leave-one-out slopes.
  double mean = 0, ss = 0;
  for (const auto& l : f.leave_one_out) mean += *l.slope / 4;
  for (const auto& l : f.leave_one_out) ss += (*l.slope - mean) * (*l.slope - mean);
  EXPECT_NEAR(*f.slope_jackknife_se, std::sqrt(3.0 / 4.0 * ss), 1e-15);
  EXPECT_LT(*f.slope_ci_lo, f.line.slope);
  EXPECT_GT(*f.slope_ci_hi, f.line.slope);
}

}  // namespace
}  // namespace densing::density
