// The options `densing density` and `densing trend` share: which score, which parameter count,
// what chance is, and which reference turns scores into effective parameters.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>

#include "density/reference_choice.h"

namespace densing::cli {

struct DensityOptions {
  std::string task = "mmlu";
  std::string params = "active";
  std::optional<double> chance;
  density::ReferenceChoice ref;
};

// --task --params --chance --ref-family --ref-loss --ref-score --d0
void AddDensityOptions(CLI::App* cmd, DensityOptions& o);

}  // namespace densing::cli
