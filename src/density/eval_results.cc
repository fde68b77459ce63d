// Reading task accuracies out of an eval results file.
#include "density/eval_results.h"

#include <optional>

#include "base/error.h"
#include "density/csv.h"

namespace densing::density {
namespace {

std::optional<double> AccuracyOf(const nlohmann::json& task, const std::string& name) {
  if (!task.is_object()) return std::nullopt;
  for (const char* key : {"acc", "accuracy", "acc,none"}) {
    auto it = task.find(key);
    if (it == task.end()) continue;
    if (!it->is_number()) Fail("{}: '{}' is not a number", name, key);
    const double v = it->get<double>();
    if (v < 0 || v > 100) Fail("{}: accuracy {} is outside 0..1 (or 0..100)", name, v);
    return v <= 1.0 ? 100.0 * v : v;
  }
  return std::nullopt;
}

void AddTasks(const nlohmann::json& obj, const std::string& name,
              std::map<std::string, double>* out) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (auto acc = AccuracyOf(it.value(), name)) (*out)[Lower(it.key())] = *acc;
  }
}

}  // namespace

std::map<std::string, double> ScoresFromEvalJson(const nlohmann::json& j, const std::string& name) {
  std::map<std::string, double> out;
  if (!j.is_object()) Fail("{}: expected a JSON object", name);
  if (j.contains("task") && j["task"].is_string()) {
    if (auto acc = AccuracyOf(j, name)) out[Lower(j["task"].get<std::string>())] = *acc;
  }
  if (j.contains("results") && j["results"].is_object()) AddTasks(j["results"], name, &out);
  if (j.contains("tasks") && j["tasks"].is_array()) {
    for (const auto& t : j["tasks"]) {
      if (t.is_object() && t.contains("task") && t["task"].is_string()) {
        if (auto acc = AccuracyOf(t, name)) out[Lower(t["task"].get<std::string>())] = *acc;
      }
    }
  }
  if (out.empty()) AddTasks(j, name, &out);
  if (out.empty()) Fail("{}: no task with an accuracy (acc) found", name);
  return out;
}

std::map<std::string, double> LoadEvalScores(const std::string& path) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(ReadTextFile(path));
  } catch (const nlohmann::json::parse_error& e) {
    Fail("{}: not valid JSON ({})", path, e.what());
  }
  return ScoresFromEvalJson(j, path);
}

}  // namespace densing::density
