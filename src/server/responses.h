// The JSON shapes of OpenAI's responses: chat completions and their stream chunks, text
// completions and theirs, usage and the two logprobs layouts.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>

#include "server/request.h"
#include "server/task.h"
#include "tokenizer/tokenizer.h"

namespace densing::server {

struct ResponseMeta {
  std::string id;  // "chatcmpl-…" or "cmpl-…"
  int64_t created = 0;
  std::string model;
};

// A fresh id with the endpoint's prefix and the current time.
ResponseMeta NewResponseMeta(Endpoint endpoint, const std::string& model);

// {"prompt_tokens", "completion_tokens", "total_tokens", "prompt_tokens_details"}
nlohmann::json UsageJson(const Outcome& o);

// Chat: {"content": [{"token", "logprob", "bytes", "top_logprobs"}], "refusal": null}
nlohmann::json ChatLogprobs(const Tokenizer& t, std::span<const TokenLogprob> tokens);

// Completions: {"tokens", "token_logprobs", "top_logprobs", "text_offset"}; offsets are byte
// offsets into the choice's text, counted from `offset`, which is advanced past these tokens.
nlohmann::json CompletionLogprobs(const Tokenizer& t, std::span<const TokenLogprob> tokens,
                                  int64_t& offset);

// Whole responses. `logprobs` is null or one of the layouts above.
nlohmann::json ChatCompletion(const ResponseMeta& m, const std::string& text, const Outcome& o,
                              nlohmann::json logprobs);
nlohmann::json TextCompletion(const ResponseMeta& m, const std::string& text, const Outcome& o,
                              nlohmann::json logprobs);

// Stream chunks; a null finish_reason while the stream goes on. With include_usage every chunk
// carries "usage": null and UsageChunk comes last.
nlohmann::json ChatChunk(const ResponseMeta& m, nlohmann::json delta, nlohmann::json logprobs,
                         const char* finish_reason, bool include_usage);
nlohmann::json TextChunk(const ResponseMeta& m, const std::string& text, nlohmann::json logprobs,
                         const char* finish_reason, bool include_usage);
nlohmann::json UsageChunk(const ResponseMeta& m, Endpoint endpoint, const Outcome& o);

}  // namespace densing::server
