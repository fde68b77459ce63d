// densing models: what is in the models cache that scripts/setup fills, and which is the default.
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "commands.h"
#include "models/cache.h"

namespace densing::cli {
namespace {

nlohmann::json ToJson(const models::CachedModel& m) {
  nlohmann::json j = {{"file", m.file},       {"path", m.path},
                      {"present", m.present}, {"default", m.is_default},
                      {"bytes", m.bytes},     {"architecture", m.architecture}};
  if (m.entry) {
    j["name"] = m.entry->name;
    j["sha256"] = m.entry->sha256;
    j["packages"] = m.entry->packages;
    j["description"] = m.entry->description;
  }
  if (!m.error.empty()) j["error"] = m.error;
  return j;
}

std::string Size(const models::CachedModel& m) {
  if (!m.present) return "-";
  return fmt::format("{:.1f} MiB", static_cast<double>(m.bytes) / (1 << 20));
}

std::string Architecture(const models::CachedModel& m) {
  if (!m.present) return "(not fetched)";
  return m.error.empty() ? m.architecture : "(unreadable)";
}

void ListModels(bool json) {
  const std::string dir = models::ModelsDir();
  const std::vector<models::CachedModel> list = models::ListCache(dir, models::BuiltinManifest());
  if (json) {
    nlohmann::json out = {{"dir", dir}, {"models", nlohmann::json::array()}};
    for (const auto& m : list) out["models"].push_back(ToJson(m));
    std::puts(out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return;
  }
  fmt::print("models cache {} (DENSING_MODELS sets another)\n", dir);
  fmt::print("  {:<22} {:<34} {:>10}  {:<14} {}\n", "name", "file", "size", "architecture",
             "about");
  bool missing = false;
  for (const auto& m : list) {
    missing = missing || !m.present;
    fmt::print("{} {:<22} {:<34} {:>10}  {:<14} {}\n", m.is_default ? '*' : ' ',
               m.entry ? m.entry->name : "-", m.file, Size(m), Architecture(m),
               m.entry ? m.entry->description : "");
    if (!m.error.empty()) fmt::print("    {}\n", m.error);
  }
  fmt::print("* the default of run, chat and serve when no -m is given\n");
  if (missing)
    fmt::print("scripts/setup (or scripts/fetch-models) fetches the models not fetched\n");
}

void AddModelsCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "models", "List the models cache that scripts/setup fills, and the default model");
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "Print JSON");
  cmd->callback([json] { ListModels(*json); });
}

DENSING_COMMAND(35, AddModelsCommand);

}  // namespace
}  // namespace densing::cli
