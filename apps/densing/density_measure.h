// `densing density --measure`: densing's own multiple-choice evaluations run on a local GGUF file,
// each item's outcome kept so the density can carry a bootstrap interval.
#pragma once

#include <string>
#include <vector>

#include "density/measured.h"
#include "eval/task_data.h"
#include "options.h"

namespace densing::cli {

struct MeasureOptions {
  std::vector<std::string> tasks = {"mmlu", "hellaswag", "arc-easy", "arc-challenge"};
  eval::TaskOptions data;  // data_dir, shots (each task's default), limit
};

// Loads every task first (a bad name or a missing file fails before the model loads), then scores
// them with a progress bar per task. Items are scored as `densing eval` scores them.
std::vector<density::MeasuredTask> MeasureModel(const ModelOptions& model,
                                                const MeasureOptions& options);

}  // namespace densing::cli
