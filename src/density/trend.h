// Trend: the envelope of the densest model to date and the least-squares line through it,
// ln value = A·t + B with t in days since Llama-1 (2023-02-24); doubling time ln 2 / A with a
// jackknife 95% interval over the envelope models, and each envelope model's leave-one-out fit.
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
  double value = 0;                // positive (density, or tokens per dollar)
  bool outside_protocol = false;   // brought in by --all (closed, chat, before the window)
};

struct TrendOptions {
  bool interval = true;  // the jackknife interval (needs three envelope models)
};

// A model of the envelope left out: the catalog without it, its envelope refitted (a model it
// hid may become a record).
struct LeaveOneOut {
  std::string model;
  std::optional<double> slope;  // nullopt when fewer than two envelope dates remain
  size_t n_envelope = 0;
};

struct SlopeInterval {
  double lo = 0, hi = 0;
  double std_error = 0;  // the jackknife's; 0 for the row bootstrap
};

struct TrendFit {
  std::vector<TrendPoint> points;  // every model used, sorted by date
  std::vector<size_t> envelope;    // indices into points of the models that set a new maximum
  LinearFit line;                  // over the envelope: ln value = slope·t + intercept
  double doubling_days = 0;        // ln 2 / slope; infinite or negative when slope ≤ 0
  std::vector<LeaveOneOut> leave_one_out;  // one per envelope model, in envelope order
  // Jackknife over the envelope models: slope ± t(0.975, n − 1)·SE_jack.
  std::optional<double> slope_jackknife_se;
  std::optional<double> slope_ci_lo, slope_ci_hi;
  std::optional<double> doubling_ci_lo, doubling_ci_hi;  // hi empty when unbounded (slope ≤ 0)

  double t_days(size_t i) const { return DaysSinceTrendEpoch(points[i].date); }
  double FitValue(double t_days) const;  // exp(slope·t + intercept)
};

// The points that set a new maximum, in date order. At one date only the highest value counts.
std::vector<size_t> EnvelopeOf(const std::vector<TrendPoint>& sorted_points);

// Throws Error naming `what` when fewer than two envelope points at different dates remain.
TrendFit FitTrend(std::vector<TrendPoint> points, const TrendOptions& options,
                  const std::string& what);

// The jackknife 95% interval of the slope from the leave-one-out fits: the slope ± t(0.975, n−1)
// times sqrt((n−1)/n · Σ(slope_i − mean)²); nullopt with fewer than three envelope models or when
// a leave-one-out fit has no line.
std::optional<SlopeInterval> JackknifeSlopeInterval(const TrendFit& fit);

// The interval densing printed before issue 19, kept to measure it: rows resampled with
// replacement, envelope and line refitted, 2.5% and 97.5% quantiles of the slope. Not valid for
// a running maximum (see docs/density.md); nullopt when fewer than 20 resamples had a line.
std::optional<SlopeInterval> RowBootstrapSlopeInterval(const std::vector<TrendPoint>& points,
                                                       int resamples, uint64_t seed);

// Whether the densest model's doubling sped up or slowed down from `before` to `after` (fits on the
// two sides of a split date), and whether the change is beyond the jackknife intervals.
struct SplitChange {
  enum class Direction : uint8_t { kSpedUp, kSlowedDown, kSame };
  Direction direction = Direction::kSame;
  // Both slope intervals exist and do not overlap; false when either interval is missing.
  bool outside_intervals = false;
  bool intervals_known = false;
  std::string text;  // one sentence, e.g. "doubling sped up: 160 -> 95 days; the intervals overlap"
};
SplitChange CompareSplit(const TrendFit& before, const TrendFit& after);
const char* DirectionName(SplitChange::Direction d);  // "sped up", "slowed down", "unchanged"

// slope_per_day, intercept, r2, doubling_days, doubling_days_ci95 [lo, hi or null], interval,
// envelope (names), envelope_points, leave_one_out, n_points.
nlohmann::json ToJson(const TrendFit& fit);

}  // namespace densing::density
