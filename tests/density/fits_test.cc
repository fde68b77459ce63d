// The least-squares fits recover the constants that generated their data, and invert exactly.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "base/error.h"
#include "density/least_squares.h"
#include "density/loss_law.h"
#include "density/sigmoid.h"
#include "density/two_step_reference.h"

namespace densing::density {
namespace {

void ExpectWithin1Percent(double got, double want, const char* what) {
  EXPECT_NEAR(got, want, 0.01 * std::fabs(want)) << what;
}

TEST(FitLine, ExactLineAndR2) {
  const std::vector<double> x = {0, 100, 200, 300};
  std::vector<double> y;
  for (double v : x) y.push_back(0.007 * v - 2.0);
  const LinearFit f = FitLine(x, y, "line");
  EXPECT_NEAR(f.slope, 0.007, 1e-12);
  EXPECT_NEAR(f.intercept, -2.0, 1e-12);
  EXPECT_NEAR(f.r2, 1.0, 1e-12);
  EXPECT_THROW(FitLine(std::vector<double>{1, 1}, std::vector<double>{1, 2}, "line"), Error);
}

TEST(FitLine, R2MatchesHandComputation) {
  // y = 1, 3, 2 at x = 0, 1, 2: slope 0.5, intercept 1.5, residuals -0.5, 1, -0.5; SSR 1.5, SST 2.
  const LinearFit f = FitLine(std::vector<double>{0, 1, 2}, std::vector<double>{1, 3, 2}, "line");
  EXPECT_NEAR(f.slope, 0.5, 1e-12);
  EXPECT_NEAR(f.intercept, 1.5, 1e-12);
  EXPECT_NEAR(f.r2, 0.25, 1e-12);
}

TEST(Sigmoid, FitRecoversAllFourConstants) {
  const Sigmoid truth{60.0, -3.0, 1.5, 25.0};  // falls from 85 to 25 as the loss rises
  std::vector<double> x, s;
  for (int i = 0; i < 15; ++i) {
    x.push_back(0.4 + 0.2 * i);
    s.push_back(truth(x.back()));
  }
  const SigmoidFit f = FitSigmoid(x, s, std::nullopt, "score curve");
  ExpectWithin1Percent(f.curve.c, truth.c, "c");
  ExpectWithin1Percent(f.curve.gamma, truth.gamma, "gamma");
  ExpectWithin1Percent(f.curve.l, truth.l, "l");
  ExpectWithin1Percent(f.curve.d, truth.d, "d");
  EXPECT_LT(f.raw.rss, 1e-10);
}

TEST(Sigmoid, MirroredCurveIsReportedWithPositiveHeight) {
  const Sigmoid mirror{-60.0, 3.0, 1.5, 85.0};  // the same curve as {60, -3, 1.5, 25}
  std::vector<double> x, s;
  for (int i = 0; i < 15; ++i) {
    x.push_back(0.4 + 0.2 * i);
    s.push_back(mirror(x.back()));
  }
  const SigmoidFit f = FitSigmoid(x, s, std::nullopt, "score curve");
  ExpectWithin1Percent(f.curve.c, 60.0, "c");
  ExpectWithin1Percent(f.curve.gamma, -3.0, "gamma");
  ExpectWithin1Percent(f.curve.d, 25.0, "d");
}

TEST(Sigmoid, FitWithFixedFloorAndHeight) {
  const Sigmoid truth{75.0, 0.6, 2.0, 25.0};
  std::vector<double> x, s;
  for (double n : {0.5, 1.0, 2.0, 4.0, 8.0}) {
    x.push_back(std::log(n));
    s.push_back(truth(x.back()));
  }
  const SigmoidFit f = FitSigmoid(x, s, std::make_pair(75.0, 25.0), "family");
  ExpectWithin1Percent(f.curve.gamma, 0.6, "gamma");
  ExpectWithin1Percent(f.curve.l, 2.0, "l");
  EXPECT_EQ(f.std_errors.c, 0.0);
}

TEST(Sigmoid, InverseRoundTripsAndRefusesUnreachableScores) {
  const Sigmoid c{60.0, -3.0, 1.5, 25.0};
  for (double x : {0.3, 1.0, 1.5, 2.7}) EXPECT_NEAR(*c.Inverse(c(x)), x, 1e-9);
  EXPECT_FALSE(c.Inverse(25.0).has_value());  // the floor itself
  EXPECT_FALSE(c.Inverse(20.0).has_value());
  EXPECT_FALSE(c.Inverse(85.0).has_value());  // the ceiling
  EXPECT_EQ(c.lower(), 25.0);
  EXPECT_EQ(c.upper(), 85.0);
}

// Reference runs as in the paper: six sizes, each trained on 10..60 tokens per parameter.
std::vector<LossPoint> PaperLikeRuns(const LossLaw& law) {
  std::vector<LossPoint> out;
  for (double n : {5.2e6, 2.0e7, 5.0e7, 1.5e8, 4.0e8, 8.28e8}) {
    for (double k : {10.0, 15.0, 20.0, 30.0, 40.0, 60.0}) out.push_back({n, k * n, law(n, k * n)});
  }
  return out;
}

TEST(LossLaw, FitRecoversConstants) {
  const LossLaw truth{400.0, 0.34, 410.0, 0.28};
  std::vector<double> n, d, l;
  for (const auto& p : PaperLikeRuns(truth)) {
    n.push_back(p.n);
    d.push_back(p.d);
    l.push_back(p.loss);
  }
  const LossLawFit f = FitLossLaw(n, d, l, "loss law");
  ExpectWithin1Percent(f.law.a, truth.a, "a");
  ExpectWithin1Percent(f.law.alpha, truth.alpha, "alpha");
  ExpectWithin1Percent(f.law.b, truth.b, "b");
  ExpectWithin1Percent(f.law.beta, truth.beta, "beta");
}

TEST(LossLaw, InverseRoundTrips) {
  const LossLaw law{400.0, 0.34, 410.0, 0.28};
  for (double n : {1e7, 1e9, 7e9, 1e11}) {
    EXPECT_NEAR(*law.InverseParams(law(n, 1e12), 1e12) / n, 1.0, 1e-9) << n;
  }
  EXPECT_FALSE(law.InverseParams(410.0 * std::pow(1e12, -0.28), 1e12).has_value());
}

TEST(TwoStep, ScoreToEffectiveParamsRoundTrips) {
  const LossLaw law{400.0, 0.34, 410.0, 0.28};
  const Sigmoid curve{60.0, -8.0, 0.55, 25.0};
  std::vector<ScorePoint> scores;
  for (double n : {1e8, 3e8, 1e9, 3e9, 1e10, 3e10, 1e11}) {
    const double loss = law(n, 1e12);
    scores.push_back({loss, curve(loss)});
  }
  const TwoStepReference ref(PaperLikeRuns(law), scores, kDefaultD0Tokens, "synthetic");
  ExpectWithin1Percent(ref.loss_law().alpha, 0.34, "alpha");
  ExpectWithin1Percent(ref.score_curve().gamma, -8.0, "gamma");
  for (double n : {2e9, 2e10, 5e10}) {
    const EffectiveParams e = ref.Effective(curve(law(n, 1e12)));
    ASSERT_EQ(e.reach, Reach::kInside);
    EXPECT_NEAR(e.n_hat_b * 1e9 / n, 1.0, 1e-3) << n;
    EXPECT_TRUE(e.extrapolated);  // above the reference runs' 828M
  }
  EXPECT_EQ(ref.Effective(24.0).reach, Reach::kBelowFloor);
  EXPECT_EQ(ref.Effective(90.0).reach, Reach::kAboveCeiling);
  // Just below the ceiling, the loss it needs is under the data term b·D0^−β: out of reach.
  EXPECT_EQ(ref.Effective(84.999).reach, Reach::kAboveCeiling);
  EXPECT_NE(ref.Report().find("alpha = 0.34"), std::string::npos);
  EXPECT_EQ(ref.ToJson()["loss_law"]["residuals"].size(), 36u);
}

}  // namespace
}  // namespace densing::density
