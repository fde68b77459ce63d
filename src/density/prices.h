// Prices: USD per million tokens of hosted models over time with their scores, and the series
// for "the cheapest price of a given capability" (its halving time is a trend of tokens per
// dollar).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "density/date.h"
#include "density/trend.h"

namespace densing::density {

struct PriceEntry {
  int line = 0;
  std::string model;
  Date date;
  double usd_per_mtok = 0;
  std::optional<double> score;
};

struct PriceTable {
  std::string name;
  std::string score_column;
  std::vector<PriceEntry> entries;
};

// Columns: model, date (YYYY-MM or YYYY-MM-DD), price_usd_per_mtok, the score column; source
// columns as in the catalog (X_source must be filled where the file has it and X has a value).
PriceTable ParsePrices(std::string_view text, std::string_view name,
                       const std::string& score_column);
PriceTable LoadPrices(const std::string& path, const std::string& score_column);
// data/prices.csv, compiled in.
PriceTable BuiltinPrices(const std::string& score_column);

// A score threshold given as a number ("64.8") or as the name of a model in the table, whose
// earliest row's score is used ("GPT-3.5"). Throws Error when neither.
double ResolveThreshold(const PriceTable& table, const std::string& spec);

// One point per row scoring at least `threshold`, with value = 1 / price (million tokens per
// dollar), so that the trend's envelope is the cheapest price to date and its doubling time the
// price's halving time.
std::vector<TrendPoint> CheapestAtThreshold(const PriceTable& table, double threshold);

}  // namespace densing::density
