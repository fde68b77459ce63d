// Reading the price table and selecting the rows at a capability threshold.
#include "density/prices.h"

#include <cstdlib>

#include "base/error.h"
#include "density/builtin_data.h"
#include "density/catalog.h"
#include "density/csv.h"

namespace densing::density {

PriceTable ParsePrices(std::string_view text, std::string_view name,
                       const std::string& score_column) {
  const CsvTable t = CsvTable::Parse(text, name);
  PriceTable out;
  out.name = std::string(name);
  out.score_column = score_column;
  const size_t model_col = t.Require("model");
  const size_t date_col = t.Require("date");
  const size_t price_col = t.Require("price_usd_per_mtok");
  const size_t score_col = t.Require(score_column);
  for (const auto& r : t.records()) {
    auto need_source = [&](size_t col) {
      if (auto s = t.Find(SourceColumnFor(t.header()[col])); s && Trim(r.fields[*s]).empty()) {
        Fail("{}:{}: {} has a value but {} is empty", name, r.line, t.header()[col],
             t.header()[*s]);
      }
    };
    PriceEntry e;
    e.line = r.line;
    e.model = Trim(r.fields[model_col]);
    if (e.model.empty()) Fail("{}:{}: empty model name", name, r.line);
    e.date = ParseDateOrFail(r.fields[date_col], fmt::format("{}:{}: date", name, r.line));
    need_source(date_col);
    auto price = ParseNumberCell(r.fields[price_col], name, r.line, t.header()[price_col]);
    if (!price || !(*price > 0)) {
      Fail("{}:{}: {} must be a positive number", name, r.line, t.header()[price_col]);
    }
    e.usd_per_mtok = *price;
    need_source(price_col);
    e.score = ParseNumberCell(r.fields[score_col], name, r.line, t.header()[score_col]);
    if (e.score) {
      if (*e.score < 0 || *e.score > 100) {
        Fail("{}:{}: {} = {} is outside 0..100", name, r.line, t.header()[score_col], *e.score);
      }
      need_source(score_col);
    }
    out.entries.push_back(std::move(e));
  }
  return out;
}

PriceTable LoadPrices(const std::string& path, const std::string& score_column) {
  return ParsePrices(ReadTextFile(path), path, score_column);
}

PriceTable BuiltinPrices(const std::string& score_column) {
  return ParsePrices(BuiltinPricesCsv(), "built-in prices", score_column);
}

double ResolveThreshold(const PriceTable& table, const std::string& spec) {
  const std::string s = Trim(spec);
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (!s.empty() && end == s.c_str() + s.size()) {
    if (v < 0 || v > 100) Fail("--threshold: {} is outside 0..100", v);
    return v;
  }
  const PriceEntry* first = nullptr;
  for (const auto& e : table.entries) {
    if (Lower(e.model) == Lower(s) && e.score &&
        (!first || e.date.DaysSinceEpoch() < first->date.DaysSinceEpoch())) {
      first = &e;
    }
  }
  if (!first) {
    Fail("--threshold: '{}' is neither a score nor a model with a {} score in {}", spec,
         table.score_column, table.name);
  }
  return *first->score;
}

std::vector<TrendPoint> CheapestAtThreshold(const PriceTable& table, double threshold) {
  std::vector<TrendPoint> out;
  for (const auto& e : table.entries) {
    if (e.score && *e.score >= threshold) {
      out.push_back(
          {fmt::format("{} (${:g})", e.model, e.usd_per_mtok), e.date, 1.0 / e.usd_per_mtok});
    }
  }
  return out;
}

}  // namespace densing::density
