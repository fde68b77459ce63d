// densing perplexity: the reference engine's perplexity of a model over a text file.
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "base/progress.h"
#include "commands.h"
#include "eval/input_file.h"
#include "eval/perplexity.h"
#include "model/model.h"
#include "options.h"
#include "runtime/session.h"
#include "tokenizer/tokenizer.h"

namespace densing::cli {
namespace {

struct Options {
  ModelOptions model;
  std::string text_path;
  int64_t max_chunks = 0;
  bool json = false;
};

std::string FileName(const std::string& path) { return std::filesystem::path(path).filename().string(); }

void Perplexity(const Options& o) {
  auto model = Model::Load(o.model.path);
  auto tokenizer = Tokenizer::FromGguf(model->file());
  const std::string text = eval::ReadWholeFile(o.text_path);
  const int64_t n_ctx = o.model.n_ctx ? o.model.n_ctx : DefaultContext(model->config());
  const eval::ChunkPlan plan = eval::PlanText(*tokenizer, text, n_ctx, o.max_chunks);
  ThreadPool pool(o.model.threads);
  const auto t0 = std::chrono::steady_clock::now();
  eval::PerplexityResult r;
  {
    ProgressBar bar("perplexity", plan.n_chunks);
    r = eval::Perplexity(*model, pool, plan, o.model.n_batch, o.model.kv_types(),
                         [&](int64_t done, double) { bar.Update(done); });
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (o.json) {
    nlohmann::json j = {{"model", FileName(o.model.path)}, {"text", FileName(o.text_path)},
                        {"n_ctx", r.n_ctx},           {"n_tokens", r.n_tokens},
                        {"n_chunks", r.n_chunks},     {"n_scored", r.n_scored},
                        {"nll", r.nll},               {"nll_stderr", r.nll_stderr},
                        {"ppl", r.ppl},               {"ppl_stderr", r.ppl_stderr},
                        {"chunk_ppl", r.running_ppl}, {"seconds", seconds}};
    std::puts(j.dump(2).c_str());
    return;
  }
  std::printf("model     %s\n", FileName(o.model.path).c_str());
  std::printf("text      %s: %lld tokens\n", FileName(o.text_path).c_str(),
              static_cast<long long>(r.n_tokens));
  std::printf("chunks    %lld of %lld tokens, %lld positions scored (the second half of each)\n",
              static_cast<long long>(r.n_chunks), static_cast<long long>(r.n_ctx),
              static_cast<long long>(r.n_scored));
  std::printf("nll       %.5f ± %.5f nats per token\n", r.nll, r.nll_stderr);
  std::printf("PPL       %.4f ± %.5f\n", r.ppl, r.ppl_stderr);
  std::printf("speed     %.1f tokens/s (%.2f s)\n",
              seconds > 0 ? static_cast<double>(r.n_chunks * r.n_ctx) / seconds : 0.0, seconds);
}

void AddPerplexityCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "perplexity", "Perplexity over a text: chunks of -c tokens, second half of each scored");
  auto o = std::make_shared<Options>();
  // The reference's perplexity tool keeps an F16 cache by default; so do we here, so that
  // figures line up with the ones it publishes (-ctk f32 -ctv f32 for the exact ones).
  o->model.cache_type_k = o->model.cache_type_v = "f16";
  AddModelOptions(cmd, o->model);
  cmd->add_option("-f,--file", o->text_path, "Text file")->required()->check(CLI::ExistingFile);
  cmd->add_option("--chunks", o->max_chunks, "Score at most this many chunks (0: all)")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 40));
  cmd->add_flag("--json", o->json, "Print a JSON object instead of the table");
  cmd->callback([o] { Perplexity(*o); });
}

DENSING_COMMAND(50, AddPerplexityCommand);

}  // namespace
}  // namespace densing::cli
