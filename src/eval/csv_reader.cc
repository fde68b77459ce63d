// A small state machine over the bytes; lenient where Python's reader is (text after a closing
// quote joins the field), strict only about quotes left open at the end of the file.
#include "eval/csv_reader.h"

namespace densing::eval {

std::vector<CsvRecord> ParseCsv(std::string_view text) {
  std::vector<CsvRecord> out;
  CsvRecord rec;
  std::string field;
  bool in_quotes = false, field_started = false, record_started = false;
  int64_t line = 1;
  auto end_field = [&] {
    rec.fields.push_back(std::move(field));
    field.clear();
    field_started = false;
  };
  auto end_record = [&] {
    if (record_started) {
      end_field();
      out.push_back(std::move(rec));
    }
    rec = CsvRecord{};
    record_started = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (!record_started) {
      if (c == '\n' || c == '\r') {  // a blank line
        if (c == '\n') ++line;
        continue;
      }
      record_started = true;
      rec.line = line;
    }
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        if (c == '\n') ++line;
        field.push_back(c);
      }
      continue;
    }
    if (c == '"' && !field_started) {
      in_quotes = true;
      field_started = true;
    } else if (c == ',') {
      end_field();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      ++line;
      end_record();
    } else {
      field.push_back(c);
      field_started = true;
    }
  }
  if (in_quotes) rec.error = "a quoted field is not closed before the end of the file";
  end_record();
  return out;
}

}  // namespace densing::eval
