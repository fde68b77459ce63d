// CSV text as Python's csv module reads it (RFC 4180: quoted fields may hold commas, doubled
// quotes and newlines), split into records that remember their line. One reader for the catalog,
// the price list and the evaluation data; how strict to be is the caller's choice.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace densing {

struct CsvRecord {
  int64_t line = 0;  // 1-based line where the record starts
  std::vector<std::string> fields;
  // The record cannot be read: a quoted field is still open at the end of the text.
  std::string error;
  // Read the way Python does, but not RFC 4180: a quote inside an unquoted field (kept as a
  // character) or text after a closing quote (joined to the field). Empty when regular.
  std::string irregular;
};

// Skips a UTF-8 byte-order mark and lines holding only spaces. Spaces around a quoted field are
// dropped. Never throws.
std::vector<CsvRecord> ParseCsv(std::string_view text);

}  // namespace densing
