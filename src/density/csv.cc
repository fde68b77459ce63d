// RFC 4180 CSV: quoted fields may hold commas, doubled quotes and newlines.
#include "density/csv.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "base/error.h"

namespace densing::density {

std::string Trim(std::string_view s) {
  size_t b = 0;
  size_t e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

CsvTable CsvTable::Parse(std::string_view text, std::string_view name) {
  CsvTable table;
  table.name_ = std::string(name);
  std::vector<CsvRecord> rows = ParseCsv(text);
  for (const CsvRecord& r : rows) {
    if (!r.error.empty()) Fail("{}:{}: {}", name, r.line, r.error);
    if (!r.irregular.empty()) {
      Fail("{}:{}: {} (quote the whole field and double the quotes inside it)", name, r.line,
           r.irregular);
    }
  }
  if (rows.empty()) Fail("{}: empty file (expected a header line)", name);
  for (auto& h : rows.front().fields) table.header_.push_back(Trim(h));
  for (size_t c = 0; c < table.header_.size(); ++c) {
    if (table.header_[c].empty()) Fail("{}:1: header column {} has no name", name, c + 1);
    for (size_t d = 0; d < c; ++d) {
      if (Lower(table.header_[c]) == Lower(table.header_[d])) {
        Fail("{}:1: column '{}' appears twice in the header", name, table.header_[c]);
      }
    }
  }
  for (size_t r = 1; r < rows.size(); ++r) {
    if (rows[r].fields.size() != table.header_.size()) {
      Fail("{}:{}: {} fields, the header has {}", name, rows[r].line, rows[r].fields.size(),
           table.header_.size());
    }
    table.records_.push_back(std::move(rows[r]));
  }
  return table;
}

std::string ReadTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Fail("{}: cannot open the file", path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) Fail("{}: read error", path);
  return text.str();
}

CsvTable CsvTable::Load(const std::string& path) { return Parse(ReadTextFile(path), path); }

std::optional<size_t> CsvTable::Find(std::string_view column) const {
  const std::string want = Lower(Trim(column));
  for (size_t c = 0; c < header_.size(); ++c) {
    if (Lower(header_[c]) == want) return c;
  }
  return std::nullopt;
}

size_t CsvTable::Require(std::string_view column) const {
  if (auto c = Find(column)) return *c;
  Fail("{}:1: no column '{}' in the header", name_, column);
}

std::optional<double> ParseNumberCell(std::string_view cell, std::string_view name, int line,
                                      std::string_view column) {
  const std::string s = Trim(cell);
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(v)) {
    Fail("{}:{}: column {}: '{}' is not a number", name, line, column, s);
  }
  return v;
}

}  // namespace densing::density
