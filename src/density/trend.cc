// Envelope, line fit and bootstrap for a density (or price) trend.
#include "density/trend.h"

#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

#include "base/error.h"

namespace densing::density {
namespace {

void SortByDate(std::vector<TrendPoint>* points) {
  // Ties in date: highest value first, so that only it can be a record.
  std::stable_sort(points->begin(), points->end(), [](const TrendPoint& a, const TrendPoint& b) {
    const int da = a.date.DaysSinceEpoch(), db = b.date.DaysSinceEpoch();
    return da != db ? da < db : a.value > b.value;
  });
}

// Slope of the envelope line, or nullopt when the envelope has fewer than two distinct dates.
std::optional<double> EnvelopeSlope(std::vector<TrendPoint> points) {
  SortByDate(&points);
  const std::vector<size_t> env = EnvelopeOf(points);
  if (env.size() < 2) return std::nullopt;
  std::vector<double> t, y;
  for (size_t i : env) {
    t.push_back(DaysSinceTrendEpoch(points[i].date));
    y.push_back(std::log(points[i].value));
  }
  if (t.front() == t.back()) return std::nullopt;
  return FitLine(t, y, "bootstrap").slope;
}

struct RngDeleter {
  void operator()(gsl_rng* r) const { gsl_rng_free(r); }
};

}  // namespace

double TrendFit::FitValue(double t) const { return std::exp(line.slope * t + line.intercept); }

std::vector<size_t> EnvelopeOf(const std::vector<TrendPoint>& sorted_points) {
  std::vector<size_t> env;
  double best = -std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < sorted_points.size(); ++i) {
    if (sorted_points[i].value > best) {
      best = sorted_points[i].value;
      env.push_back(i);
    }
  }
  return env;
}

TrendFit FitTrend(std::vector<TrendPoint> points, const TrendOptions& options,
                  const std::string& what) {
  for (const auto& p : points) {
    if (!(p.value > 0) || !std::isfinite(p.value)) {
      Fail("{}: {} has value {}; a trend of logarithms needs positive values", what, p.model,
           p.value);
    }
  }
  TrendFit fit;
  SortByDate(&points);
  fit.points = std::move(points);
  fit.envelope = EnvelopeOf(fit.points);
  std::vector<double> t, y;
  for (size_t i : fit.envelope) {
    t.push_back(fit.t_days(i));
    y.push_back(std::log(fit.points[i].value));
  }
  if (fit.envelope.size() < 2 || t.front() == t.back()) {
    Fail("{}: the envelope has {} model(s) at distinct dates out of {}; a trend needs two or more",
         what, fit.envelope.size(), fit.points.size());
  }
  fit.line = FitLine(t, y, what);
  fit.doubling_days = std::log(2.0) / fit.line.slope;

  if (options.bootstrap > 0) {
    std::unique_ptr<gsl_rng, RngDeleter> rng(gsl_rng_alloc(gsl_rng_mt19937));
    gsl_rng_set(rng.get(), options.seed);
    std::vector<double> slopes;
    std::vector<TrendPoint> sample(fit.points.size());
    for (int b = 0; b < options.bootstrap; ++b) {
      for (auto& s : sample) s = fit.points[gsl_rng_uniform_int(rng.get(), fit.points.size())];
      if (auto slope = EnvelopeSlope(sample)) slopes.push_back(*slope);
    }
    fit.bootstrap_resamples = options.bootstrap;
    fit.bootstrap_valid = static_cast<int>(slopes.size());
    if (slopes.size() >= 20) {
      gsl_sort(slopes.data(), 1, slopes.size());
      const double lo = gsl_stats_quantile_from_sorted_data(slopes.data(), 1, slopes.size(), 0.025);
      const double hi = gsl_stats_quantile_from_sorted_data(slopes.data(), 1, slopes.size(), 0.975);
      fit.slope_ci_lo = lo;
      fit.slope_ci_hi = hi;
      if (hi > 0) {
        fit.doubling_ci_lo = std::log(2.0) / hi;
        if (lo > 0) fit.doubling_ci_hi = std::log(2.0) / lo;
      }
    }
  }
  return fit;
}

nlohmann::json ToJson(const TrendFit& fit) {
  auto opt = [](const std::optional<double>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
  };
  nlohmann::json j;
  j["slope_per_day"] = fit.line.slope;
  j["slope_std_error"] = fit.line.slope_std_error;
  j["intercept"] = fit.line.intercept;
  j["r2"] = fit.line.r2;
  j["doubling_days"] = fit.line.slope > 0 ? nlohmann::json(fit.doubling_days) : nullptr;
  j["doubling_months"] = fit.line.slope > 0 ? nlohmann::json(fit.doubling_days / 30.4375) : nullptr;
  j["doubling_days_ci95"] = {opt(fit.doubling_ci_lo), opt(fit.doubling_ci_hi)};
  j["slope_ci95"] = {opt(fit.slope_ci_lo), opt(fit.slope_ci_hi)};
  j["t0"] = kTrendEpoch.ToString();
  nlohmann::json names = nlohmann::json::array();
  nlohmann::json env = nlohmann::json::array();
  for (size_t k = 0; k < fit.envelope.size(); ++k) {
    const TrendPoint& p = fit.points[fit.envelope[k]];
    names.push_back(p.model);
    env.push_back({{"model", p.model},
                   {"date", p.date.ToString()},
                   {"t_days", fit.t_days(fit.envelope[k])},
                   {"value", p.value},
                   {"residual_ln", fit.line.residuals[k]}});
  }
  j["envelope"] = names;
  j["envelope_points"] = env;
  j["n_points"] = fit.points.size();
  j["bootstrap"] = {{"resamples", fit.bootstrap_resamples}, {"valid", fit.bootstrap_valid}};
  return j;
}

}  // namespace densing::density
