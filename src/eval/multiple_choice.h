// Running a multiple-choice task: every item scored, tallied overall, per MMLU subject and per
// category, stopping early (with the partial result) when asked to.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "eval/choice_scorer.h"
#include "eval/scoring.h"
#include "eval/task_data.h"

namespace densing::eval {

struct GroupScore {
  std::string name;
  int64_t n = 0;
  double acc = 0, acc_stderr = 0, acc_norm = 0, acc_norm_stderr = 0;
};

struct McResult {
  std::string task;
  int shots = 0;
  int64_t n_items = 0;      // loaded
  int64_t n_scored = 0;     // scored (fewer when interrupted or too long)
  int64_t n_truncated = 0;  // contexts cut at the start to fit n_ctx
  SkippedRows skipped;      // bad rows in the data, and items longer than n_ctx
  double acc = 0, acc_stderr = 0, acc_norm = 0, acc_norm_stderr = 0;
  double loss_per_item = 0, loss_per_item_stderr = 0;  // −log P(gold | context), nats
  double loss_per_token = 0;                           // the same over the gold answers' tokens
  int64_t gold_tokens = 0;
  std::vector<GroupScore> subjects;    // MMLU
  std::vector<GroupScore> categories;  // MMLU
  bool interrupted = false;
  double seconds = 0;
  int64_t n_evaluated_tokens = 0;
  int64_t n_reused_tokens = 0;
  double items_per_second() const { return seconds > 0 ? static_cast<double>(n_scored) / seconds : 0.0; }
};

// Called with every scored item, its answers' scores and what they decide.
using ItemFn = std::function<void(const McItem&, std::span<const ChoiceScore>, const ItemOutcome&)>;

// `cancel` (may be null) is polled between items; progress(done, total) after each.
McResult RunTask(ChoiceScorer& scorer, const McTask& task, const std::atomic<bool>* cancel = nullptr,
                 const std::function<void(int64_t, int64_t)>& progress = {}, const ItemFn& on_item = {});

// The result of a finished tally (exposed for tests).
GroupScore ToGroupScore(const std::string& name, const Tally& t);

}  // namespace densing::eval
