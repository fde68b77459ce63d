// densing kld: how far a model's next-token distributions are from its base's.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>

#include "base/error.h"
#include "base/progress.h"
#include "commands.h"
#include "eval/input_file.h"
#include "eval/kld.h"
#include "model/model.h"
#include "options.h"
#include "runtime/session.h"
#include "tokenizer/tokenizer.h"

namespace densing::cli {
namespace {

struct Options {
  ModelOptions model;
  std::string base_path;
  std::string text_path;
  std::string save_base;
  std::string base_logits;
  int64_t max_chunks = 0;
  bool json = false;
};

std::string FileName(const std::string& path) { return std::filesystem::path(path).filename().string(); }

void Print(const Options& o, const eval::ChunkPlan& plan, const eval::KldSummary& s) {
  const std::string base = o.base_path.empty() ? FileName(o.base_logits) : FileName(o.base_path);
  if (o.json) {
    nlohmann::json j = {{"model", FileName(o.model.path)},
                        {"base", base},
                        {"n_ctx", plan.n_ctx},
                        {"n_chunks", plan.n_chunks},
                        {"n_positions", s.n_positions},
                        {"mean_kld", s.mean_kld},
                        {"mean_kld_stderr", s.mean_kld_stderr},
                        {"median_kld", s.median_kld},
                        {"p90_kld", s.p90_kld},
                        {"p99_kld", s.p99_kld},
                        {"max_kld", s.max_kld},
                        {"same_top_p", s.same_top_p},
                        {"same_top_p_stderr", s.same_top_p_stderr},
                        {"mean_abs_dp", s.mean_abs_dp},
                        {"mean_dp", s.mean_dp},
                        {"mean_dp_stderr", s.mean_dp_stderr},
                        {"rms_dp", s.rms_dp},
                        {"ppl_base", s.ppl_base},
                        {"ppl_model", s.ppl_model},
                        {"delta_ppl", s.delta_ppl}};
    std::puts(j.dump(2).c_str());
    return;
  }
  std::printf("model         %s\n", FileName(o.model.path).c_str());
  std::printf("base          %s\n", base.c_str());
  std::printf("positions     %lld (%lld chunks of %lld tokens, second half of each)\n",
              static_cast<long long>(s.n_positions), static_cast<long long>(plan.n_chunks),
              static_cast<long long>(plan.n_ctx));
  std::printf("mean KLD      %.6f ± %.6f\n", s.mean_kld, s.mean_kld_stderr);
  std::printf("median KLD    %.6f\n", s.median_kld);
  std::printf("90%% / 99%%     %.6f / %.6f\n", s.p90_kld, s.p99_kld);
  std::printf("max KLD       %.6f\n", s.max_kld);
  std::printf("same top      %.3f%% ± %.3f%%\n", 100 * s.same_top_p, 100 * s.same_top_p_stderr);
  std::printf("mean |Δp|     %.4f%%   (Δp: %.4f%% ± %.4f%%, RMS %.4f%%)\n", 100 * s.mean_abs_dp,
              100 * s.mean_dp, 100 * s.mean_dp_stderr, 100 * s.rms_dp);
  std::printf("PPL           base %.4f, model %.4f, Δ %+.4f\n", s.ppl_base, s.ppl_model, s.delta_ppl);
}

void Kld(const Options& o) {
  if (o.base_path.empty() == o.base_logits.empty()) Fail("give exactly one of --base and --base-logits");
  if (!o.save_base.empty() && o.base_path.empty()) Fail("--save-base needs --base");
  if (o.model.path.empty() && o.save_base.empty()) Fail("-m is required unless --save-base is given");
  ThreadPool pool(o.model.threads);
  std::unique_ptr<Model> model;
  if (!o.model.path.empty()) model = Model::Load(o.model.path);

  eval::ChunkPlan plan;
  std::unique_ptr<Model> base_model;
  std::unique_ptr<eval::BaseLogitsReader> reader;
  std::unique_ptr<eval::BaseSource> base;
  if (!o.base_path.empty()) {
    if (o.text_path.empty()) Fail("-f TEXT is required with --base");
    base_model = Model::Load(o.base_path);
    auto tokenizer = Tokenizer::FromGguf(base_model->file());
    const int64_t n_ctx = o.model.n_ctx ? o.model.n_ctx : DefaultContext(base_model->config());
    plan = eval::PlanText(*tokenizer, eval::ReadWholeFile(o.text_path), n_ctx, o.max_chunks);
    base = std::make_unique<eval::ModelBase>(*base_model, pool, plan, o.model.n_batch, o.model.kv_types());
  } else {
    reader = std::make_unique<eval::BaseLogitsReader>(o.base_logits);
    plan = reader->plan();
    if (o.model.n_ctx != 0 && o.model.n_ctx != plan.n_ctx) {
      Fail("{} was saved with -c {}, not {}", o.base_logits, plan.n_ctx, o.model.n_ctx);
    }
    if (o.max_chunks > 0) plan.n_chunks = std::min(plan.n_chunks, o.max_chunks);
    if (!o.text_path.empty()) {  // a check that the file belongs to this text
      auto tokenizer = Tokenizer::FromGguf(model->file());
      const std::vector<int32_t> mine =
          tokenizer->Encode(eval::ReadWholeFile(o.text_path), /*add_special=*/true, /*parse_special=*/false);
      const auto n = static_cast<size_t>(plan.n_chunks * plan.n_ctx);
      if (mine.size() < n || !std::equal(plan.tokens.begin(), plan.tokens.begin() + n, mine.begin())) {
        Fail("{} tokenizes differently from the text saved in {}", o.text_path, o.base_logits);
      }
    }
    base = std::make_unique<eval::FileBase>(*reader);
  }
  std::optional<eval::BaseLogitsWriter> writer;
  if (!o.save_base.empty()) writer.emplace(o.save_base, plan, base->n_vocab());
  eval::KldSummary s;
  {
    ProgressBar bar("kld", plan.n_chunks);
    s = eval::RunKld(model.get(), pool, plan, o.model.n_batch, *base, writer ? &*writer : nullptr,
                     o.model.kv_types(), [&](int64_t done) { bar.Update(done); });
  }
  if (writer) {
    writer->Finish();
    std::fprintf(stderr, "kld: saved the base's log-probabilities of %lld positions to %s\n",
                 static_cast<long long>(plan.n_chunks * plan.n_rows()), o.save_base.c_str());
  }
  if (model) Print(o, plan, s);
}

void AddKldCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("kld", "KL-divergence of a model's token distributions from its base's");
  auto o = std::make_shared<Options>();
  // The reference's perplexity tool keeps an F16 cache by default; so do we here, so that
  // figures line up with the ones it publishes (-ctk f32 -ctv f32 for the exact ones).
  o->model.cache_type_k = o->model.cache_type_v = "f16";
  AddModelOptions(cmd, o->model);
  cmd->get_option("-m")->required(false)->description("GGUF model to compare with the base");
  cmd->add_option("--base", o->base_path, "GGUF base model (e.g. the F16 original)")->check(CLI::ExistingFile);
  cmd->add_option("-f,--file", o->text_path, "Text file")->check(CLI::ExistingFile);
  cmd->add_option("--save-base", o->save_base, "Write the base's log-probabilities to this file");
  cmd->add_option("--base-logits", o->base_logits, "Read the base's log-probabilities from this file")
      ->check(CLI::ExistingFile);
  cmd->add_option("--chunks", o->max_chunks, "Score at most this many chunks (0: all)")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 40));
  cmd->add_flag("--json", o->json, "Print a JSON object instead of the table");
  cmd->callback([o] { Kld(*o); });
}

DENSING_COMMAND(51, AddKldCommand);

}  // namespace
}  // namespace densing::cli
