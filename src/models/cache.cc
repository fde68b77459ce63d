// Locating and listing the models cache.
#include "models/cache.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "base/error.h"
#include "gguf/gguf_file.h"

namespace densing::models {
namespace {

namespace fs = std::filesystem;

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

bool IsFile(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);  // follows symlinks
}

CachedModel Describe(const fs::path& path, const ModelEntry* entry) {
  CachedModel m;
  m.file = path.filename().string();
  m.path = path.string();
  m.entry = entry;
  m.present = IsFile(path);
  if (!m.present) return m;
  std::error_code ec;
  m.bytes = fs::file_size(path, ec);
  try {
    m.architecture = gguf::File::Open(m.path)->GetString("general.architecture");
  } catch (const Error& e) {
    m.error = e.what();
  }
  return m;
}

}  // namespace

std::string ModelsDir() {
  if (std::string dir = Env("DENSING_MODELS"); !dir.empty()) return dir;
  if (std::string xdg = Env("XDG_CACHE_HOME"); !xdg.empty()) return xdg + "/densing/models";
  if (std::string home = Env("HOME"); !home.empty()) return home + "/.cache/densing/models";
  throw Error("cannot locate the models cache: set DENSING_MODELS, XDG_CACHE_HOME or HOME");
}

std::vector<CachedModel> ListCache(const std::string& dir,
                                   const std::vector<ModelEntry>& manifest) {
  std::vector<CachedModel> out;
  for (const ModelEntry& e : manifest) {
    out.push_back(Describe(fs::path(dir) / e.file, &e));
    out.back().is_default = &e == &manifest.front();
  }
  std::vector<fs::path> others;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    const bool known = std::any_of(manifest.begin(), manifest.end(),
                                   [&](const ModelEntry& e) { return e.file == p.filename(); });
    if (!known && p.extension() == ".gguf" && IsFile(p)) others.push_back(p);
  }
  std::sort(others.begin(), others.end());
  for (const fs::path& p : others) out.push_back(Describe(p, nullptr));
  return out;
}

std::string DefaultModelPath(const std::string& dir, const std::vector<ModelEntry>& manifest) {
  if (manifest.empty()) throw Error("no model given: pass -m FILE");
  const fs::path path = fs::path(dir) / manifest.front().file;
  if (!IsFile(path)) {
    throw Error("no model given and " + manifest.front().file + " is not in " + dir +
                ": run scripts/setup to fetch it, or pass -m FILE");
  }
  return path.string();
}

}  // namespace densing::models
