// densing run: generate text from a prompt, streaming each token as it comes.
#include <chrono>
#include <cstdio>
#include <memory>

#include "commands.h"
#include "generate/generate.h"
#include "model/model.h"
#include "grammar_options.h"
#include "options.h"
#include "speculative_options.h"

namespace densing::cli {
namespace {

struct Options {
  ModelOptions model;
  SamplingOptions sampling;
  GrammarOptions grammar;
  ContextShiftOptions shift;
  SpeculativeOptions speculative;
  std::string prompt;
  int64_t n_predict = -1;
  bool special = false;
};

void Run(const Options& o) {
  const grammar::GrammarSpec grammar = ResolveGrammar(o.grammar);
  const auto t0 = std::chrono::steady_clock::now();
  auto model = Model::Load(o.model.path);
  auto tokenizer = Tokenizer::FromGguf(model->file());
  ThreadPool pool(o.model.threads);
  Session session(*model, pool, o.model.n_ctx, o.model.n_batch, o.model.kv_types());
  const double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  const std::vector<int32_t> prompt = tokenizer->Encode(o.prompt, /*add_special=*/true, o.special);
  GenerateParams params;
  params.n_predict = o.n_predict;
  params.sampler = ResolveSampling(o.sampling);
  ApplyContextShift(o.shift, *tokenizer, params);
  ApplyGrammar(grammar, *tokenizer, params);
  const auto draft = SetUpSpeculation(o.speculative, *model, *tokenizer, session, pool, params);
  std::fputs(o.prompt.c_str(), stdout);
  std::fflush(stdout);
  const GenerateStats s = Generate(session, *tokenizer, prompt, params, [](int32_t, std::string_view text) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    return true;
  });
  std::fputc('\n', stdout);
  std::fprintf(stderr,
               "load %.3f s | prompt %lld tokens, %.1f tok/s | generated %lld tokens, %.1f tok/s | "
               "context shifts dropped %lld%s | stop: %s\n",
               load_s, static_cast<long long>(s.n_prompt),
               s.prompt_seconds > 0 ? s.n_prompt / s.prompt_seconds : 0.0,
               static_cast<long long>(s.n_generated),
               s.generate_seconds > 0 ? s.n_generated / s.generate_seconds : 0.0,
               static_cast<long long>(s.n_shifted), DescribeSpeculation(o.speculative, s).c_str(),
               StopReasonName(s.stop));
}

void AddRunCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("run", "Generate text from a prompt, streaming it as it comes");
  auto o = std::make_shared<Options>();
  AddModelOptions(cmd, o->model, /*cached_default=*/true);
  AddSamplingOptions(cmd, o->sampling);
  AddGrammarOptions(cmd, o->grammar);
  AddContextShiftOptions(cmd, o->shift);
  AddSpeculativeOptions(cmd, o->speculative);
  cmd->add_option("-p,--prompt", o->prompt, "Prompt text")->required();
  cmd->add_option("-n,--n-predict", o->n_predict, "Tokens to generate (-1: until the end)")
      ->check(CLI::Range(int64_t{-1}, int64_t{1} << 30))
      ->capture_default_str();
  cmd->add_flag("--special", o->special, "Parse special tokens written in the prompt");
  cmd->callback([o] {
    UseDefaultModel(o->model);
    Run(*o);
  });
}

DENSING_COMMAND(40, AddRunCommand);

}  // namespace
}  // namespace densing::cli
