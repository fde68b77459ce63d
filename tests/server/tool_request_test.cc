// The tool fields of a chat request: what a good request carries to the template, and the field
// each bad one is refused for (400 naming it).
#include <gtest/gtest.h>

#include <string>

#include "server/api_error.h"
#include "server/request.h"

namespace densing::server {
namespace {

using nlohmann::json;

json Weather() {
  return json::parse(R"({"type": "function", "function": {"name": "get_weather",
      "description": "Weather in a city.", "parameters": {"type": "object",
      "properties": {"city": {"type": "string"}}, "required": ["city"]}}})");
}

json Chat(json extra = json::object()) {
  json body = {{"messages", {{{"role", "user"}, {"content", "hi"}}}},
               {"tools", json::array({Weather()})}};
  body.update(extra);
  return body;
}

// The param of the 400 a body gets (with its message), or "!" when it parses.
std::string ParamOf(const json& body, std::string* message = nullptr) {
  try {
    ParseChatRequest(body);
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status(), 400);
    EXPECT_EQ(e.type(), "invalid_request_error");
    if (message) *message = e.what();
    return e.param();
  }
  return "!";
}

TEST(ToolRequest, Defaults) {
  const GenerationRequest r = ParseChatRequest(Chat());
  ASSERT_EQ(r.tools.tools.size(), 1u);
  EXPECT_EQ(r.tools.tools[0]["function"]["name"], "get_weather");
  EXPECT_EQ(r.tools.choice, ToolChoice::kAuto);
  EXPECT_TRUE(r.tools.parallel);
  const GenerationRequest none = ParseChatRequest(Chat({{"tools", nullptr}}));
  EXPECT_TRUE(none.tools.tools.empty());
}

TEST(ToolRequest, Choices) {
  EXPECT_EQ(ParseChatRequest(Chat({{"tool_choice", "none"}})).tools.choice, ToolChoice::kNone);
  EXPECT_EQ(ParseChatRequest(Chat({{"tool_choice", "required"}})).tools.choice,
            ToolChoice::kRequired);
  const GenerationRequest named = ParseChatRequest(
      Chat({{"tool_choice", {{"type", "function"}, {"function", {{"name", "get_weather"}}}}},
            {"parallel_tool_calls", false}}));
  EXPECT_EQ(named.tools.choice, ToolChoice::kNamed);
  EXPECT_EQ(named.tools.choice_name, "get_weather");
  EXPECT_FALSE(named.tools.parallel);
}

// The body's text keeps the client's key order for what the model is shown.
TEST(ToolRequest, RawBodyKeepsKeyOrder) {
  const std::string raw =
      R"({"messages": [{"role": "user", "content": "hi"}], "tools": [{"type": "function",
          "function": {"name": "f", "parameters": {"type": "object", "properties": {
          "zeta": {"type": "string"}, "alpha": {"type": "number"}}}}}]})";
  const GenerationRequest r = ParseChatRequest(json::parse(raw), raw);
  EXPECT_EQ(r.tools.tools[0]["function"]["parameters"]["properties"].dump(),
            R"({"zeta":{"type":"string"},"alpha":{"type":"number"}})");
}

TEST(ToolRequest, ToolMessagesReachTheTemplate) {
  const GenerationRequest r = ParseChatRequest(Chat({{"messages", json::parse(R"([
      {"role": "user", "content": "Weather in Paris?"},
      {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function",
        "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}]},
      {"role": "tool", "tool_call_id": "call_1", "name": "get_weather", "content": "18 C"}])")}}));
  ASSERT_EQ(r.messages.size(), 3u);
  const auto& call = r.messages[1]["tool_calls"][0];
  EXPECT_EQ(r.messages[1]["content"], "");
  EXPECT_EQ(call["id"], "call_1");
  EXPECT_EQ(call["function"]["name"], "get_weather");
  EXPECT_TRUE(call["function"]["arguments"].is_object());  // the string parsed for templates
  EXPECT_EQ(call["function"]["arguments"]["city"], "Paris");
  EXPECT_EQ(r.messages[2]["tool_call_id"], "call_1");
  EXPECT_EQ(r.messages[2]["name"], "get_weather");
  EXPECT_EQ(r.messages[2]["content"], "18 C");
}

TEST(ToolRequest, EachBadFieldIsNamed) {
  const json weather = Weather();
  const auto with_fn = [&](json fn) {
    json t = weather;
    t["function"] = std::move(fn);
    return json::array({t});
  };
  const std::vector<std::pair<json, std::string>> cases = {
      {{{"tools", "get_weather"}}, "tools"},
      {{{"tools", json::array({1})}}, "tools[0]"},
      {{{"tools", json::array({{{"type", "retrieval"}}})}}, "tools[0].type"},
      {{{"tools", json::array({{{"type", "function"}}})}}, "tools[0].function"},
      {{{"tools", with_fn({{"description", "x"}})}}, "tools[0].function.name"},
      {{{"tools", with_fn({{"name", "has space"}})}}, "tools[0].function.name"},
      {{{"tools", with_fn({{"name", std::string(65, 'a')}})}}, "tools[0].function.name"},
      {{{"tools", with_fn({{"name", "f"}, {"description", 5}})}}, "tools[0].function.description"},
      {{{"tools", with_fn({{"name", "f"}, {"parameters", "object"}})}},
       "tools[0].function.parameters"},
      {{{"tools", with_fn({{"name", "f"}, {"parameters", {{"type", "string"}}}})}},
       "tools[0].function.parameters"},
      {{{"tools", with_fn({{"name", "f"}, {"parameters", {{"type", "object"}, {"properties", 1}}}})}},
       "tools[0].function.parameters.properties"},
      {{{"tools", with_fn({{"name", "f"}, {"parameters", {{"required", "city"}}}})}},
       "tools[0].function.parameters.required"},
      {{{"tools", json::array({weather, weather})}}, "tools[1].function.name"},
      {{{"tools", json(std::vector<json>(129, weather))}}, "tools"},
      {{{"tool_choice", "always"}}, "tool_choice"},
      {{{"tool_choice", 1}}, "tool_choice"},
      {{{"tool_choice", {{"type", "function"}}}}, "tool_choice"},
      {{{"tool_choice", {{"type", "function"}, {"function", {{"name", "nope"}}}}}},
       "tool_choice.function.name"},
      {{{"tools", nullptr}, {"tool_choice", "required"}}, "tool_choice"},
      {{{"parallel_tool_calls", "yes"}}, "parallel_tool_calls"},
      {{{"functions", json::array({weather["function"]})}}, "functions"},
  };
  for (const auto& [extra, param] : cases) {
    EXPECT_EQ(ParamOf(Chat(extra)), param) << extra.dump().substr(0, 200);
  }
}

TEST(ToolRequest, CompletionsHaveNoTools) {
  for (const char* name : {"tools", "tool_choice", "parallel_tool_calls"}) {
    json body = {{"prompt", "Once"}, {name, Weather()}};
    try {
      ParseCompletionRequest(body);
      ADD_FAILURE() << name << " accepted";
    } catch (const ApiError& e) {
      EXPECT_EQ(e.param(), name);
    }
  }
}

TEST(ToolRequest, EachBadMessageFieldIsNamed) {
  const auto msgs = [](const char* text) { return json{{"messages", json::parse(text)}}; };
  const std::vector<std::pair<json, std::string>> cases = {
      {msgs(R"([{"role": "user", "content": "x", "tool_calls": []}])"), "messages[0].tool_calls"},
      {msgs(R"([{"role": "assistant", "content": null, "tool_calls": {}}])"),
       "messages[0].tool_calls"},
      {msgs(R"([{"role": "assistant", "tool_calls": [1]}])"), "messages[0].tool_calls[0]"},
      {msgs(R"([{"role": "assistant", "tool_calls": [{"type": "function",
          "function": {"name": "f", "arguments": "{}"}}]}])"),
       "messages[0].tool_calls[0].id"},
      {msgs(R"([{"role": "assistant", "tool_calls": [{"id": "c", "type": "code",
          "function": {"name": "f", "arguments": "{}"}}]}])"),
       "messages[0].tool_calls[0].type"},
      {msgs(R"([{"role": "assistant", "tool_calls": [{"id": "c", "function": {"arguments": "{}"}}]}])"),
       "messages[0].tool_calls[0].function"},
      {msgs(R"([{"role": "assistant", "tool_calls": [{"id": "c", "function": {"name": "f",
          "arguments": "{not json"}}]}])"),
       "messages[0].tool_calls[0].function.arguments"},
      {msgs(R"([{"role": "assistant", "tool_calls": [{"id": "c", "function": {"name": "f",
          "arguments": "[1, 2]"}}]}])"),
       "messages[0].tool_calls[0].function.arguments"},
      {msgs(R"([{"role": "tool", "content": "18 C"}])"), "messages[0].tool_call_id"},
      {msgs(R"([{"role": "tool", "tool_call_id": 5, "content": "18 C"}])"),
       "messages[0].tool_call_id"},
      {msgs(R"([{"role": "tool", "tool_call_id": "c"}])"), "messages[0].content"},
      {msgs(R"([{"role": "tool", "tool_call_id": "c", "content": "x", "name": 3}])"),
       "messages[0].name"},
  };
  for (const auto& [extra, param] : cases) {
    std::string message;
    EXPECT_EQ(ParamOf(Chat(extra), &message), param) << extra.dump();
    EXPECT_NE(message.find(param), std::string::npos) << message;  // the message names it too
  }
}

}  // namespace
}  // namespace densing::server
