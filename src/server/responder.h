// Responder: writes one request's answer as the scheduler produces it — a stream of SSE chunks
// ending with "data: [DONE]", or one JSON body — and notices a client that went away.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "server/request.h"
#include "server/responses.h"
#include "server/task.h"
#include "server/tool_responses.h"
#include "tokenizer/tokenizer.h"

namespace densing::server {

// Returns false when the bytes could not be sent (the client is gone).
using Writer = std::function<bool(std::string_view bytes)>;

struct ResponderSetup {
  Endpoint endpoint = Endpoint::kChat;
  ResponseMeta meta;
  bool stream = false;
  bool include_usage = false;
  bool logprobs = false;         // the response carries a logprobs block
  std::string echo;              // completions: text in front of the generated text
  size_t n_prompt_logprobs = 0;  // leading logprobs that belong to the echoed prompt
  ToolOutputSetup tools;         // chat: parse tool calls out of the output
};

class Responder {
 public:
  // `tokenizer` must outlive the responder.
  Responder(const Tokenizer& tokenizer, std::shared_ptr<Task> task, ResponderSetup setup);

  // Writes what is ready after waiting up to `wait` for news; while nothing comes it writes a
  // keep-alive (an SSE comment, or a space before the JSON body) so that a closed connection
  // shows. Returns false when a write failed.
  bool Pump(const Writer& write, std::chrono::milliseconds wait);
  bool done() const { return done_; }

 private:
  bool PumpStream(const Writer& write, Progress& news);
  bool WriteWhole(const Writer& write);
  nlohmann::json LogprobsJson(std::span<const TokenLogprob> tokens);
  nlohmann::json Chunk(const std::string& text, nlohmann::json logprobs, const char* finish);
  // Content and tool-call chunks for an update of the tool-call parser.
  std::string ToolEvents(ToolCallStream::Update update, nlohmann::json logprobs);

  const Tokenizer& tokenizer_;
  std::shared_ptr<Task> task_;
  ResponderSetup setup_;
  bool started_ = false;
  bool done_ = false;
  Progress all_;             // everything so far, for a whole response
  size_t n_logprobs_ = 0;    // logprobs formatted so far
  int64_t text_offset_ = 0;  // completions' text_offset of the next token
  std::chrono::steady_clock::time_point last_write_;
  std::optional<ToolCallStream> tool_stream_;  // when setup_.tools.enabled
};

}  // namespace densing::server
