// The generation loop: prefill, then one token at a time.
#include "generate/generate.h"

#include <algorithm>
#include <chrono>

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

  Sampler sampler(params.sampler);
  StreamDecoder decoder(tokenizer);
  t0 = std::chrono::steady_clock::now();
  for (;;) {
    if (params.n_predict >= 0 && stats.n_generated >= params.n_predict) {
      stats.stop = StopReason::kLength;
      break;
    }
    const int32_t id = sampler.Sample(logits, session.tokens());
    if (tokenizer.IsEndOfGeneration(id)) {
      stats.stop = StopReason::kEndOfGeneration;
      break;
    }
    ++stats.n_generated;
    if (!on_text(id, decoder.Push(id))) {
      stats.stop = StopReason::kCallback;
      break;
    }
    if (session.n_past() >= session.n_ctx()) {
      if (!params.context_shift || (session.n_past() - params.n_keep) / 2 < 1) {
        stats.stop = StopReason::kContextFull;
        break;
      }
      stats.n_shifted += session.ShiftContext(params.n_keep);
    }
    const int32_t next[1] = {id};
    logits = session.Eval(next);
  }
  const std::string rest = decoder.Flush();
  if (!rest.empty()) on_text(-1, rest);
  stats.generate_seconds = Since(t0);
  return stats;
}

}  // namespace densing
