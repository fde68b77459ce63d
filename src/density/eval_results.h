// Scores from a `densing eval --json` results file, as percentages per task.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace densing::density {

// Accepts the shapes a results file may take: {"task": T, "acc": A}, {"results": {T: {"acc": A}}}
// (also lm-evaluation-harness's "acc,none"), {"tasks": [{"task": T, "acc": A}, ...]} and
// {T: {"acc": A}}. An accuracy of at most 1 is a fraction and becomes a percentage. Throws Error
// naming `name` when no task with an accuracy is found.
std::map<std::string, double> ScoresFromEvalJson(const nlohmann::json& j, const std::string& name);
std::map<std::string, double> LoadEvalScores(const std::string& path);

}  // namespace densing::density
