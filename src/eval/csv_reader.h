// RFC 4180 CSV as Python's csv module writes it: quoted fields may hold commas, doubled quotes and
// newlines; each record knows the line it starts on.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace densing::eval {

struct CsvRecord {
  int64_t line = 0;  // 1-based line where the record starts
  std::vector<std::string> fields;
  std::string error;  // non-empty: the record is malformed (an unterminated quote)
};

// Blank lines give no record. Never throws: a malformed record carries its error.
std::vector<CsvRecord> ParseCsv(std::string_view text);

}  // namespace densing::eval
