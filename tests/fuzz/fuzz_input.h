// Helpers shared by the fuzz targets: where seed data lives and how one input splits in two.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>

namespace densing::fuzz {

// ../shared (or $DENSING_SHARED_DIR): the tokenizer vocabularies the targets load at start.
inline std::string SharedDir() {
  const char* dir = std::getenv("DENSING_SHARED_DIR");
  return dir != nullptr ? dir : "../shared";
}

// The input up to its first NUL byte, and the rest after it (empty when there is no NUL).
inline std::pair<std::string_view, std::string_view> SplitAtNul(const uint8_t* data, size_t size) {
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  const size_t nul = all.find('\0');
  if (nul == std::string_view::npos) return {all, {}};
  return {all.substr(0, nul), all.substr(nul + 1)};
}

}  // namespace densing::fuzz
