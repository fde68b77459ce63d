// TextTable: the aligned, plain-text tables the density commands print, and their CSV form.
#pragma once

#include <string>
#include <vector>

namespace densing::density {

class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header);
  void AddRow(std::vector<std::string> cells);  // as many cells as the header
  // Columns padded to their widest cell; columns whose cells all look numeric align right.
  std::string Render(const std::string& indent = "") const;
  // RFC 4180: cells with a comma, quote or newline are quoted.
  std::string Csv() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace densing::density
