// The tool-call parts of chat responses: the message's "tool_calls" and the stream's tool-call
// deltas, as the OpenAI API writes them.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "chat/tool_calls.h"

namespace densing::server {

// What the responder needs to find calls in the output; `enabled` is false when the request
// offered no tools (or tool_choice was "none").
struct ToolOutputSetup {
  bool enabled = false;
  ToolFamily family = ToolFamily::kHermes;
  std::vector<std::string> names;  // the offered functions
  bool parallel = true;
};

// [{"id", "type": "function", "function": {"name", "arguments"}}]
nlohmann::json ToolCallsJson(const std::vector<ToolCall>& calls);

// Stream deltas for calls numbered from `first_index`: per call, one delta with index, id, type,
// the name and empty arguments, then one with the arguments.
std::vector<nlohmann::json> ToolCallDeltas(const std::vector<ToolCall>& calls, size_t first_index);

// Turns a whole chat completion into one with tool calls: content null when empty, the calls
// listed and finish_reason "tool_calls" when generation stopped by itself.
void AddToolCalls(nlohmann::json& completion, const std::vector<ToolCall>& calls, bool stopped);

}  // namespace densing::server
