// Shaping a chat with tools for a model's own template: the variables its template reads
// (transformers' `tools`, SmolLM3's `xml_tools`, Phi-4-mini's system-message `tools` string), the
// assistant's earlier calls and the tools' results, and a system-prompt rendering of the tools
// for templates that have no tool support of their own.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "chat/tool_calls.h"

namespace densing {

struct ToolChat {
  nlohmann::ordered_json messages;    // for RenderChatTemplate
  nlohmann::ordered_json extra_vars;  // likewise: tools / xml_tools, or nothing
};

// `messages` follow OpenAI's shape with each tool call's function.arguments already an object
// (transformers' convention, which templates that iterate or `tojson` the arguments expect);
// `tools` is the request's array of {"type": "function", "function": {...}}, empty when no tools
// are offered (tool_choice "none" included). Templates that do not mention tool calls get them
// written into the assistant's content in the family's own syntax; templates with no "tool" role
// get the results as a user turn.
ToolChat PrepareToolChat(std::string_view chat_template, ToolFamily family,
                         const nlohmann::ordered_json& messages,
                         const nlohmann::ordered_json& tools);

// The system-prompt text that offers `tools` in the family's call syntax (used where the
// template has no tools variable). Exposed for the docs and tests.
std::string ToolSystemPrompt(ToolFamily family, const nlohmann::ordered_json& tools);

// JSON as Python's json.dumps writes it (", " and ": " separators, non-ASCII kept), the form
// models saw their tools and calls in.
std::string PyJson(const nlohmann::ordered_json& j);

}  // namespace densing
