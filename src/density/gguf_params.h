// Parameter accounting of a GGUF file for the density reports (the counting is model/params.h).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "gguf/gguf_file.h"
#include "model/params.h"

namespace densing::density {

// Opens and validates the file first (errors name the path).
ParamCount CountParamsOfFile(const std::string& path);
nlohmann::json ToJson(const ParamCount& count);

}  // namespace densing::density
