// The generation loop: prefill, then one token at a time (or several, speculating).
#include "generate/generate.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <vector>

#include "base/error.h"

namespace densing {
namespace {
double Since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}
}  // namespace

const char* StopReasonName(StopReason r) {
  switch (r) {
    case StopReason::kEndOfGeneration: return "stop";
    case StopReason::kLength: return "length";
    case StopReason::kContextFull: return "context";
    case StopReason::kCallback: return "cancelled";
    case StopReason::kGrammar: return "grammar";
  }
  return "?";
}

GenerateStats Generate(Session& session, const Tokenizer& tokenizer, std::span<const int32_t> prompt,
                       const GenerateParams& params,
                       const std::function<bool(int32_t, std::string_view)>& on_text) {
  if (prompt.empty()) Fail("the prompt has no tokens");
  GenerateStats stats;
  // Keep what the session already holds of this prompt; always evaluate at least one token so
  // there are logits to sample from.
  const auto& held = session.tokens();
  size_t common = 0;
  while (common < held.size() && common < prompt.size() && held[common] == prompt[common]) ++common;
  common = std::min(common, prompt.size() - 1);
  session.Truncate(static_cast<int64_t>(common));
  if (static_cast<int64_t>(prompt.size()) > session.n_ctx()) {
    Fail("the prompt has {} tokens but the context holds {}", prompt.size(), session.n_ctx());
  }

  auto t0 = std::chrono::steady_clock::now();
  std::span<const float> logits = session.Eval(prompt.subspan(common));
  stats.n_prompt = static_cast<int64_t>(prompt.size() - common);
  stats.prompt_seconds = Since(t0);

  std::shared_ptr<const grammar::Vocabulary> vocabulary = params.vocabulary;
  if (params.sampler.grammar.grammar && !vocabulary) vocabulary = grammar::Vocabulary::FromTokenizer(tokenizer);
  if (params.sampler.grammar.grammar && params.speculative.enabled()) {
    Fail("a grammar cannot be combined with speculative decoding");
  }
  Sampler sampler(params.sampler, vocabulary);
  StreamDecoder decoder(tokenizer);
  std::optional<Speculator> speculator;
  if (params.speculative.enabled()) speculator.emplace(params.speculative, params.sampler);
  // Tokens a speculative step sampled after `id`: all but the last are already evaluated.
  std::vector<int32_t> ahead;
  size_t next = 0;
  // What plain decoding would hold in the session; speculation may hold more, given back below.
  int64_t plain_past = session.n_past();
  t0 = std::chrono::steady_clock::now();
  int32_t id = sampler.Sample(logits, session.tokens());
  for (;;) {
    if (params.n_predict >= 0 && stats.n_generated >= params.n_predict) {
      stats.stop = StopReason::kLength;
      break;
    }
    if (id == Sampler::kNoToken) {
      stats.stop = StopReason::kGrammar;
      break;
    }
    if (tokenizer.IsEndOfGeneration(id)) {
      stats.stop = StopReason::kEndOfGeneration;
      break;
    }
    ++stats.n_generated;
    if (!on_text(id, decoder.Push(id))) {
      stats.stop = StopReason::kCallback;
      break;
    }
    ++plain_past;  // id is evaluated next (or already was, by a speculative step)
    if (next < ahead.size()) {
      id = ahead[next++];
      continue;
    }
    if (session.n_past() >= session.n_ctx()) {
      if (!params.context_shift || (session.n_past() - params.n_keep) / 2 < 1) {
        --plain_past;
        stats.stop = StopReason::kContextFull;
        break;
      }
      const int64_t dropped = session.ShiftContext(params.n_keep);
      stats.n_shifted += dropped;
      plain_past -= dropped;
    }
    if (speculator) {
      ahead = speculator->Step(session, id, sampler, session.n_ctx() - session.n_past() - 1);
      next = 0;
      id = ahead[next++];
      continue;
    }
    const int32_t one[1] = {id};
    logits = session.Eval(one);
    id = sampler.Sample(logits, session.tokens());
  }
  // Speculation may have evaluated tokens past where generation stopped: hold what plain
  // decoding would, so a conversation continues from the same cache.
  if (session.n_past() > plain_past) session.Truncate(plain_past);
  if (speculator) {
    stats.n_drafted = speculator->n_drafted();
    stats.n_accepted = speculator->n_accepted();
  }
  const std::string rest = decoder.Flush();
  if (!rest.empty()) on_text(-1, rest);
  stats.generate_seconds = Since(t0);
  return stats;
}

}  // namespace densing
