// McResult as JSON for `densing eval --json`, in the shape `densing density --eval` reads
// ({"tasks": [{"task": T, "acc": A, …}]}).
#pragma once

#include <nlohmann/json.hpp>
#include <span>

#include "eval/multiple_choice.h"

namespace densing::eval {

nlohmann::json ResultJson(const McResult& r);
nlohmann::json ResultsJson(const std::string& model, std::span<const McResult> results);

}  // namespace densing::eval
