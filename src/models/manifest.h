// The models the project fetches (data/models.tsv): names, files, the PyPI packages that carry
// them and their SHA-256. scripts/fetch-models reads the same file.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace densing::models {

struct ModelEntry {
  std::string name;                   // short name, e.g. smollm2-135m-instruct
  std::string file;                   // file name in the models cache
  std::vector<std::string> packages;  // pip requirements whose wheels carry the file, in order
  std::string sha256;                 // lower-case hex
  std::string description;
};

// Tab-separated rows of name, file, packages (comma-separated), sha256, description; lines that
// start with '#' and empty lines are skipped. Throws Error naming `source` and the line.
std::vector<ModelEntry> ParseManifest(std::string_view tsv, const std::string& source);

// data/models.tsv as compiled into densing; its first entry is the default model.
std::string_view BuiltinManifestTsv();
const std::vector<ModelEntry>& BuiltinManifest();

}  // namespace densing::models
