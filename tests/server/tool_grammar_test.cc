// Tool-call grammars: each family's well-formed calls are in the grammar and parse back to the
// same call; a wrong name, a missing required argument, a second call without
// parallel_tool_calls and text around the call are not; a schema the converter cannot take is a
// 400 naming the tool.
#include "server/tool_grammar.h"

#include <gtest/gtest.h>

#include "grammar/matcher.h"
#include "server/api_error.h"
#include "server/request.h"

namespace densing::server {
namespace {

using nlohmann::json;

ToolRequest Tools(json extra = json::object()) {
  json body = json::parse(R"({"messages": [{"role": "user", "content": "hi"}], "tools": [
      {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object",
        "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
        "required": ["city"]}}},
      {"type": "function", "function": {"name": "get_time", "parameters": {"type": "object",
        "properties": {"zone": {"type": "string", "enum": ["UTC", "CET"]}},
        "required": ["zone"]}}}]})");
  body.update(extra);
  return ParseChatRequest(body).tools;
}

bool Accepts(ToolFamily f, const ToolRequest& r, const std::string& text) {
  grammar::Matcher m(grammar::Grammar::Parse(ToolCallGbnf(f, r)));
  return m.AcceptBytes(text) && m.CanEnd();
}

TEST(ToolGrammar, HermesCalls) {
  const ToolRequest r = Tools({{"tool_choice", "required"}});
  const std::string one =
      "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\", \"days\": "
      "2}}\n</tool_call>";
  const std::string two = one + "\n<tool_call>\n{\"name\": \"get_time\", \"arguments\": "
                                "{\"zone\": \"UTC\"}}\n</tool_call>";
  EXPECT_TRUE(Accepts(ToolFamily::kHermes, r, one));
  EXPECT_TRUE(Accepts(ToolFamily::kHermes, r, two));
  const ParsedOutput parsed = ParseToolCalls(ToolFamily::kHermes, two, {});
  ASSERT_EQ(parsed.calls.size(), 2u);
  EXPECT_EQ(parsed.calls[1].arguments, R"({"zone":"UTC"})");
  for (const std::string& bad : std::vector<std::string>{
           "Sure. " + one,                                                     // text before
        "<tool_call>\n{\"name\": \"rm\", \"arguments\": {}}\n</tool_call>",  // not offered
        "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {}}\n</tool_call>",  // no city
        "<tool_call>\n{\"name\": \"get_time\", \"arguments\": {\"zone\": \"PST\"}}\n</tool_call>",
        "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": 5}}\n</tool_call>",
        one.substr(0, one.size() - 3)}) {
    EXPECT_FALSE(Accepts(ToolFamily::kHermes, r, bad)) << bad;
  }
  EXPECT_FALSE(Accepts(ToolFamily::kHermes, Tools({{"parallel_tool_calls", false}}), two));
}

TEST(ToolGrammar, NamedFunctionOnly) {
  const ToolRequest r =
      Tools({{"tool_choice", {{"type", "function"}, {"function", {{"name", "get_time"}}}}}});
  EXPECT_TRUE(Accepts(ToolFamily::kHermes, r,
                      "<tool_call>\n{\"name\": \"get_time\", \"arguments\": {\"zone\": "
                      "\"CET\"}}\n</tool_call>"));
  EXPECT_FALSE(Accepts(ToolFamily::kHermes, r,
                       "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": "
                       "\"Oslo\"}}\n</tool_call>"));
}

TEST(ToolGrammar, OtherFamilies) {
  const ToolRequest r = Tools({{"tool_choice", "required"}});
  const std::vector<std::pair<ToolFamily, std::string>> cases = {
      {ToolFamily::kMistral,
       "[TOOL_CALLS][{\"name\": \"get_time\", \"arguments\": {\"zone\": \"UTC\"}}, {\"name\": "
       "\"get_weather\", \"arguments\": {\"city\": \"Oslo\"}}]"},
      {ToolFamily::kPhi4,
       "<|tool_call|>[{\"name\": \"get_time\", \"arguments\": {\"zone\": \"UTC\"}}]"
       "<|/tool_call|>"},
      {ToolFamily::kLlama3, "{\"name\": \"get_time\", \"parameters\": {\"zone\": \"UTC\"}}"},
      {ToolFamily::kGemma, "{\"name\": \"get_time\", \"parameters\": {\"zone\": \"UTC\"}}"},
  };
  for (const auto& [family, text] : cases) {
    EXPECT_TRUE(Accepts(family, r, text)) << ToolFamilyName(family) << ": " << text;
    const ParsedOutput p = ParseToolCalls(family, text, {"get_time", "get_weather"});
    ASSERT_FALSE(p.calls.empty()) << text;
    EXPECT_EQ(p.calls[0].name, "get_time");
    EXPECT_EQ(p.calls[0].arguments, R"({"zone":"UTC"})");
  }
}

TEST(ToolGrammar, WhenItApplies) {
  EXPECT_EQ(ToolCallGrammar(ToolFamily::kHermes, Tools({{"tool_choice", "none"}})).grammar,
            nullptr);
  EXPECT_EQ(ToolCallGrammar(ToolFamily::kHermes, Tools({{"tools", nullptr}})).grammar, nullptr);
  // auto: lazy, on the opener; nothing to trigger on in Llama 3 and Gemma.
  const grammar::GrammarSpec lazy = ToolCallGrammar(ToolFamily::kHermes, Tools());
  ASSERT_NE(lazy.grammar, nullptr);
  EXPECT_EQ(lazy.trigger_words, std::vector<std::string>{"<tool_call>"});
  EXPECT_EQ(ToolCallGrammar(ToolFamily::kLlama3, Tools()).grammar, nullptr);
  const grammar::GrammarSpec full =
      ToolCallGrammar(ToolFamily::kLlama3, Tools({{"tool_choice", "required"}}));
  ASSERT_NE(full.grammar, nullptr);
  EXPECT_FALSE(full.lazy());
}

TEST(ToolGrammar, UnsupportedSchemaIsA400NamingTheTool) {
  const ToolRequest r = Tools({{"tool_choice", "required"},
                               {"tools", json::parse(R"([
      {"type": "function", "function": {"name": "a", "parameters": {"type": "object"}}},
      {"type": "function", "function": {"name": "b", "parameters": {"type": "object",
        "properties": {"x": {"type": "string", "pattern": "(?<=a)b"}}}}}])")}});
  try {
    ToolCallGrammar(ToolFamily::kHermes, r);
    FAIL() << "no error";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status(), 400);
    EXPECT_EQ(e.param(), "tools[1].function.parameters");
  }
}

}  // namespace
}  // namespace densing::server
