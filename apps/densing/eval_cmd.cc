// densing eval: multiple-choice benchmarks (MMLU, HellaSwag, ARC) scored by log-likelihood as
// lm-evaluation-harness does; Ctrl-C stops and prints what was scored so far.
#include <nlohmann/json.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <span>

#include "base/error.h"
#include "commands.h"
#include "eval/choice_scorer.h"
#include "eval/multiple_choice.h"
#include "eval/rate_progress.h"
#include "eval/result_json.h"
#include "eval/task_data.h"
#include "model/model.h"
#include "options.h"
#include "tokenizer/tokenizer.h"

namespace densing::cli {
namespace {

struct Options {
  ModelOptions model;
  std::vector<std::string> tasks;
  eval::TaskOptions data;
  std::string json_path;
  std::string samples_path;
};

// One JSON line per scored item, like lm-evaluation-harness's --log_samples.
nlohmann::json SampleJson(const std::string& task, const eval::McItem& item,
                          std::span<const eval::ChoiceScore> scores, const eval::ItemOutcome& o) {
  nlohmann::json log_probs = nlohmann::json::array(), n_tokens = nlohmann::json::array();
  for (const eval::ChoiceScore& s : scores) {
    log_probs.push_back(s.log_prob);
    n_tokens.push_back(s.n_tokens);
  }
  return {{"task", task},           {"line", item.line},   {"context", item.context},
          {"choices", item.choices}, {"gold", item.gold},   {"log_probs", log_probs},
          {"n_tokens", n_tokens},    {"pred", o.pred},      {"pred_norm", o.pred_norm},
          {"acc", o.correct ? 1 : 0}, {"acc_norm", o.correct_norm ? 1 : 0}};
}

std::atomic<bool> g_interrupted{false};

extern "C" void OnInterrupt(int) {
  g_interrupted.store(true);
  std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C ends the process
}

std::string Pct(double v, double se) { return fmt::format("{:6.2f} ± {:5.2f}", 100 * v, 100 * se); }

void PrintResult(const eval::McResult& r) {
  std::printf("%-14s %6lld  %s  %s  %9.4f  %10.4f  %8.2f\n", r.task.c_str(), static_cast<long long>(r.n_scored),
              Pct(r.acc, r.acc_stderr).c_str(), Pct(r.acc_norm, r.acc_norm_stderr).c_str(), r.loss_per_item,
              r.loss_per_token, r.items_per_second());
}

void PrintGroups(const char* title, const std::vector<eval::GroupScore>& groups) {
  if (groups.empty()) return;
  std::printf("\n%-36s %6s  %-15s\n", title, "n", "acc %");
  for (const eval::GroupScore& g : groups) {
    std::printf("%-36s %6lld  %s\n", g.name.c_str(), static_cast<long long>(g.n), Pct(g.acc, g.acc_stderr).c_str());
  }
}

void Eval(const Options& o) {
  std::vector<std::string> names;
  for (const std::string& t : o.tasks) {
    if (t == "all") {
      names.insert(names.end(), eval::TaskNames().begin(), eval::TaskNames().end());
    } else {
      names.push_back(t);
    }
  }
  std::vector<eval::McTask> tasks;
  for (const std::string& name : names) tasks.push_back(eval::LoadTask(name, o.data));  // bad names fail first

  auto model = Model::Load(o.model.path);
  auto tokenizer = Tokenizer::FromGguf(model->file());
  ThreadPool pool(o.model.threads);
  eval::ChoiceScorer scorer(*model, *tokenizer, pool, o.model.n_ctx, o.model.n_batch, o.model.kv_types());

  std::ofstream samples;
  if (!o.samples_path.empty()) {
    samples.open(o.samples_path);
    if (!samples) Fail("{}: cannot write", o.samples_path);
  }
  g_interrupted.store(false);
  auto* previous = std::signal(SIGINT, OnInterrupt);
  std::vector<eval::McResult> results;
  for (const eval::McTask& task : tasks) {
    if (g_interrupted.load()) break;
    eval::RateProgress bar("eval " + task.name, static_cast<int64_t>(task.items.size()), "items");
    eval::ItemFn log_item;
    if (samples.is_open()) {
      log_item = [&](const eval::McItem& item, std::span<const eval::ChoiceScore> scores, const eval::ItemOutcome& oc) {
        samples << SampleJson(task.name, item, scores, oc).dump() << '\n';
      };
    }
    results.push_back(eval::RunTask(scorer, task, &g_interrupted, [&](int64_t done, int64_t) { bar.Update(done); },
                                    log_item));
  }
  std::signal(SIGINT, previous);
  if (samples.is_open()) {
    samples.flush();
    if (!samples) Fail("{}: cannot write", o.samples_path);
  }

  const std::string model_name = std::filesystem::path(o.model.path).filename().string();
  std::printf("densing eval: %s, context %lld tokens%s\n\n", model_name.c_str(),
              static_cast<long long>(scorer.n_ctx()), g_interrupted.load() ? " (interrupted: partial result)" : "");
  std::printf("%-14s %6s  %-15s  %-15s  %9s  %10s  %8s\n", "task", "n", "acc %", "acc_norm %", "loss/item",
              "loss/token", "items/s");
  for (const eval::McResult& r : results) PrintResult(r);
  for (const eval::McResult& r : results) {
    if (r.task != "mmlu") continue;
    PrintGroups("mmlu category", r.categories);
    PrintGroups("mmlu subject", r.subjects);
  }
  for (const eval::McResult& r : results) {
    if (r.n_truncated > 0) {
      std::printf("\n%s: %lld contexts cut at the start to fit %lld tokens (-c)\n", r.task.c_str(),
                  static_cast<long long>(r.n_truncated), static_cast<long long>(scorer.n_ctx()));
    }
    if (r.skipped.count == 0) continue;
    std::printf("\n%s: skipped %lld rows:\n", r.task.c_str(), static_cast<long long>(r.skipped.count));
    for (const std::string& s : r.skipped.first) std::printf("  %s\n", s.c_str());
    if (r.skipped.count > static_cast<int64_t>(r.skipped.first.size())) std::printf("  …\n");
  }
  if (!o.json_path.empty()) {
    const std::string text = eval::ResultsJson(model_name, results).dump(2) + "\n";
    if (o.json_path == "-") {
      std::fputs(text.c_str(), stdout);
    } else {
      std::ofstream out(o.json_path);
      out << text;
      if (!out) Fail("{}: cannot write", o.json_path);
    }
  }
}

void AddEvalCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("eval", "Multiple-choice benchmarks (mmlu, hellaswag, arc-easy, arc-challenge)");
  auto o = std::make_shared<Options>();
  o->data.data_dir = "../shared/data";
  AddModelOptions(cmd, o->model);
  cmd->add_option("--task", o->tasks, "mmlu, hellaswag, arc-easy, arc-challenge or all (repeat or comma-separate)")
      ->required()
      ->delimiter(',');
  cmd->add_option("--data", o->data.data_dir, "Data folder (holding mmlu/, hellaswag/, arc/) or the task's own")
      ->capture_default_str();
  cmd->add_option("--shots", o->data.shots, "Few-shot examples (default: mmlu 5, others 0)")->check(CLI::Range(0, 64));
  cmd->add_option("--limit", o->data.limit, "At most this many items (mmlu: per subject)")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 40));
  cmd->add_option("--json", o->json_path, "Write the results as JSON to this file (- for stdout)");
  cmd->add_option("--samples", o->samples_path,
                  "Write every scored item (its answers' log-probabilities, token counts, prediction) "
                  "to this file, one JSON object per line");
  cmd->callback([o] { Eval(*o); });
}

DENSING_COMMAND(52, AddEvalCommand);

}  // namespace
}  // namespace densing::cli
