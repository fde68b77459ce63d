// CsvTable: an RFC 4180 CSV text read into a header and records that remember their line numbers.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/csv.h"

namespace densing::density {

using densing::CsvRecord;

class CsvTable {
 public:
  // Parses `text`; `name` (a path or "built-in catalog") prefixes every error. The first record
  // is the header; every record must have as many fields as the header. Blank lines are skipped.
  static CsvTable Parse(std::string_view text, std::string_view name);
  static CsvTable Load(const std::string& path);

  const std::string& name() const { return name_; }
  const std::vector<std::string>& header() const { return header_; }
  const std::vector<CsvRecord>& records() const { return records_; }

  // Index of the column named `column` (case-insensitive, surrounding spaces ignored).
  std::optional<size_t> Find(std::string_view column) const;
  // As Find, but throws Error naming the file and the column when it is missing.
  size_t Require(std::string_view column) const;

 private:
  std::string name_;
  std::vector<std::string> header_;
  std::vector<CsvRecord> records_;
};

// The whole file; throws Error naming the path when it cannot be read.
std::string ReadTextFile(const std::string& path);

// Whitespace trimmed from both ends.
std::string Trim(std::string_view s);
// Lower-cased ASCII copy.
std::string Lower(std::string_view s);

// A finite number spanning the whole (trimmed) cell, or nullopt when the cell is empty. Anything
// else throws Error "NAME:LINE: column COLUMN: 'CELL' is not a number".
std::optional<double> ParseNumberCell(std::string_view cell, std::string_view name, int line,
                                      std::string_view column);

}  // namespace densing::density
