// Scores densing measured itself (with `densing eval`'s tasks) on a local model file, and their
// uncertainty by a bootstrap over the scored items.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace densing::density {

struct MeasuredTask {
  std::string task;    // densing eval's name: mmlu, hellaswag, arc-easy, arc-challenge
  std::string column;  // the catalog column it stands for: mmlu, hellaswag, arc_e, arc_c
  std::string metric;  // "acc" or "acc_norm": what `correct` holds
  int shots = 0;
  std::vector<uint8_t> correct;  // 1 when the item was answered right, one per scored item

  double Accuracy() const;  // percent; 0 with no items
};

// The catalog column of a `densing eval` task (arc-challenge -> arc_c); throws Error for a task
// densing eval does not have.
std::string ColumnOfEvalTask(std::string_view task);
// lm-evaluation-harness's headline metric of the task: acc for mmlu, acc_norm for the others.
std::string HeadlineMetricOf(std::string_view task);

// The measured score of `column`: its task's accuracy, or for avg the mean of the tasks'
// accuracies; nullopt when no measured task has that column (or a task has no items).
std::optional<double> MeasuredScore(const std::vector<MeasuredTask>& tasks,
                                    std::string_view column);

struct BootstrapBand {
  double lo = 0, hi = 0;  // 2.5% and 97.5% quantiles
  int n_valid = 0;        // resamples for which `value` had a value
};
// Resamples each task's items with replacement (independently per task), recomputes `column`'s
// score, maps it through `value` (identity when empty) and returns the 2.5%/97.5% quantiles of the
// values that exist. nullopt when the column is not measured or fewer than half the resamples
// give a value (a score outside the reference's reach has no effective size).
std::optional<BootstrapBand> BootstrapOverItems(
    const std::vector<MeasuredTask>& tasks, std::string_view column,
    const std::function<std::optional<double>(double score)>& value, int resamples,
    uint64_t seed);

}  // namespace densing::density
