// Density arithmetic for one model and for a whole catalog.
#include "density/density.h"

#include "base/error.h"
#include "density/csv.h"

namespace densing::density {

const char* MetricName(Metric metric) {
  switch (metric) {
    case Metric::kSimple:
      return "simple";
    case Metric::kAboveChance:
      return "above-chance";
    case Metric::kEffective:
      return "effective";
  }
  return "?";
}

Metric ParseMetric(std::string_view text) {
  const std::string t = Lower(Trim(text));
  if (t == "simple") return Metric::kSimple;
  if (t == "above-chance" || t == "above_chance") return Metric::kAboveChance;
  if (t == "effective") return Metric::kEffective;
  Fail("--metric: '{}' is not one of simple, above-chance, effective", text);
}

std::optional<double> DensityRow::Value(Metric metric) const {
  std::optional<double> v;
  switch (metric) {
    case Metric::kSimple:
      v = simple;
      break;
    case Metric::kAboveChance:
      v = above_chance;
      break;
    case Metric::kEffective:
      v = rho;
      break;
  }
  if (v && *v > 0) return v;
  return std::nullopt;
}

DensityRow ComputeDensity(const ModelFacts& facts, const DensityOptions& options) {
  if (!facts.score) Fail("{}: no {} score", facts.model, options.score_column);
  if (!facts.params_b)
    Fail("{}: no {} parameter count", facts.model, ParamKindName(options.params));
  if (!(*facts.params_b > 0)) {
    Fail("{}: parameter count {} is not positive", facts.model, *facts.params_b);
  }
  if (*facts.score < 0 || *facts.score > 100) {
    Fail("{}: score {} is outside 0..100", facts.model, *facts.score);
  }
  DensityRow row;
  row.model = facts.model;
  row.release = facts.release;
  row.params_b = *facts.params_b;
  row.score = *facts.score;
  row.params_estimate = facts.params_estimate;
  row.kind = facts.kind;
  row.weights = facts.weights;
  row.simple = row.score / row.params_b;
  row.above_chance = (row.score - options.chance) / row.params_b;
  if (options.reference) {
    row.effective = options.reference->Effective(row.score);
    if (row.effective->reach == Reach::kInside) row.rho = row.effective->n_hat_b / row.params_b;
  }
  if (facts.weight_gb && *facts.weight_gb > 0) {
    row.weight_gb = facts.weight_gb;
    row.score_per_gb = row.score / *facts.weight_gb;
    row.above_chance_per_gb = (row.score - options.chance) / *facts.weight_gb;
  }
  return row;
}

ModelFacts FactsOf(const CatalogEntry& entry, const DensityOptions& options) {
  ModelFacts f;
  f.model = entry.model;
  f.release = entry.release;
  f.params_b = entry.Params(options.params);
  f.score = entry.Score(options.score_column);
  f.params_estimate = entry.params_estimate;
  f.kind = entry.kind;
  f.weights = entry.weights;
  return f;
}

std::vector<DensityRow> CatalogDensities(const Catalog& catalog, const DensityOptions& options,
                                         std::vector<std::string>* skipped) {
  std::vector<DensityRow> rows;
  for (const auto& e : catalog.entries) {
    const ModelFacts f = FactsOf(e, options);
    if (!f.score || !f.params_b) {
      if (skipped) {
        std::string why;
        if (!f.score) why = "no " + options.score_column;
        if (!f.params_b) {
          why += fmt::format("{}no {} parameter count", why.empty() ? "" : ", ",
                             ParamKindName(options.params));
        }
        skipped->push_back(e.model + ": " + why);
      }
      continue;
    }
    rows.push_back(ComputeDensity(f, options));
  }
  return rows;
}

nlohmann::json ToJson(const DensityRow& row) {
  auto opt = [](const std::optional<double>& v) -> nlohmann::json {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
  };
  nlohmann::json j;
  j["model"] = row.model;
  j["release"] = row.release ? nlohmann::json(row.release->ToString()) : nlohmann::json(nullptr);
  j["params_B"] = row.params_b;
  j["params_estimate"] = row.params_estimate;
  j["score"] = row.score;
  j["simple_density"] = row.simple;
  j["above_chance_density"] = row.above_chance;
  if (row.effective) {
    j["effective_reach"] = ReachName(row.effective->reach);
    j["effective_params_B"] =
        row.effective->reach == Reach::kInside ? nlohmann::json(row.effective->n_hat_b) : nullptr;
    j["effective_extrapolated"] = row.effective->extrapolated;
  }
  j["rho"] = opt(row.rho);
  j["weight_GB"] = opt(row.weight_gb);
  j["score_per_GB"] = opt(row.score_per_gb);
  j["above_chance_per_GB"] = opt(row.above_chance_per_gb);
  return j;
}

std::string OutsideProtocol(const DensityRow& row, const TrendSelection& selection) {
  std::vector<std::string> why;
  if (selection.protocol_open_weights && row.weights != "open") {
    why.push_back(row.weights.empty() ? "weights not known to be open" : "closed weights");
  }
  if (!selection.protocol_kind.empty() && row.kind != selection.protocol_kind) {
    why.push_back(row.kind.empty() ? "kind unknown" : row.kind + " model");
  }
  if (selection.protocol_from && row.release &&
      row.release->DaysSinceEpoch() < selection.protocol_from->DaysSinceEpoch()) {
    why.push_back("released before " + selection.protocol_from->ToString());
  }
  std::string out;
  for (const auto& w : why) out += (out.empty() ? "" : ", ") + w;
  return out;
}

std::vector<TrendPoint> TrendPointsOf(const std::vector<DensityRow>& rows,
                                      const TrendSelection& selection,
                                      std::vector<std::string>* skipped) {
  std::vector<TrendPoint> out;
  auto skip = [&](const DensityRow& r, const std::string& why) {
    if (skipped) skipped->push_back(r.model + ": " + why);
  };
  for (const auto& r : rows) {
    if (!r.release) {
      skip(r, "no release date");
      continue;
    }
    const int day = r.release->DaysSinceEpoch();
    if ((selection.from && day < selection.from->DaysSinceEpoch()) ||
        (selection.before && day >= selection.before->DaysSinceEpoch())) {
      continue;  // outside the window asked for: not worth a line each
    }
    if (r.params_estimate && !selection.include_estimates) {
      skip(r, "parameter count is an estimate (--include-estimates)");
      continue;
    }
    const std::string outside = OutsideProtocol(r, selection);
    if (!outside.empty() && !selection.all) {
      skip(r, "outside the protocol: " + outside + " (--all brings it in)");
      continue;
    }
    auto v = r.Value(selection.metric);
    if (!v) {
      if (selection.metric == Metric::kEffective && r.effective) {
        skip(r, ReachName(r.effective->reach));
      } else if (selection.metric == Metric::kEffective) {
        skip(r, "no reference");
      } else {
        skip(r, fmt::format("{} density is not positive", MetricName(selection.metric)));
      }
      continue;
    }
    out.push_back({r.model, *r.release, *v, !outside.empty()});
  }
  return out;
}

}  // namespace densing::density
