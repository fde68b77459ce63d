// densing chat: an interactive conversation on stdin/stdout that keeps the KV cache between turns.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>

#include "commands.h"
#include "generate/conversation.h"
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
  std::string system;
  int64_t n_predict = -1;
};

void Chat(const Options& o) {
  const grammar::GrammarSpec grammar = ResolveGrammar(o.grammar);
  auto model = Model::Load(o.model.path);
  auto tokenizer = Tokenizer::FromGguf(model->file());
  ThreadPool pool(o.model.threads);
  Session session(*model, pool, o.model.n_ctx, o.model.n_batch, o.model.kv_types());
  GenerateParams params;
  params.n_predict = o.n_predict;
  params.sampler = ResolveSampling(o.sampling);
  ApplyContextShift(o.shift, *tokenizer, params);
  ApplyGrammar(grammar, *tokenizer, params);
  const auto draft = SetUpSpeculation(o.speculative, *model, *tokenizer, session, pool, params);
  Conversation chat(session, *tokenizer, o.system);
  if (chat.uses_fallback()) {
    std::fprintf(stderr, "densing: %s has no chat template; using ChatML\n", o.model.path.c_str());
  }
  const bool interactive = ::isatty(STDIN_FILENO) != 0;
  std::string line;
  for (;;) {
    if (interactive) {
      std::fputs("> ", stdout);
      std::fflush(stdout);
    }
    if (!std::getline(std::cin, line)) break;  // Ctrl-D or the end of piped input
    if (line.empty()) continue;
    const GenerateStats s = chat.Reply(line, params, [](int32_t, std::string_view text) {
      std::fwrite(text.data(), 1, text.size(), stdout);
      std::fflush(stdout);
      return true;
    });
    std::fputc('\n', stdout);
    std::fflush(stdout);
    if (interactive) {
      std::fprintf(stderr, "[%lld new tokens, %lld generated, %.1f tok/s%s]\n",
                   static_cast<long long>(s.n_prompt), static_cast<long long>(s.n_generated),
                   s.generate_seconds > 0 ? s.n_generated / s.generate_seconds : 0.0,
                   DescribeSpeculation(o.speculative, s).c_str());
    }
  }
  if (interactive) std::fputc('\n', stdout);
}

void AddChatCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("chat", "Chat with a model on stdin/stdout, keeping the context between turns");
  auto o = std::make_shared<Options>();
  AddModelOptions(cmd, o->model, /*cached_default=*/true);
  AddSamplingOptions(cmd, o->sampling);
  AddGrammarOptions(cmd, o->grammar);
  AddContextShiftOptions(cmd, o->shift);
  AddSpeculativeOptions(cmd, o->speculative);
  cmd->add_option("--system-prompt", o->system, "System message (also -sys)");
  cmd->add_option("-n,--n-predict", o->n_predict, "Most tokens per reply (-1: until the end of the turn)")
      ->check(CLI::Range(int64_t{-1}, int64_t{1} << 30))
      ->capture_default_str();
  cmd->callback([o] {
    UseDefaultModel(o->model);
    Chat(*o);
  });
}

DENSING_COMMAND(42, AddChatCommand);

}  // namespace
}  // namespace densing::cli
