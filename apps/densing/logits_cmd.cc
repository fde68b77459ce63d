// densing logits: the logits of every position of a prompt, as JSON in the fixtures' shape.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <numeric>

#include "base/error.h"
#include "commands.h"
#include "model/model.h"
#include "options.h"
#include "runtime/session.h"
#include "tokenizer/tokenizer.h"

namespace densing::cli {
namespace {

struct Options {
  ModelOptions model;
  std::string prompt;
  int top = 20;
  bool full = false;
  bool special = false;
};

nlohmann::json Position(std::span<const float> row, int64_t pos, int32_t token, int top, bool full) {
  double max = *std::max_element(row.begin(), row.end());
  double sum = 0;
  for (float v : row) sum += std::exp(static_cast<double>(v) - max);
  nlohmann::json p = {{"pos", pos},
                      {"token", token},
                      {"logsumexp", max + std::log(sum)},
                      {"argmax", std::max_element(row.begin(), row.end()) - row.begin()}};
  if (full) {
    p["logits"] = std::vector<float>(row.begin(), row.end());
    return p;
  }
  std::vector<int32_t> ids(row.size());
  std::iota(ids.begin(), ids.end(), 0);
  const size_t k = std::min(ids.size(), static_cast<size_t>(top));
  std::partial_sort(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(k), ids.end(),
                    [&](int32_t a, int32_t b) { return row[a] > row[b] || (row[a] == row[b] && a < b); });
  nlohmann::json pairs = nlohmann::json::array();
  for (size_t i = 0; i < k; ++i) pairs.push_back({ids[i], row[static_cast<size_t>(ids[i])]});
  p["top"] = pairs;
  return p;
}

void Logits(const Options& o) {
  auto model = Model::Load(o.model.path);
  auto tokenizer = Tokenizer::FromGguf(model->file());
  std::vector<int32_t> tokens = tokenizer->Encode(o.prompt, /*add_special=*/true, o.special);
  if (tokens.empty()) Fail("the prompt has no tokens");
  ThreadPool pool(o.model.threads);
  const int64_t n_ctx = o.model.n_ctx ? o.model.n_ctx : std::max<int64_t>(DefaultContext(model->config()),
                                                                         static_cast<int64_t>(tokens.size()));
  Session session(*model, pool, n_ctx, o.model.n_batch, o.model.kv_types());
  std::span<const float> logits = session.EvalAll(tokens);
  const int64_t n_vocab = session.n_vocab();
  const bool full = o.full || n_vocab <= 1000;

  nlohmann::json out = {{"model", std::filesystem::path(o.model.path).filename().string()},
                        {"prompt", o.prompt},
                        {"n_vocab", n_vocab},
                        {"add_bos", tokenizer->add_bos()},
                        {"tokens", tokens}};
  nlohmann::json pieces = nlohmann::json::array();
  for (int32_t t : tokens) pieces.push_back(tokenizer->TokenToPiece(t));
  out["pieces"] = pieces;
  nlohmann::json positions = nlohmann::json::array();
  for (size_t i = 0; i < tokens.size(); ++i) {
    positions.push_back(Position(logits.subspan(i * n_vocab, n_vocab), static_cast<int64_t>(i),
                                 tokens[i], o.top, full));
  }
  out["positions"] = std::move(positions);
  std::puts(out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
}

void AddLogitsCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("logits", "Print the logits of every position of a prompt as JSON");
  auto o = std::make_shared<Options>();
  AddModelOptions(cmd, o->model);
  cmd->add_option("-p,--prompt", o->prompt, "Prompt text")->required();
  cmd->add_option("--top", o->top, "Pairs [id, logit] per position when not --full")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  cmd->add_flag("--full", o->full, "Every logit of every position (default when n_vocab <= 1000)");
  cmd->add_flag("--special", o->special, "Parse special tokens written in the prompt");
  cmd->callback([o] { Logits(*o); });
}

DENSING_COMMAND(30, AddLogitsCommand);

}  // namespace
}  // namespace densing::cli
