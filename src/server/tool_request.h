// The tool-calling fields of a chat request: `tools`, `tool_choice`, `parallel_tool_calls`, and
// the assistant `tool_calls` / `tool` messages of the conversation, each checked with a 400 that
// names the field.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace densing::server {

enum class ToolChoice : uint8_t { kAuto, kNone, kRequired, kNamed };

inline constexpr size_t kMaxTools = 128;  // OpenAI's limit

struct ToolRequest {
  // [{"type": "function", "function": {"name", "description"?, "parameters"?}}], key order as sent.
  nlohmann::ordered_json tools = nlohmann::ordered_json::array();
  ToolChoice choice = ToolChoice::kAuto;
  std::string choice_name;  // for kNamed
  bool parallel = true;     // parallel_tool_calls
};

// Reads tools, tool_choice and parallel_tool_calls from `body`. `ordered` is the same body with
// its key order kept (or null: the order of `body` is used).
ToolRequest ParseToolFields(const nlohmann::json& body, const nlohmann::ordered_json* ordered);

// One chat message as the template gets it: role and content as before, plus an assistant's
// tool_calls (function.arguments turned from a JSON string into the object) and a tool message's
// tool_call_id and name. `ordered` is the message with its key order kept, or null.
nlohmann::ordered_json ToolMessageFields(const nlohmann::json& m,
                                         const nlohmann::ordered_json* ordered,
                                         const std::string& where);

}  // namespace densing::server
