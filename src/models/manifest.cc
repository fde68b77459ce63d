// Parsing data/models.tsv.
#include "models/manifest.h"

#include <algorithm>

#include "base/error.h"

namespace densing::models {
namespace {

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    const size_t end = s.find(sep, start);
    parts.emplace_back(s.substr(start, end == std::string_view::npos ? s.npos : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

bool IsSha256(const std::string& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

}  // namespace

std::vector<ModelEntry> ParseManifest(std::string_view tsv, const std::string& source) {
  std::vector<ModelEntry> entries;
  int line_no = 0;
  for (std::string line : Split(tsv, '\n')) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    const std::string where = source + " line " + std::to_string(line_no);
    std::vector<std::string> f = Split(line, '\t');
    if (f.size() != 5) {
      throw Error(where +
                  ": expected 5 tab-separated fields (name, file, packages, sha256, "
                  "description), found " +
                  std::to_string(f.size()));
    }
    ModelEntry e{f[0], f[1], Split(f[2], ','), f[3], f[4]};
    if (e.name.empty() || e.file.empty() || e.file.find('/') != std::string::npos) {
      throw Error(where + ": a model needs a name and a plain file name");
    }
    if (!IsSha256(e.sha256)) throw Error(where + ": sha256 must be 64 lower-case hex digits");
    entries.push_back(std::move(e));
  }
  return entries;
}

const std::vector<ModelEntry>& BuiltinManifest() {
  static const std::vector<ModelEntry> entries =
      ParseManifest(BuiltinManifestTsv(), "data/models.tsv");
  return entries;
}

}  // namespace densing::models
