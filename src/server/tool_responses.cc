// Tool calls in OpenAI's response shapes.
#include "server/tool_responses.h"

namespace densing::server {

using nlohmann::json;

json ToolCallsJson(const std::vector<ToolCall>& calls) {
  json out = json::array();
  for (const ToolCall& c : calls) {
    out.push_back({{"id", c.id},
                   {"type", "function"},
                   {"function", {{"name", c.name}, {"arguments", c.arguments}}}});
  }
  return out;
}

std::vector<json> ToolCallDeltas(const std::vector<ToolCall>& calls, size_t first_index) {
  std::vector<json> deltas;
  for (size_t k = 0; k < calls.size(); ++k) {
    const ToolCall& c = calls[k];
    const size_t index = first_index + k;
    deltas.push_back({{"tool_calls",
                       json::array({{{"index", index},
                                     {"id", c.id},
                                     {"type", "function"},
                                     {"function", {{"name", c.name}, {"arguments", ""}}}}})}});
    deltas.push_back(
        {{"tool_calls",
          json::array({{{"index", index}, {"function", {{"arguments", c.arguments}}}}})}});
  }
  return deltas;
}

void AddToolCalls(json& completion, const std::vector<ToolCall>& calls, bool stopped) {
  if (calls.empty()) return;
  json& choice = completion["choices"][0];
  json& message = choice["message"];
  if (message["content"].is_string() && message["content"].get<std::string>().empty()) {
    message["content"] = nullptr;
  }
  message["tool_calls"] = ToolCallsJson(calls);
  if (stopped) choice["finish_reason"] = "tool_calls";
}

}  // namespace densing::server
