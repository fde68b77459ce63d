// Measured scores and the item bootstrap.
#include "density/measured.h"

#include <gsl/gsl_rng.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "base/error.h"
#include "density/catalog.h"
#include "density/csv.h"

namespace densing::density {

double MeasuredTask::Accuracy() const {
  if (correct.empty()) return 0;
  int64_t right = 0;
  for (uint8_t c : correct) right += c ? 1 : 0;
  return 100.0 * static_cast<double>(right) / static_cast<double>(correct.size());
}

std::string ColumnOfEvalTask(std::string_view task) {
  const std::string t = Lower(task);
  if (t == "mmlu" || t == "hellaswag") return t;
  if (t == "arc-easy") return "arc_e";
  if (t == "arc-challenge") return "arc_c";
  Fail("--measure: '{}' is not one of mmlu, hellaswag, arc-easy, arc-challenge", task);
}

std::string HeadlineMetricOf(std::string_view task) {
  return Lower(task) == "mmlu" ? "acc" : "acc_norm";
}

namespace {

// The score of `column` from per-task accuracies (percent), or nullopt.
std::optional<double> ScoreOf(const std::vector<MeasuredTask>& tasks,
                              const std::vector<double>& acc, std::string_view column) {
  const bool avg = Lower(column) == kAverageTask;
  double sum = 0;
  int n = 0;
  for (size_t i = 0; i < tasks.size(); ++i) {
    if (!avg && tasks[i].column != Lower(column)) continue;
    if (tasks[i].correct.empty()) return std::nullopt;
    sum += acc[i];
    ++n;
  }
  if (n == 0) return std::nullopt;
  return sum / n;
}

}  // namespace

std::optional<double> MeasuredScore(const std::vector<MeasuredTask>& tasks,
                                    std::string_view column) {
  std::vector<double> acc;
  for (const auto& t : tasks) acc.push_back(t.Accuracy());
  return ScoreOf(tasks, acc, column);
}

std::optional<BootstrapBand> BootstrapOverItems(
    const std::vector<MeasuredTask>& tasks, std::string_view column,
    const std::function<std::optional<double>(double score)>& value, int resamples,
    uint64_t seed) {
  if (!MeasuredScore(tasks, column) || resamples <= 0) return std::nullopt;
  std::unique_ptr<gsl_rng, decltype(&gsl_rng_free)> rng(gsl_rng_alloc(gsl_rng_mt19937),
                                                        gsl_rng_free);
  gsl_rng_set(rng.get(), seed);
  std::vector<double> values;
  std::vector<double> acc(tasks.size());
  for (int r = 0; r < resamples; ++r) {
    for (size_t i = 0; i < tasks.size(); ++i) {
      const auto& c = tasks[i].correct;
      int64_t right = 0;
      for (size_t k = 0; k < c.size(); ++k) right += c[gsl_rng_uniform_int(rng.get(), c.size())];
      acc[i] = c.empty() ? 0 : 100.0 * static_cast<double>(right) / static_cast<double>(c.size());
    }
    const auto score = ScoreOf(tasks, acc, column);
    if (!score) continue;
    const auto v = value ? value(*score) : score;
    if (v) values.push_back(*v);
  }
  if (values.size() * 2 < static_cast<size_t>(resamples)) return std::nullopt;
  std::sort(values.begin(), values.end());
  auto quantile = [&](double q) {
    const double pos = q * static_cast<double>(values.size() - 1);
    const size_t i = static_cast<size_t>(std::floor(pos));
    const size_t j = std::min(i + 1, values.size() - 1);
    return values[i] + (pos - static_cast<double>(i)) * (values[j] - values[i]);
  };
  BootstrapBand band;
  band.lo = quantile(0.025);
  band.hi = quantile(0.975);
  band.n_valid = static_cast<int>(values.size());
  return band;
}

}  // namespace densing::density
