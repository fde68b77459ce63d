// The trend's interval on synthetic catalogs whose doubling time is known: the jackknife 95%
// interval must cover the truth in 90–99% of 500 catalogs, the point estimate must be unbiased
// within a stated tolerance, and the old row bootstrap is measured in the same simulation.
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <string>

#include "density/date.h"
#include "density/trend.h"

namespace densing::density {
namespace {

// Catalogs like the paper's window: models released at uniform random days over 580 days; the
// best possible density doubles every 100 days; each model sits below that frontier by an
// exponential gap (mean 1 in ln ρ, a factor e) and carries measurement noise N(0, 0.2²) in ln ρ.
struct Scenario {
  const char* name;
  int models;
  uint64_t seed;
};
constexpr int kCatalogs = 500;
constexpr int kSpanDays = 580;
constexpr double kTrueDoublingDays = 100;
constexpr double kGapMean = 1.0;
constexpr double kNoiseSd = 0.2;

struct RngFree {
  void operator()(gsl_rng* r) const { gsl_rng_free(r); }
};

std::vector<TrendPoint> SyntheticCatalog(gsl_rng* rng, int models) {
  const double slope = std::log(2.0) / kTrueDoublingDays;
  const int epoch = kTrendEpoch.DaysSinceEpoch();
  std::vector<TrendPoint> pts;
  for (int m = 0; m < models; ++m) {
    const int day = static_cast<int>(gsl_rng_uniform_int(rng, kSpanDays + 1));
    const double ln_v = slope * day + std::log(0.2) - gsl_ran_exponential(rng, kGapMean) +
                        gsl_ran_gaussian(rng, kNoiseSd);
    pts.push_back({"m" + std::to_string(m), DateFromDaysSinceEpoch(epoch + day), std::exp(ln_v)});
  }
  return pts;
}

struct Coverage {
  int covered = 0, with_interval = 0;
  void Add(double lo, double hi, double truth) {
    ++with_interval;
    covered += lo <= truth && truth <= hi;
  }
  double Rate() const { return with_interval ? static_cast<double>(covered) / with_interval : 0; }
};

struct Outcome {
  Coverage jackknife, row_bootstrap;
  double mean_slope_ratio = 0;  // mean of fitted slope / true slope
};

Outcome Simulate(const Scenario& s) {
  std::unique_ptr<gsl_rng, RngFree> rng(gsl_rng_alloc(gsl_rng_mt19937));
  gsl_rng_set(rng.get(), s.seed);
  const double truth = std::log(2.0) / kTrueDoublingDays;
  Outcome o;
  for (int c = 0; c < kCatalogs; ++c) {
    const auto pts = SyntheticCatalog(rng.get(), s.models);
    const TrendFit f = FitTrend(pts, TrendOptions{}, "synthetic");
    o.mean_slope_ratio += f.line.slope / truth / kCatalogs;
    if (f.slope_ci_lo) o.jackknife.Add(*f.slope_ci_lo, *f.slope_ci_hi, truth);
    if (auto b = RowBootstrapSlopeInterval(pts, 400, 1000 + c)) {
      o.row_bootstrap.Add(b->lo, b->hi, truth);
    }
  }
  std::printf("%s: jackknife covers %.3f of %d, row bootstrap %.3f of %d; mean slope / truth %.3f\n",
              s.name, o.jackknife.Rate(), o.jackknife.with_interval, o.row_bootstrap.Rate(),
              o.row_bootstrap.with_interval, o.mean_slope_ratio);
  return o;
}

TEST(TrendInterval, JackknifeCoversTheTrueDoublingTimeInTheFullWindow) {
  const Outcome o = Simulate({"30 models", 30, 19});
  // Nearly every catalog has three envelope models or more, so nearly all get an interval.
  EXPECT_GE(o.jackknife.with_interval, kCatalogs * 9 / 10);
  EXPECT_GE(o.jackknife.Rate(), 0.90);
  EXPECT_LE(o.jackknife.Rate(), 0.99);
  // The envelope overstates the slope a little: its first record has no earlier model to beat,
  // so it sits lower under the frontier than later records (about +9% here). Stated tolerance:
  // the mean slope within 15% of the truth.
  EXPECT_NEAR(o.mean_slope_ratio, 1.0, 0.15);
  // The old interval, measured (docs/density.md reports it): it falls short of 95%.
  EXPECT_LT(o.row_bootstrap.Rate(), o.jackknife.Rate());
}

TEST(TrendInterval, JackknifeCoversWithFewModels) {
  const Outcome o = Simulate({"12 models", 12, 20});
  EXPECT_GE(o.jackknife.with_interval, kCatalogs / 2);
  EXPECT_GE(o.jackknife.Rate(), 0.90);
  EXPECT_LE(o.jackknife.Rate(), 0.99);
  EXPECT_NEAR(o.mean_slope_ratio, 1.0, 0.20);
}

}  // namespace
}  // namespace densing::density
