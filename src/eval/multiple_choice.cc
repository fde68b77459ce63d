// The item loop and the tallies.
#include "eval/multiple_choice.h"

#include <chrono>
#include <map>

namespace densing::eval {

GroupScore ToGroupScore(const std::string& name, const Tally& t) {
  return {name, t.acc.count(), t.acc.mean(), t.acc.stderr_of_mean(), t.acc_norm.mean(), t.acc_norm.stderr_of_mean()};
}

McResult RunTask(ChoiceScorer& scorer, const McTask& task, const std::atomic<bool>* cancel,
                 const std::function<void(int64_t, int64_t)>& progress, const ItemFn& on_item) {
  McResult r;
  r.task = task.name;
  r.shots = task.shots;
  r.n_items = static_cast<int64_t>(task.items.size());
  r.skipped = task.skipped;
  const auto t0 = std::chrono::steady_clock::now();
  const int64_t evaluated0 = scorer.n_evaluated(), reused0 = scorer.n_reused();
  Tally all;
  std::map<std::string, Tally> subjects, categories;
  std::vector<ChoiceScore> scores;
  int64_t done = 0;
  for (const McItem& item : task.items) {
    if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) {
      r.interrupted = true;
      break;
    }
    const ScoreStatus status = scorer.Score(item.context, item.choices, scores);
    ++done;
    if (status == ScoreStatus::kTooLong) {
      r.skipped.Add(task.name, item.line, "an answer is longer than the context size");
    } else {
      r.n_truncated += status == ScoreStatus::kTruncated;
      const ItemOutcome o = ScoreItem(scores, item.gold);
      if (on_item) on_item(item, scores, o);
      all.Add(o);
      if (!item.group.empty()) {
        subjects[item.group].Add(o);
        categories[MmluCategory(item.group)].Add(o);
      }
    }
    if (progress) progress(done, r.n_items);
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.n_scored = all.acc.count();
  r.acc = all.acc.mean();
  r.acc_stderr = all.acc.stderr_of_mean();
  r.acc_norm = all.acc_norm.mean();
  r.acc_norm_stderr = all.acc_norm.stderr_of_mean();
  r.loss_per_item = all.nll.mean();
  r.loss_per_item_stderr = all.nll.stderr_of_mean();
  r.loss_per_token = all.loss_per_token();
  r.gold_tokens = all.gold_tokens;
  for (const auto& [name, t] : subjects) r.subjects.push_back(ToGroupScore(name, t));
  for (const auto& [name, t] : categories) r.categories.push_back(ToGroupScore(name, t));
  r.n_evaluated_tokens = scorer.n_evaluated() - evaluated0;
  r.n_reused_tokens = scorer.n_reused() - reused0;
  return r;
}

}  // namespace densing::eval
