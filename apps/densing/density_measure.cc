// Running densing eval's tasks for `densing density --measure`.
#include "density_measure.h"

#include <memory>
#include <span>

#include "eval/choice_scorer.h"
#include "eval/multiple_choice.h"
#include "eval/rate_progress.h"
#include "model/model.h"
#include "tokenizer/tokenizer.h"

namespace densing::cli {

std::vector<density::MeasuredTask> MeasureModel(const ModelOptions& model,
                                                const MeasureOptions& options) {
  std::vector<eval::McTask> tasks;
  for (const std::string& name : options.tasks) {
    density::ColumnOfEvalTask(name);  // a task density cannot place fails before any work
    tasks.push_back(eval::LoadTask(name, options.data));
  }
  auto loaded = Model::Load(model.path);
  auto tokenizer = Tokenizer::FromGguf(loaded->file());
  ThreadPool pool(model.threads);
  eval::ChoiceScorer scorer(*loaded, *tokenizer, pool, model.n_ctx, model.n_batch,
                            model.kv_types());
  std::vector<density::MeasuredTask> out;
  for (const eval::McTask& task : tasks) {
    density::MeasuredTask m;
    m.task = task.name;
    m.column = density::ColumnOfEvalTask(task.name);
    m.metric = density::HeadlineMetricOf(task.name);
    m.shots = task.shots;
    const bool norm = m.metric == "acc_norm";
    eval::RateProgress bar("measure " + task.name, static_cast<int64_t>(task.items.size()),
                           "items");
    eval::RunTask(
        scorer, task, nullptr, [&](int64_t done, int64_t) { bar.Update(done); },
        [&](const eval::McItem&, std::span<const eval::ChoiceScore>, const eval::ItemOutcome& o) {
          m.correct.push_back((norm ? o.correct_norm : o.correct) ? 1 : 0);
        });
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace densing::cli
