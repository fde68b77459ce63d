// GenerationRequest: an OpenAI chat or text completion request, parsed and checked field by
// field (every bad field is a 400 naming it) before the model sees any of it.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "sampling/sampler.h"
#include "server/tool_request.h"

namespace densing::server {

enum class Endpoint : uint8_t { kChat, kCompletion };

// Bounds a request can ask for; the context check comes later, with the tokens.
inline constexpr int kMaxStopStrings = 16;
inline constexpr size_t kMaxStopBytes = 1024;
inline constexpr int kMaxTopLogprobs = 20;
inline constexpr int64_t kMaxTokensLimit = int64_t{1} << 24;

struct GenerationRequest {
  Endpoint endpoint = Endpoint::kChat;
  std::string model;  // empty when the request names none
  // Chat: [{"role", "content"}] with content parts joined into one string.
  nlohmann::ordered_json messages = nlohmann::ordered_json::array();
  // Completions: the prompt as text, or as token ids when prompt_is_tokens.
  std::string prompt_text;
  std::vector<int32_t> prompt_tokens;
  bool prompt_is_tokens = false;

  int64_t max_tokens = -1;  // -1: until end of generation or a full context
  SamplerParams sampler;
  std::vector<std::string> stop;
  bool stream = false;
  bool include_usage = false;  // stream_options.include_usage
  bool echo = false;           // completions: the prompt comes back in front of the text
  int top_logprobs = -1;       // -1: no logprobs; else alternatives listed per token
  bool ignore_eos = false;     // llama.cpp's extension: generate max_tokens whatever comes
  int64_t n_keep = 0;          // llama.cpp's: prompt tokens a context shift keeps (-1: all)
  ToolRequest tools;           // chat: tools, tool_choice, parallel_tool_calls
};

// `raw_body`, when given, is the body's text: tools and tool-call arguments then keep the key
// order the client wrote (nlohmann::json sorts keys), which is the order the model is shown.
GenerationRequest ParseChatRequest(const nlohmann::json& body, std::string_view raw_body = {});
GenerationRequest ParseCompletionRequest(const nlohmann::json& body);

}  // namespace densing::server
