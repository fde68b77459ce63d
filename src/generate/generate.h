// Generate: prompt in, a stream of sampled tokens out, until end of generation or a limit.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string_view>

#include "generate/speculative.h"
#include "runtime/session.h"
#include "sampling/sampler.h"
#include "tokenizer/tokenizer.h"

namespace densing {

struct GenerateParams {
  int64_t n_predict = -1;  // -1: until end of generation (or a full context without shifting)
  SamplerParams sampler;
  // A full context shifts (Session::ShiftContext), keeping the sequence's first n_keep tokens,
  // as llama.cpp's --context-shift and Ollama do; false stops there instead.
  bool context_shift = true;
  int64_t n_keep = 0;
  // Draft-model or prompt-lookup speculation (off unless a draft or lookup is set): at
  // temperature 0 the tokens are the same as without it.
  SpeculativeParams speculative;
  // The token trie a grammar (sampler.grammar) masks with; built from the tokenizer when null.
  std::shared_ptr<const grammar::Vocabulary> vocabulary;
};

// kGrammar: the grammar allows no token (it is complete and the model has no end-of-generation
// token it can use, or a logit bias banned every token it allows).
enum class StopReason : uint8_t { kEndOfGeneration, kLength, kContextFull, kCallback, kGrammar };

struct GenerateStats {
  int64_t n_prompt = 0;      // tokens evaluated for the prompt (beyond a reused prefix)
  int64_t n_generated = 0;
  double prompt_seconds = 0;
  double generate_seconds = 0;
  int64_t n_shifted = 0;  // tokens the context shifts dropped
  int64_t n_drafted = 0;  // speculation: tokens proposed, and how many of them the target kept
  int64_t n_accepted = 0;
  StopReason stop = StopReason::kLength;
};

// Appends the prompt to the session (reusing the longest prefix it already holds), then samples.
// on_text receives each token's id and its text as complete UTF-8 (possibly empty while a
// character is split across tokens); returning false stops generation.
GenerateStats Generate(Session& session, const Tokenizer& tokenizer, std::span<const int32_t> prompt,
                       const GenerateParams& params,
                       const std::function<bool(int32_t id, std::string_view text)>& on_text);

const char* StopReasonName(StopReason r);

}  // namespace densing
