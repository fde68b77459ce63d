// Registration of the shared options.
#include "options.h"

#include <cstdio>
#include <random>

#include "models/cache.h"

namespace densing::cli {

void AddModelOptions(CLI::App* cmd, ModelOptions& o, bool cached_default) {
  const char* help =
      cached_default ? "GGUF model file (default: the models cache's default, see `densing models`)"
                     : "GGUF model file";
  auto* model = cmd->add_option("-m,--model", o.path, help)->check(CLI::ExistingFile);
  if (!cached_default) model->required();
  cmd->add_option("-t,--threads", o.threads, "Threads (0: all cores)")->check(CLI::Range(0, 1024));
  cmd->add_option("-c,--ctx-size", o.n_ctx, "Context size in tokens (0: the model's, at most 4096)")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 20));
  cmd->add_option("-b,--batch-size", o.n_batch, "Tokens per forward step when processing a prompt")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 16));
  cmd->add_option("--cache-type-k", o.cache_type_k, "KV cache type for keys: f32 or f16")
      ->check(CLI::IsMember({"f32", "f16"}))
      ->capture_default_str();
  cmd->add_option("--cache-type-v", o.cache_type_v, "KV cache type for values: f32 or f16")
      ->check(CLI::IsMember({"f32", "f16"}))
      ->capture_default_str();
}

void UseDefaultModel(ModelOptions& o) {
  if (!o.path.empty()) return;
  o.path = models::DefaultModelPath(models::ModelsDir(), models::BuiltinManifest());
  std::fprintf(stderr, "densing: no -m given; using %s\n", o.path.c_str());
}

void AddSamplingOptions(CLI::App* cmd, SamplingOptions& o) {
  SamplerParams& p = o.params;
  cmd->add_option("--temp", p.temperature, "Temperature (0: greedy)")->capture_default_str();
  cmd->add_option("--top-k", p.top_k, "Top-k sampling (0: off)")->capture_default_str();
  cmd->add_option("--top-p", p.top_p, "Top-p sampling (1: off)")->capture_default_str();
  cmd->add_option("--min-p", p.min_p, "Min-p sampling (0: off)")->capture_default_str();
  cmd->add_option("--repeat-penalty", p.repeat_penalty, "Penalty for repeated tokens (1: off)")
      ->capture_default_str();
  cmd->add_option("--repeat-last-n", p.repeat_last_n, "Tokens the penalties look back on (-1: all)")
      ->capture_default_str();
  cmd->add_option("--presence-penalty", p.presence_penalty, "Presence penalty")->capture_default_str();
  cmd->add_option("--frequency-penalty", p.frequency_penalty, "Frequency penalty")
      ->capture_default_str();
  cmd->add_option("-s,--seed", o.seed, "Random seed (-1: random)")->capture_default_str();
}

SamplerParams ResolveSampling(const SamplingOptions& o) {
  SamplerParams p = o.params;
  p.seed = o.seed >= 0 ? static_cast<uint64_t>(o.seed) : std::random_device{}();
  ValidateSamplerParams(p);
  return p;
}

void AddContextShiftOptions(CLI::App* cmd, ContextShiftOptions& o) {
  cmd->add_flag("--no-context-shift", o.no_shift,
                "Stop when the context is full instead of dropping its oldest half");
  cmd->add_option("--keep", o.keep, "Prompt tokens kept when the context shifts (BOS always is)")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 30))
      ->capture_default_str();
}

void ApplyContextShift(const ContextShiftOptions& o, const Tokenizer& tokenizer, GenerateParams& params) {
  params.context_shift = !o.no_shift;
  params.n_keep = o.keep + (tokenizer.add_bos() && tokenizer.bos() >= 0 ? 1 : 0);
}

}  // namespace densing::cli
