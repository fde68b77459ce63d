// Locating shared test material.
#include "testing/shared_dir.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace densing::testing {

std::string SharedDir() {
  if (const char* env = std::getenv("DENSING_SHARED")) return env;
  return DENSING_SHARED_DIR;
}

bool HaveShared() { return std::filesystem::exists(SharedDir() + "/models"); }

std::string SharedMissing() {
  return "shared test material not found at " + SharedDir() + " (set DENSING_SHARED)";
}

std::string DensingBinary() { return DENSING_BINARY; }

std::string TempPath(const std::string& name) {
  return std::filesystem::temp_directory_path().string() + "/densing_" + std::to_string(::getpid()) + "_" + name;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace densing::testing
