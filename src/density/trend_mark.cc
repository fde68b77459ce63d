// Reading a user's results file for `densing trend --mark` and placing it on the trend.
#include "density/trend_mark.h"

#include <fmt/format.h>

#include <cmath>

#include "base/error.h"
#include "density/catalog.h"
#include "density/csv.h"

namespace densing::density {
namespace {

std::optional<double> Number(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number()) return std::nullopt;
  const double v = j[key].get<double>();
  if (!std::isfinite(v)) return std::nullopt;
  return v;
}

}  // namespace

MarkInput MarkFromDensityJson(const nlohmann::json& j, const std::string& name) {
  if (!j.is_object() || !j.contains("models") || !j["models"].is_array() ||
      j["models"].size() != 1 || !j.contains("model_params") || !j["model_params"].is_object()) {
    throw Error(fmt::format(
        "{}: not a results file of one model (expected the JSON of `densing density -m "
        "MODEL.gguf --measure --json`: \"models\" with one row and \"model_params\")",
        name));
  }
  const nlohmann::json& row = j["models"][0];
  const nlohmann::json& p = j["model_params"];
  MarkInput in;
  if (row.contains("model") && row["model"].is_string()) in.label = row["model"];
  if (in.label.empty()) throw Error(fmt::format("{}: the model row has no name", name));
  if (row.contains("release") && row["release"].is_string()) {
    in.release = ParseDateOrFail(row["release"].get<std::string>(), name + ": release");
  }
  auto billions = [&](const char* key) -> std::optional<double> {
    const auto v = Number(p, key);
    if (!v) return std::nullopt;
    if (*v <= 0) throw Error(fmt::format("{}: model_params.{} is not positive", name, key));
    return *v / 1e9;
  };
  in.total_b = billions("total");
  in.non_embedding_b = billions("non_embedding");
  in.active_b = billions("active");
  auto add_score = [&](const std::string& column, double v, const std::string& where) {
    if (v < 0 || v > 100) throw Error(fmt::format("{}: {} {} is not a percentage", name, where, v));
    in.scores[column] = v;
  };
  const nlohmann::json* measured =
      j.contains("measured") && j["measured"].is_object() ? &j["measured"] : nullptr;
  if (measured && (*measured).contains("tasks") && (*measured)["tasks"].is_array()) {
    for (const auto& t : (*measured)["tasks"]) {
      const auto v = Number(t, "score");
      if (!t.contains("column") || !t["column"].is_string() || !v) {
        throw Error(fmt::format("{}: a measured task without a column or a score", name));
      }
      add_score(Lower(t["column"].get<std::string>()), *v, "measured score");
    }
  } else if (const auto v = Number(row, "score"); v && j.contains("score") && j["score"].is_string()) {
    add_score(Lower(j["score"].get<std::string>()), *v, "score");
  }
  if (in.scores.empty()) throw Error(fmt::format("{}: no score", name));
  if (measured && (*measured).contains("score_ci95") && (*measured)["score_ci95"].is_array() &&
      (*measured)["score_ci95"].size() == 2 && j.contains("score") && j["score"].is_string()) {
    const auto& ci = (*measured)["score_ci95"];
    if (ci[0].is_number() && ci[1].is_number()) {
      in.ci_column = Lower(j["score"].get<std::string>());
      in.ci_lo = ci[0].get<double>();
      in.ci_hi = ci[1].get<double>();
    }
  }
  return in;
}

TrendMark PlaceMark(const MarkInput& in, const DensityOptions& options, Metric metric,
                    const Date& date, const std::string& name) {
  const std::string column = Lower(options.score_column);
  std::optional<double> score;
  if (column == kAverageTask) {
    double sum = 0;
    for (const auto& [c, v] : in.scores) sum += v;
    if (!in.scores.empty()) score = sum / static_cast<double>(in.scores.size());
  } else if (auto it = in.scores.find(column); it != in.scores.end()) {
    score = it->second;
  }
  if (!score) {
    std::string have;
    for (const auto& [c, v] : in.scores) have += (have.empty() ? "" : ", ") + c;
    throw Error(fmt::format("{}: no {} score (it has {}; pick one with --task)", name, column,
                            have));
  }
  const std::optional<double> n = options.params == ParamKind::kActive  ? in.active_b
                                  : options.params == ParamKind::kTotal ? in.total_b
                                                                        : in.non_embedding_b;
  if (!n) {
    throw Error(fmt::format("{}: no {} parameter count", name, ParamKindName(options.params)));
  }
  auto value_at = [&](double s) {
    ModelFacts f;
    f.model = in.label;
    f.params_b = *n;
    f.score = s;
    return ComputeDensity(f, options).Value(metric);
  };
  TrendMark m;
  m.label = in.label;
  m.date = date;
  m.score = *score;
  m.params_b = *n;
  const auto v = value_at(*score);
  if (!v) {
    throw Error(fmt::format("{}: {} {:.2f} at {:.4g}B parameters has no {} density (at or below "
                            "chance, or outside the reference's reach)",
                            name, column, *score, *n, MetricName(metric)));
  }
  m.value = *v;
  if (in.ci_lo && in.ci_hi && in.ci_column == column) {
    const auto lo = value_at(*in.ci_lo), hi = value_at(*in.ci_hi);
    if (lo && hi) {
      m.lo = std::min(*lo, *hi);
      m.hi = std::max(*lo, *hi);
    }
  }
  return m;
}

}  // namespace densing::density
