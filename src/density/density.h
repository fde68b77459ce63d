// Density of one model: simple (score / N), above-chance ((score − chance) / N), effective
// (ρ = N̂ / N against a Reference) and per gigabyte of weights.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "density/catalog.h"
#include "density/date.h"
#include "density/reference.h"
#include "density/trend.h"

namespace densing::density {

enum class Metric : uint8_t { kSimple, kAboveChance, kEffective };
const char* MetricName(Metric metric);      // "simple", "above-chance", "effective"
Metric ParseMetric(std::string_view text);  // throws Error naming the choices

// What is known about one model.
struct ModelFacts {
  std::string model;
  std::optional<Date> release;
  std::optional<double> params_b;   // of the ParamKind in DensityOptions
  std::optional<double> score;      // percent
  std::optional<double> weight_gb;  // bytes the weights take / 1e9 (from a GGUF file)
  bool params_estimate = false;
  std::string kind;     // base, chat or empty
  std::string weights;  // open, closed or empty
};

struct DensityOptions {
  std::string score_column = "mmlu";
  ParamKind params = ParamKind::kActive;
  double chance = 25;
  const Reference* reference = nullptr;  // no effective density without one
};

struct DensityRow {
  std::string model;
  std::optional<Date> release;
  double params_b = 0;
  double score = 0;
  bool params_estimate = false;
  std::string kind;
  std::string weights;
  double simple = 0;        // score / params_b
  double above_chance = 0;  // (score − chance) / params_b; ≤ 0 at or below chance
  std::optional<EffectiveParams> effective;
  std::optional<double> rho;  // n_hat_b / params_b when the reference reaches the score
  std::optional<double> weight_gb;
  std::optional<double> score_per_gb;
  std::optional<double> above_chance_per_gb;

  // The value a trend uses for `metric`; nullopt when it has none or it is not positive (a
  // logarithm is taken).
  std::optional<double> Value(Metric metric) const;
};

// Throws Error naming the model when its score or parameter count is missing or not positive.
DensityRow ComputeDensity(const ModelFacts& facts, const DensityOptions& options);

// Facts of a catalog entry for the given score column and parameter kind.
ModelFacts FactsOf(const CatalogEntry& entry, const DensityOptions& options);

// Rows for every entry with a score and a parameter count; the others are listed in `skipped`
// with the reason ("Phi-2: no mmlu").
std::vector<DensityRow> CatalogDensities(const Catalog& catalog, const DensityOptions& options,
                                         std::vector<std::string>* skipped);

nlohmann::json ToJson(const DensityRow& row);

// Which rows a trend takes. The protocol is the densing-law paper's: open-weight base models
// released from Llama-1 (2023-02-24) on. A row outside it is left out (listed in `skipped`), or,
// with `all`, kept and marked outside_protocol.
struct TrendSelection {
  Metric metric = Metric::kEffective;
  bool include_estimates = false;  // rows whose parameter count is an estimate
  std::optional<Date> from;        // inclusive; rows before it are not used even with `all`
  std::optional<Date> before;      // exclusive
  std::optional<Date> protocol_from = kTrendEpoch;
  std::string protocol_kind = "base";  // empty: any kind
  bool protocol_open_weights = true;
  bool all = false;
};

// Why a row is outside the protocol ("closed weights", "chat model", "kind unknown", "released
// before 2023-02-24"); empty when it is inside.
std::string OutsideProtocol(const DensityRow& row, const TrendSelection& selection);

// Points for a trend; rows left out are listed in `skipped` with the reason.
std::vector<TrendPoint> TrendPointsOf(const std::vector<DensityRow>& rows,
                                      const TrendSelection& selection,
                                      std::vector<std::string>* skipped);

}  // namespace densing::density
