// The models cache: the folder scripts/fetch-models fills, what is in it, and the default model
// that run, chat and serve use without -m.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/manifest.h"

namespace densing::models {

// $DENSING_MODELS, else $XDG_CACHE_HOME/densing/models, else $HOME/.cache/densing/models (the
// same rule as scripts/fetch-models). Throws Error when none of them is set.
std::string ModelsDir();

struct CachedModel {
  std::string file;                   // file name in the cache
  std::string path;                   // dir/file
  bool present = false;               // false: a manifest model not fetched yet
  bool is_default = false;            // the manifest's first model
  const ModelEntry* entry = nullptr;  // its manifest row; null for a file the manifest lacks
  uint64_t bytes = 0;
  std::string architecture;  // general.architecture, or empty when the file cannot be read
  std::string error;         // why the GGUF header could not be read
};

// The manifest's models (present or not) in manifest order, then every other *.gguf file in
// `dir` by name. A missing folder is an empty cache. GGUF headers are read to name the
// architecture; a file that does not parse is listed with its error.
std::vector<CachedModel> ListCache(const std::string& dir, const std::vector<ModelEntry>& manifest);

// dir/<the manifest's first file> when that file is there; otherwise throws Error saying to run
// scripts/setup or pass -m.
std::string DefaultModelPath(const std::string& dir, const std::vector<ModelEntry>& manifest);

}  // namespace densing::models
