// densing synth: a random-weight model with the exact shapes of a real one.
#include <fmt/format.h>

#include <memory>

#include "base/error.h"
#include "commands.h"
#include "synth/synth.h"

namespace densing::cli {
namespace {

struct Options {
  std::string arch = "llama";
  std::string shape;
  std::string type = "F16";
  std::string out;
  uint64_t seed = 1;
  int threads = 0;
  SynthShape custom;  // --d/--layers/... override the named shape's sizes
  std::vector<std::string> type_for;
};

void Synth(CLI::App* cmd, const Options& o) {
  SynthShape s = o.shape.empty() ? DefaultShape(o.arch) : FindShape(o.shape);
  if (!o.shape.empty() && cmd->count("--arch") && s.arch != (o.arch == "moe" ? "llama" : o.arch)) {
    Fail("shape '{}' is a {} model, not {}", o.shape, s.arch, o.arch);
  }
  auto set = [&](const char* flag, int64_t& field, int64_t v) {
    if (cmd->count(flag)) field = v;
  };
  set("--d", s.n_embd, o.custom.n_embd);
  set("--layers", s.n_layer, o.custom.n_layer);
  set("--heads", s.n_head, o.custom.n_head);
  set("--kv-heads", s.n_head_kv, o.custom.n_head_kv);
  set("--head-dim", s.head_dim, o.custom.head_dim);
  set("--ff", s.n_ff, o.custom.n_ff);
  set("--vocab", s.n_vocab, o.custom.n_vocab);
  set("--experts", s.n_expert, o.custom.n_expert);
  set("--experts-used", s.n_expert_used, o.custom.n_expert_used);
  if (cmd->count("--original-context") && s.n_ctx_orig == 0) {
    Fail("shape '{}' has no LongRoPE factors to go with --original-context", s.name);
  }
  set("--original-context", s.n_ctx_orig, o.custom.n_ctx_orig);
  const QuantTarget target = ParseQuantTarget(o.type);
  std::vector<TypeOverride> overrides;
  for (const std::string& spec : o.type_for) overrides.push_back(ParseTypeOverride(spec));
  ThreadPool pool(o.threads);
  const SynthStats st = Synthesize(s, target, overrides, o.seed, o.out, pool);
  fmt::print("{}: {} ({}), d {}, {} layers, {}/{} heads, FFN {}, vocab {}{}\n", o.out, s.name, s.arch,
             s.n_embd, s.n_layer, s.n_head, s.n_head_kv, s.n_ff, s.n_vocab, s.tied ? ", tied" : "");
  fmt::print("  {} parameters, {:.1f} MiB of {} weights ({:.2f} bits per weight), {:.1f} s\n", st.n_params,
             st.bytes / 1048576.0, target.name, 8.0 * st.bytes / st.n_params, st.seconds);
}

void AddSynthCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("synth", "Write a random-weight model with the shapes of a real one");
  auto o = std::make_shared<Options>();
  cmd->add_option("--arch", o->arch, "llama, qwen2, minicpm, phi3, gemma2, moe, qwen3, qwen3moe, gemma3, smollm3 or lfm2")->capture_default_str();
  cmd->add_option("--shape", o->shape, "Named shape: " + KnownShapes());
  cmd->add_option("--type", o->type, "Weight type, as for quantize")->capture_default_str();
  cmd->add_option("-o,--output", o->out, "GGUF file to write")->required();
  cmd->add_option("--seed", o->seed, "Random seed")->capture_default_str();
  cmd->add_option("-t,--threads", o->threads, "Threads (0: all cores)")->check(CLI::Range(0, 1024));
  cmd->add_option("--type-for", o->type_for, "REGEX=TYPE: the type of tensors whose name matches");
  cmd->add_option("--d", o->custom.n_embd, "Hidden size");
  cmd->add_option("--layers", o->custom.n_layer, "Layers");
  cmd->add_option("--heads", o->custom.n_head, "Attention heads");
  cmd->add_option("--kv-heads", o->custom.n_head_kv, "Key/value heads");
  cmd->add_option("--head-dim", o->custom.head_dim, "Size of one head (0: d / heads)");
  cmd->add_option("--ff", o->custom.n_ff, "Feed-forward size (per expert)");
  cmd->add_option("--vocab", o->custom.n_vocab, "Vocabulary size");
  cmd->add_option("--experts", o->custom.n_expert, "Experts (0: dense)");
  cmd->add_option("--experts-used", o->custom.n_expert_used, "Experts used per token");
  cmd->add_option("--original-context", o->custom.n_ctx_orig,
                  "LongRoPE shapes: the context of the short factors (longer ones use the long)")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 24));
  cmd->callback([cmd, o] { Synth(cmd, *o); });
}

DENSING_COMMAND(70, AddSynthCommand);

}  // namespace
}  // namespace densing::cli
