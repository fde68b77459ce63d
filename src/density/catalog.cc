// Catalog loading and validation: every problem is reported with its file and line.
#include "density/catalog.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "base/error.h"
#include "density/builtin_data.h"
#include "density/csv.h"

namespace densing::density {
namespace {

const std::set<std::string, std::less<>> kTextColumns = {
    "model", "org", "family", "kind", "weights", "params_estimate", "paper_figure", "note"};
const char* const kParamColumns[] = {"params_total_b", "params_nonembedding_b", "params_active_b"};

bool IsSourceColumn(std::string_view lower) {
  return lower.size() > 7 && lower.substr(lower.size() - 7) == "_source";
}

// Model names that differ only in case, spaces, '-' or '_' are the same model.
std::string NormalizedName(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '.') {
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
  }
  return out;
}

}  // namespace

const char* ParamKindName(ParamKind kind) {
  switch (kind) {
    case ParamKind::kActive:
      return "active";
    case ParamKind::kTotal:
      return "total";
    case ParamKind::kNonEmbedding:
      return "non-embedding";
  }
  return "?";
}

ParamKind ParseParamKind(std::string_view text) {
  const std::string t = Lower(Trim(text));
  if (t == "active") return ParamKind::kActive;
  if (t == "total") return ParamKind::kTotal;
  if (t == "non-embedding" || t == "nonembedding") return ParamKind::kNonEmbedding;
  Fail("--params: '{}' is not one of active, total, non-embedding", text);
}

std::string SourceColumnFor(std::string_view column) {
  std::string base = Lower(column);
  if (base.size() > 2 && base.substr(base.size() - 2) == "_b") base.resize(base.size() - 2);
  return base + "_source";
}

std::optional<double> ChanceScore(std::string_view column) {
  const std::string c = Lower(column);
  // All four are 4-way multiple choice (ARC's 3- and 5-choice items are padded or cut to 4).
  for (const char* four_way : {"mmlu", "mmlu_5shot", "hellaswag", "arc", "arc_easy", "arc-easy",
                               "arc_e", "arc_challenge", "arc-challenge", "arc_c"}) {
    if (c == four_way) return 25.0;
  }
  // Exact-match generation: a guess scores about nothing. avg mixes both kinds, so its floor is
  // left to the reference fit (0 is only the fit's starting point and the above-chance origin).
  for (const char* generated : {"gsm8k", "math", "humaneval", "mbpp", "avg"}) {
    if (c == generated) return 0.0;
  }
  return std::nullopt;
}

std::optional<double> CatalogEntry::Params(ParamKind kind) const {
  switch (kind) {
    case ParamKind::kActive:
      return params_active_b;
    case ParamKind::kTotal:
      return params_total_b;
    case ParamKind::kNonEmbedding:
      return params_nonembedding_b;
  }
  return std::nullopt;
}

std::optional<double> CatalogEntry::Score(std::string_view column) const {
  auto it = scores.find(Lower(column));
  if (it == scores.end()) return std::nullopt;
  return it->second;
}

const CatalogEntry* Catalog::Find(std::string_view model) const {
  const std::string want = NormalizedName(model);
  for (const auto& e : entries) {
    if (NormalizedName(e.model) == want) return &e;
  }
  return nullptr;
}

Catalog ParseCatalog(std::string_view text, std::string_view name) {
  const CsvTable table = CsvTable::Parse(text, name);
  Catalog catalog;
  catalog.name = std::string(name);
  const size_t model_col = table.Require("model");
  std::vector<std::string> lower_header;
  for (const auto& h : table.header()) lower_header.push_back(Lower(h));

  bool has_params = false;
  for (const char* p : kParamColumns) has_params |= table.Find(p).has_value();
  if (!has_params) {
    Fail(
        "{}:1: no parameter column (need params_active_B, params_total_B or params_nonembedding_B)",
        name);
  }
  std::vector<size_t> score_cols;
  for (size_t c = 0; c < lower_header.size(); ++c) {
    const std::string& h = lower_header[c];
    const bool is_param =
        std::find(std::begin(kParamColumns), std::end(kParamColumns), h) != std::end(kParamColumns);
    if (kTextColumns.count(h) || is_param || h == "release" || IsSourceColumn(h)) continue;
    score_cols.push_back(c);
    catalog.score_columns.push_back(h);
  }

  std::map<std::string, int> first_line;  // normalized model name -> line
  for (const CsvRecord& rec : table.records()) {
    CatalogEntry e;
    e.line = rec.line;
    auto cell = [&](std::string_view column) -> std::string {
      auto c = table.Find(column);
      return c ? Trim(rec.fields[*c]) : std::string();
    };
    // A value needs its source when the file has a source column for it.
    auto check_source = [&](std::string_view column) {
      const std::string src_col = SourceColumnFor(column);
      auto c = table.Find(src_col);
      if (!c) return;
      std::string src = Trim(rec.fields[*c]);
      if (src.empty())
        Fail("{}:{}: {} has a value but {} is empty", name, rec.line, column, src_col);
      e.sources[Lower(column)] = std::move(src);
    };
    e.model = Trim(rec.fields[model_col]);
    if (e.model.empty()) Fail("{}:{}: empty model name", name, rec.line);
    const std::string key = NormalizedName(e.model);
    if (auto [it, inserted] = first_line.emplace(key, rec.line); !inserted) {
      Fail("{}:{}: duplicate model '{}' (first on line {})", name, rec.line, e.model, it->second);
    }
    e.org = cell("org");
    e.family = cell("family");
    e.kind = Lower(cell("kind"));
    if (!e.kind.empty() && e.kind != "base" && e.kind != "chat") {
      Fail("{}:{}: kind '{}' is not base or chat", name, rec.line, e.kind);
    }
    e.weights = Lower(cell("weights"));
    if (!e.weights.empty() && e.weights != "open" && e.weights != "closed") {
      Fail("{}:{}: weights '{}' is not open or closed", name, rec.line, e.weights);
    }
    e.paper_figure = cell("paper_figure");
    e.note = cell("note");
    const std::string estimate = Lower(cell("params_estimate"));
    if (!estimate.empty() && estimate != "yes" && estimate != "no") {
      Fail("{}:{}: params_estimate '{}' is not yes, no or empty", name, rec.line, estimate);
    }
    e.params_estimate = estimate == "yes";
    if (const std::string r = cell("release"); !r.empty()) {
      e.release = ParseDateOrFail(r, fmt::format("{}:{}: release", name, rec.line));
      check_source("release");
    }
    std::optional<double>* param_fields[] = {&e.params_total_b, &e.params_nonembedding_b,
                                             &e.params_active_b};
    for (int p = 0; p < 3; ++p) {
      auto c = table.Find(kParamColumns[p]);
      if (!c) continue;
      const std::string& column = table.header()[*c];
      *param_fields[p] = ParseNumberCell(rec.fields[*c], name, rec.line, column);
      if (!*param_fields[p]) continue;
      const double v = **param_fields[p];
      // 1e-6 B is a thousand parameters; 1e5 B is a hundred trillion.
      if (v < 1e-6 || v > 1e5) {
        Fail("{}:{}: {} = {} is outside 1e-6..1e5 (billions of parameters)", name, rec.line, column,
             v);
      }
      check_source(column);
    }
    if (e.params_total_b) {
      const double total = *e.params_total_b;
      if (e.params_nonembedding_b && *e.params_nonembedding_b > total) {
        Fail("{}:{}: params_nonembedding_B {} exceeds params_total_B {}", name, rec.line,
             *e.params_nonembedding_b, total);
      }
      if (e.params_active_b && *e.params_active_b > total) {
        Fail("{}:{}: params_active_B {} exceeds params_total_B {}", name, rec.line,
             *e.params_active_b, total);
      }
    }
    for (size_t c : score_cols) {
      const std::string& column = table.header()[c];
      auto v = ParseNumberCell(rec.fields[c], name, rec.line, column);
      if (!v) continue;
      if (*v < 0 || *v > 100) {
        Fail("{}:{}: score {} = {} is outside 0..100 (scores are percentages)", name, rec.line,
             column, *v);
      }
      e.scores[Lower(column)] = *v;
      check_source(column);
    }
    catalog.entries.push_back(std::move(e));
  }
  return catalog;
}

Catalog LoadCatalog(const std::string& path) { return ParseCatalog(ReadTextFile(path), path); }

Catalog WithAverageScore(const Catalog& catalog) {
  const std::string avg(kAverageTask);
  for (const auto& c : catalog.score_columns) {
    if (c == avg) Fail("{}: has a column named {}; --task avg would hide it", catalog.name, avg);
  }
  Catalog out = catalog;
  out.score_columns.push_back(avg);
  for (auto& e : out.entries) {
    if (e.scores.empty()) continue;
    double sum = 0;
    std::string names;
    for (const auto& [column, score] : e.scores) {
      sum += score;
      names += (names.empty() ? "" : ", ") + column;
    }
    const size_t n = e.scores.size();
    e.scores[avg] = sum / static_cast<double>(n);
    e.sources[avg] = fmt::format("[calc] mean of {} ({} benchmark{})", names, n, n == 1 ? "" : "s");
  }
  return out;
}

Catalog CatalogForTask(const Catalog& catalog, std::string_view task) {
  return Lower(task) == kAverageTask ? WithAverageScore(catalog) : catalog;
}

const Catalog& BuiltinCatalog() {
  static const Catalog catalog = ParseCatalog(BuiltinCatalogCsv(), "built-in catalog");
  return catalog;
}

}  // namespace densing::density
