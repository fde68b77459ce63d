// Trend: the envelope of the densest model to date and the least-squares line through it,
// ln value = A·t + B with t in days since Llama-1 (2023-02-24); doubling time ln 2 / A with a
// bootstrap 95% interval.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "density/date.h"
#include "density/least_squares.h"

namespace densing::density {

struct TrendPoint {
  std::string model;
  Date date;
  double value = 0;  // positive (density, or tokens per dollar)
};

struct TrendOptions {
  int bootstrap = 2000;  // resamples of the models; 0 for none
  uint64_t seed = 1;
};

struct TrendFit {
  std::vector<TrendPoint> points;  // every model used, sorted by date
  std::vector<size_t> envelope;    // indices into points of the models that set a new maximum
  LinearFit line;                  // over the envelope: ln value = slope·t + intercept
  double doubling_days = 0;        // ln 2 / slope; infinite or negative when slope ≤ 0
  // Percentile interval of the slope over the bootstrap resamples, and the doubling time's.
  std::optional<double> slope_ci_lo, slope_ci_hi;
  std::optional<double> doubling_ci_lo, doubling_ci_hi;  // hi empty when unbounded (slope ≤ 0)
  int bootstrap_resamples = 0;
  int bootstrap_valid = 0;  // resamples whose envelope had two dates or more

  double t_days(size_t i) const { return DaysSinceTrendEpoch(points[i].date); }
  double FitValue(double t_days) const;  // exp(slope·t + intercept)
};

// The points that set a new maximum, in date order. At one date only the highest value counts.
std::vector<size_t> EnvelopeOf(const std::vector<TrendPoint>& sorted_points);

// Throws Error naming `what` when fewer than two envelope points at different dates remain.
TrendFit FitTrend(std::vector<TrendPoint> points, const TrendOptions& options,
                  const std::string& what);

// slope_per_day, intercept, r2, doubling_days, doubling_days_ci95 [lo, hi or null], envelope
// (names), envelope_points, residuals, n_points, bootstrap.
nlohmann::json ToJson(const TrendFit& fit);

}  // namespace densing::density
