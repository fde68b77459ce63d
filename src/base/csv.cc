// A state machine over the bytes: outside quotes, in quotes, and after a closing quote.
#include "base/csv.h"

namespace densing {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

bool OnlySpaces(std::string_view s) {
  for (char c : s) {
    if (!IsSpace(c)) return false;
  }
  return true;
}

}  // namespace

std::vector<CsvRecord> ParseCsv(std::string_view text) {
  std::vector<CsvRecord> out;
  CsvRecord rec;
  std::string field;
  enum class State { kField, kQuoted, kAfterQuote } state = State::kField;
  int64_t line = 1;
  rec.line = 1;
  auto flag = [&](const char* what) {
    if (rec.irregular.empty()) rec.irregular = what;
  };
  auto end_field = [&] {
    rec.fields.push_back(std::move(field));
    field.clear();
    state = State::kField;
  };
  auto end_record = [&] {
    const bool blank = rec.fields.empty() && OnlySpaces(field) && state == State::kField;
    end_field();
    if (!blank) out.push_back(std::move(rec));
    rec = CsvRecord{};
    rec.line = line;
  };
  size_t i = text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (state == State::kQuoted) {
      if (c != '"') {
        if (c == '\n') ++line;
        field.push_back(c);
      } else if (i + 1 < text.size() && text[i + 1] == '"') {
        field.push_back('"');
        ++i;
      } else {
        state = State::kAfterQuote;
      }
      continue;
    }
    if (c == ',') {
      end_field();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      ++line;
      end_record();
    } else if (state == State::kAfterQuote) {
      if (!IsSpace(c)) {
        flag("text after a closing quote");
        field.push_back(c);
      }
    } else if (c == '"' && OnlySpaces(field)) {
      field.clear();
      state = State::kQuoted;
    } else {
      if (c == '"') flag("a quote inside an unquoted field");
      field.push_back(c);
    }
  }
  if (state == State::kQuoted) rec.error = "a quoted field is not closed before the end of the file";
  end_record();
  return out;
}

}  // namespace densing
