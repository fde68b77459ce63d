// A user's own model on the trend plot (`densing trend --mark`): its scores and parameter counts
// read from a results file, placed with the trend's own task, parameter kind, metric and reference.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "density/date.h"
#include "density/density.h"

namespace densing::density {

// What a results file says about one model.
struct MarkInput {
  std::string label;
  std::optional<Date> release;
  std::optional<double> total_b, non_embedding_b, active_b;  // billions
  std::map<std::string, double> scores;                      // column -> percent
  std::string ci_column;                  // the column score_ci95 is about (empty: none)
  std::optional<double> ci_lo, ci_hi;     // item-bootstrap 95% interval of that score
};

// The JSON `densing density -m MODEL.gguf --measure --json` (or `--score ... --json`) prints:
// parameter counts from `model_params`, scores from `measured.tasks` (else the model row's score
// under the file's `score` column), the interval from `measured.score_ci95`. Throws Error naming
// `name` when the JSON is not such a file.
MarkInput MarkFromDensityJson(const nlohmann::json& j, const std::string& name);

// A mark ready to draw: the trend's value (ρ, score/N or above-chance/N) and its interval.
struct TrendMark {
  std::string label;
  Date date;
  double value = 0;
  std::optional<double> lo, hi;
  double score = 0, params_b = 0;
};

// Places `in` with the trend's options: score of options.score_column (avg: the mean of the
// file's scores), N of options.params; the interval maps the score interval's ends through the
// same density (monotone in the score), kept only where both ends have a value. Throws Error
// naming `name` when the file lacks the task or the parameter count, or the value does not exist
// (a score at chance, outside the reference's reach).
TrendMark PlaceMark(const MarkInput& in, const DensityOptions& options, Metric metric,
                    const Date& date, const std::string& name);

}  // namespace densing::density
