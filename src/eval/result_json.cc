// Field names follow lm-evaluation-harness's where it has them (acc, acc_stderr, acc_norm, …).
#include "eval/result_json.h"

namespace densing::eval {
namespace {

nlohmann::json Groups(const std::vector<GroupScore>& groups) {
  nlohmann::json out = nlohmann::json::object();
  for (const GroupScore& g : groups) {
    out[g.name] = {{"n", g.n}, {"acc", g.acc}, {"acc_stderr", g.acc_stderr},
                   {"acc_norm", g.acc_norm}, {"acc_norm_stderr", g.acc_norm_stderr}};
  }
  return out;
}

}  // namespace

nlohmann::json ResultJson(const McResult& r) {
  nlohmann::json j = {{"task", r.task},
                      {"shots", r.shots},
                      {"n", r.n_scored},
                      {"n_items", r.n_items},
                      {"acc", r.acc},
                      {"acc_stderr", r.acc_stderr},
                      {"acc_norm", r.acc_norm},
                      {"acc_norm_stderr", r.acc_norm_stderr},
                      {"loss_per_item", r.loss_per_item},
                      {"loss_per_item_stderr", r.loss_per_item_stderr},
                      {"loss_per_token", r.loss_per_token},
                      {"gold_tokens", r.gold_tokens},
                      {"n_truncated", r.n_truncated},
                      {"skipped", {{"count", r.skipped.count}, {"first", r.skipped.first}}},
                      {"interrupted", r.interrupted},
                      {"seconds", r.seconds},
                      {"items_per_second", r.items_per_second()},
                      {"tokens_evaluated", r.n_evaluated_tokens},
                      {"tokens_reused", r.n_reused_tokens}};
  if (!r.categories.empty()) j["categories"] = Groups(r.categories);
  if (!r.subjects.empty()) j["subjects"] = Groups(r.subjects);
  return j;
}

nlohmann::json ResultsJson(const std::string& model, std::span<const McResult> results) {
  nlohmann::json tasks = nlohmann::json::array();
  for (const McResult& r : results) tasks.push_back(ResultJson(r));
  return {{"model", model}, {"tasks", tasks}};
}

}  // namespace densing::eval
