// Catalog: public models with release date, parameter counts and benchmark scores, each number
// with its source; the loader that validates a catalog file line by line.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "density/date.h"

namespace densing::density {

// Which parameter count a density divides by.
enum class ParamKind : uint8_t { kActive, kTotal, kNonEmbedding };
const char* ParamKindName(ParamKind kind);        // "active", "total", "non-embedding"
ParamKind ParseParamKind(std::string_view text);  // throws Error on anything else

struct CatalogEntry {
  int line = 0;  // where the row is in its file
  std::string model;
  std::string org;
  std::string family;
  std::string kind;     // "base", "chat" or empty (unknown)
  std::string weights;  // "open", "closed" or empty (unknown)
  std::optional<Date> release;
  std::optional<double> params_total_b;
  std::optional<double> params_nonembedding_b;
  std::optional<double> params_active_b;
  bool params_estimate = false;  // the count is someone's estimate, not a published fact
  std::map<std::string, double, std::less<>> scores;        // column -> score in percent
  std::map<std::string, std::string, std::less<>> sources;  // value column -> its source text
  std::string paper_figure;
  std::string note;

  std::optional<double> Params(ParamKind kind) const;  // billions
  std::optional<double> Score(std::string_view column) const;
};

struct Catalog {
  std::string name;                        // the file, or "built-in catalog"
  std::vector<std::string> score_columns;  // in file order
  std::vector<CatalogEntry> entries;       // in file order

  const CatalogEntry* Find(std::string_view model) const;
};

// Reads a catalog. Required columns: `model` and at least one of params_active_B, params_total_B,
// params_nonembedding_B. Optional: org, family, kind, release, params_estimate, paper_figure, note,
// and for any value column X a source column (X without a trailing "_B", plus "_source"). Every
// other column is a score in percent (0..100), e.g. `mmlu`. Throws Error "NAME:LINE: ..." for a
// bad date, a number out of range, a duplicate model, non-embedding or active above total, or a
// number whose source column exists but is empty.
Catalog ParseCatalog(std::string_view text, std::string_view name);
Catalog LoadCatalog(const std::string& path);

// The catalog compiled into densing from data/catalog.csv.
const Catalog& BuiltinCatalog();

// The column that holds the source of value column `column` ("params_total_B" ->
// "params_total_source", "mmlu" -> "mmlu_source").
std::string SourceColumnFor(std::string_view column);

// The score a model gets by guessing on `column`'s benchmark (25 for 4-way multiple choice, 0 for
// exact-match generation tasks such as gsm8k, math, humaneval, mbpp, and for `avg`, whose
// benchmarks mix the two); nullopt for a benchmark densing does not know (the caller then needs
// --chance).
std::optional<double> ChanceScore(std::string_view column);

// The pseudo-column of `--task avg`: a model's mean over the score columns it has (the densing-law
// paper's capability), as the paper averages whatever benchmarks a model reports.
inline constexpr std::string_view kAverageTask = "avg";

// `catalog` with an `avg` score on every entry that has at least one score: the mean of its
// scores, its source "[calc] mean of mmlu, bbh, ..." naming the columns averaged. Throws Error when
// the catalog already has a column named avg.
Catalog WithAverageScore(const Catalog& catalog);

// `catalog` itself for any task but avg, WithAverageScore(catalog) for avg.
Catalog CatalogForTask(const Catalog& catalog, std::string_view task);

}  // namespace densing::density
