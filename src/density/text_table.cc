// Table rendering.
#include "density/text_table.h"

#include <algorithm>
#include <cctype>

#include "base/error.h"

namespace densing::density {
namespace {

bool LooksNumeric(const std::string& s) {
  if (s.empty() || s == "-") return true;
  // A sign only first or after an exponent, so that dates stay text.
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool sign_ok = (c == '-' || c == '+') && (i == 0 || s[i - 1] == 'e');
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.' && c != 'e' && c != '%' &&
        !sign_ok) {
      return false;
    }
  }
  return true;
}

// Display width: UTF-8 continuation bytes take no column.
size_t Width(const std::string& s) {
  size_t w = 0;
  for (unsigned char c : s) w += (c & 0xC0) != 0x80;
  return w;
}

std::string CsvCell(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

TextTable::TextTable(std::vector<std::string> header) : header_(std::move(header)) {}

void TextTable::AddRow(std::vector<std::string> cells) {
  DENSING_CHECK(cells.size() == header_.size());
  rows_.push_back(std::move(cells));
}

std::string TextTable::Render(const std::string& indent) const {
  const size_t n = header_.size();
  std::vector<size_t> width(n);
  std::vector<bool> right(n, true);
  for (size_t c = 0; c < n; ++c) {
    width[c] = Width(header_[c]);
    for (const auto& r : rows_) {
      width[c] = std::max(width[c], Width(r[c]));
      right[c] = right[c] && LooksNumeric(r[c]);
    }
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out = indent;
    for (size_t c = 0; c < n; ++c) {
      const std::string pad(width[c] - Width(cells[c]), ' ');
      out += right[c] ? pad + cells[c] : cells[c] + (c + 1 < n ? pad : "");
      if (c + 1 < n) out += "  ";
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::string out = line(header_);
  for (const auto& r : rows_) out += line(r);
  return out;
}

std::string TextTable::Csv() const {
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    for (size_t c = 0; c < cells.size(); ++c) out += (c ? "," : "") + CsvCell(cells[c]);
    out += "\n";
  };
  line(header_);
  for (const auto& r : rows_) line(r);
  return out;
}

}  // namespace densing::density
