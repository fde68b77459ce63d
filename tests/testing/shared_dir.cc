// Locating shared test material.
#include "testing/shared_dir.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
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

bool UnderEmulation() { return DENSING_EMULATED != 0; }

namespace {

// The paths TempPath handed out, removed (with a writer's PATH.tmp) when the test process ends.
class TempFiles {
 public:
  ~TempFiles() {
    for (const std::string& p : paths_) {
      std::error_code ec;
      std::filesystem::remove(p, ec);
      std::filesystem::remove(p + ".tmp", ec);
    }
  }
  void Add(const std::string& p) {
    std::lock_guard<std::mutex> lock(mu_);
    paths_.insert(p);
  }

 private:
  std::mutex mu_;
  std::set<std::string> paths_;
};

TempFiles& Temporaries() {
  static TempFiles files;
  return files;
}

}  // namespace

std::string TempPath(const std::string& name) {
  std::string path =
      std::filesystem::temp_directory_path().string() + "/densing_" + std::to_string(::getpid()) + "_" + name;
  Temporaries().Add(path);
  return path;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace densing::testing
