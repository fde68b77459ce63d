// Envelope, line fit, leave-one-out fits and the jackknife interval for a density (or price)
// trend; the old row bootstrap, kept only to be measured against it.
#include "density/trend.h"

#include <gsl/gsl_cdf.h>
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

// Envelope size and slope of its line for points already sorted by date; slope nullopt when the
// envelope has fewer than two distinct dates.
std::pair<size_t, std::optional<double>> SortedEnvelopeSlope(
    const std::vector<TrendPoint>& sorted) {
  const std::vector<size_t> env = EnvelopeOf(sorted);
  std::vector<double> t, y;
  for (size_t i : env) {
    t.push_back(DaysSinceTrendEpoch(sorted[i].date));
    y.push_back(std::log(sorted[i].value));
  }
  if (env.size() < 2 || t.front() == t.back()) return {env.size(), std::nullopt};
  return {env.size(), FitLine(t, y, "envelope").slope};
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

std::optional<SlopeInterval> JackknifeSlopeInterval(const TrendFit& fit) {
  const size_t n = fit.leave_one_out.size();
  if (n < 3) return std::nullopt;
  double mean = 0;
  for (const auto& l : fit.leave_one_out) {
    if (!l.slope) return std::nullopt;
    mean += *l.slope / static_cast<double>(n);
  }
  double ss = 0;
  for (const auto& l : fit.leave_one_out) ss += (*l.slope - mean) * (*l.slope - mean);
  const double se = std::sqrt(static_cast<double>(n - 1) / static_cast<double>(n) * ss);
  const double t = gsl_cdf_tdist_Pinv(0.975, static_cast<double>(n - 1));
  return SlopeInterval{fit.line.slope - t * se, fit.line.slope + t * se, se};
}

std::optional<SlopeInterval> RowBootstrapSlopeInterval(const std::vector<TrendPoint>& points,
                                                       int resamples, uint64_t seed) {
  if (points.empty() || resamples <= 0) return std::nullopt;
  std::unique_ptr<gsl_rng, RngDeleter> rng(gsl_rng_alloc(gsl_rng_mt19937));
  gsl_rng_set(rng.get(), seed);
  std::vector<double> slopes;
  std::vector<TrendPoint> sample(points.size());
  for (int b = 0; b < resamples; ++b) {
    for (auto& s : sample) s = points[gsl_rng_uniform_int(rng.get(), points.size())];
    SortByDate(&sample);
    if (auto slope = SortedEnvelopeSlope(sample).second) slopes.push_back(*slope);
  }
  if (slopes.size() < 20) return std::nullopt;
  gsl_sort(slopes.data(), 1, slopes.size());
  return SlopeInterval{
      gsl_stats_quantile_from_sorted_data(slopes.data(), 1, slopes.size(), 0.025),
      gsl_stats_quantile_from_sorted_data(slopes.data(), 1, slopes.size(), 0.975)};
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

  for (size_t i : fit.envelope) {
    std::vector<TrendPoint> rest;
    rest.reserve(fit.points.size() - 1);
    for (size_t j = 0; j < fit.points.size(); ++j) {
      if (j != i) rest.push_back(fit.points[j]);
    }
    const auto [n_env, slope] = SortedEnvelopeSlope(rest);  // still sorted
    fit.leave_one_out.push_back({fit.points[i].model, slope, n_env});
  }
  if (options.interval) {
    if (auto ci = JackknifeSlopeInterval(fit)) {
      fit.slope_jackknife_se = ci->std_error;
      fit.slope_ci_lo = ci->lo;
      fit.slope_ci_hi = ci->hi;
      if (ci->hi > 0) {
        fit.doubling_ci_lo = std::log(2.0) / ci->hi;
        if (ci->lo > 0) fit.doubling_ci_hi = std::log(2.0) / ci->lo;
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
  j["interval"] = {{"method", "jackknife over the envelope models, t(0.975, n-1)"},
                   {"slope_std_error", opt(fit.slope_jackknife_se)}};
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
                   {"residual_ln", fit.line.residuals[k]},
                   {"outside_protocol", p.outside_protocol}});
  }
  j["envelope"] = names;
  j["envelope_points"] = env;
  nlohmann::json loo = nlohmann::json::array();
  for (const auto& l : fit.leave_one_out) {
    const bool rises = l.slope && *l.slope > 0;
    loo.push_back({{"model", l.model},
                   {"slope_per_day", opt(l.slope)},
                   {"doubling_days", rises ? nlohmann::json(std::log(2.0) / *l.slope) : nullptr},
                   {"n_envelope", l.n_envelope}});
  }
  j["leave_one_out"] = loo;
  j["n_points"] = fit.points.size();
  return j;
}

const char* DirectionName(SplitChange::Direction d) {
  switch (d) {
    case SplitChange::Direction::kSpedUp:
      return "sped up";
    case SplitChange::Direction::kSlowedDown:
      return "slowed down";
    case SplitChange::Direction::kSame:
      return "unchanged";
  }
  return "?";
}

SplitChange CompareSplit(const TrendFit& before, const TrendFit& after) {
  SplitChange c;
  const double a = before.line.slope, b = after.line.slope;
  // A steeper slope is a shorter doubling time; a slope at or below 0 never doubles.
  c.direction = b > a   ? SplitChange::Direction::kSpedUp
                : b < a ? SplitChange::Direction::kSlowedDown
                        : SplitChange::Direction::kSame;
  auto days = [](const TrendFit& f) {
    return f.line.slope > 0 ? fmt::format("{:.0f} days", f.doubling_days)
                            : std::string("no doubling");
  };
  c.intervals_known = before.slope_ci_lo && before.slope_ci_hi && after.slope_ci_lo &&
                      after.slope_ci_hi;
  if (c.intervals_known) {
    c.outside_intervals =
        *after.slope_ci_lo > *before.slope_ci_hi || *before.slope_ci_lo > *after.slope_ci_hi;
  }
  c.text = fmt::format("doubling {}: {} before, {} after; ", DirectionName(c.direction),
                       days(before), days(after));
  if (!c.intervals_known) {
    c.text += "no interval on one side (it needs three envelope models), so no verdict on chance";
  } else if (c.outside_intervals) {
    c.text += "the slopes' jackknife 95% intervals do not overlap";
  } else {
    c.text += "the slopes' jackknife 95% intervals overlap: the change is within the uncertainty";
  }
  return c;
}

}  // namespace densing::density
