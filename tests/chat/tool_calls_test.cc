// Parsing tool calls out of model output for each template family: well-formed, several,
// with text around them, malformed and cut off; and the stream parser, fed the same outputs in
// every fragmentation, agreeing with the whole parse and never leaking a call's text as content.
#include "chat/tool_calls.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace densing {
namespace {

using Json = nlohmann::json;

const std::vector<std::string> kNames = {"get_weather", "get_time"};

ParsedOutput Parse(ToolFamily f, const std::string& text) {
  return ParseToolCalls(f, text, kNames);
}

void ExpectCall(const ToolCall& c, const std::string& name, const std::string& args) {
  EXPECT_EQ(c.name, name);
  EXPECT_EQ(Json::parse(c.arguments), Json::parse(args)) << c.arguments;
}

TEST(ToolCalls, HermesOneCall) {
  const ParsedOutput p = Parse(ToolFamily::kHermes,
                               "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": "
                               "{\"city\": \"Paris\", \"days\": 2}}\n</tool_call>");
  ASSERT_EQ(p.calls.size(), 1u);
  ExpectCall(p.calls[0], "get_weather", R"({"city": "Paris", "days": 2})");
  EXPECT_EQ(p.calls[0].arguments, R"({"city":"Paris","days":2})");  // key order kept
  EXPECT_EQ(p.calls[0].id.rfind("call_", 0), 0u);
  EXPECT_EQ(p.calls[0].id.size(), 29u);
  EXPECT_EQ(p.content, "");
}

TEST(ToolCalls, HermesSeveralCallsAndText) {
  const ParsedOutput p = Parse(
      ToolFamily::kHermes,
      "Let me check.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": "
      "\"Oslo\"}}\n</tool_call>\n<tool_call>\n{\"name\": \"get_time\", \"arguments\": "
      "\"{\\\"zone\\\": \\\"UTC\\\"}\"}\n</tool_call>");
  ASSERT_EQ(p.calls.size(), 2u);
  ExpectCall(p.calls[0], "get_weather", R"({"city": "Oslo"})");
  ExpectCall(p.calls[1], "get_time", R"({"zone": "UTC"})");  // arguments given as a string
  EXPECT_NE(p.calls[0].id, p.calls[1].id);
  EXPECT_EQ(p.content, "Let me check.");
}

TEST(ToolCalls, HermesMalformedStaysContent) {
  for (const std::string text :
       {"<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": }\n</tool_call>",
        "<tool_call>not json</tool_call>", "<tool_call>{\"arguments\": {}}</tool_call>",
        "<tool_call>{\"name\": \"f\", \"arguments\": [1]}</tool_call>", "<tool_call>",
        "<tool_call>\n{\"name\": \"get_weather\", \"argu", "plain answer"}) {
    const ParsedOutput p = Parse(ToolFamily::kHermes, text);
    EXPECT_TRUE(p.calls.empty()) << text;
    EXPECT_EQ(p.content, text);
  }
}

// A model can write "[[[[…" for as long as max_tokens allows; nlohmann-json would print and copy
// that recursively and overflow the stack. Past kMaxJsonDepth it is content, in every family.
TEST(ToolCalls, DeeplyNestedOutputStaysContent) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const std::string args = R"({"name": "get_weather", "arguments": {"x": )" + deep + "}}";
  for (const auto& [family, text] : std::vector<std::pair<ToolFamily, std::string>>{
           {ToolFamily::kHermes, "<tool_call>" + args + "</tool_call>"},
           {ToolFamily::kLlama3, args},
           {ToolFamily::kMistral, "[TOOL_CALLS][" + args + "]"},
           {ToolFamily::kPhi4, "<|tool_call|>[" + args + "]<|/tool_call|>"}}) {
    const ParsedOutput p = Parse(family, text);
    EXPECT_TRUE(p.calls.empty()) << ToolFamilyName(family);
    EXPECT_EQ(p.content, text) << ToolFamilyName(family);
  }
}

TEST(ToolCalls, HermesUnclosedLastCallCounts) {
  const ParsedOutput p = Parse(
      ToolFamily::kHermes, "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {}}\n");
  ASSERT_EQ(p.calls.size(), 1u);
  ExpectCall(p.calls[0], "get_weather", "{}");
}

TEST(ToolCalls, Llama3) {
  ParsedOutput p = Parse(ToolFamily::kLlama3,
                         "{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Rome\"}}");
  ASSERT_EQ(p.calls.size(), 1u);
  ExpectCall(p.calls[0], "get_weather", R"({"city": "Rome"})");
  p = Parse(ToolFamily::kLlama3,
            "<|python_tag|>{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Rome\"}}; "
            "{\"name\": \"get_time\", \"parameters\": {\"zone\": \"CET\"}}");
  ASSERT_EQ(p.calls.size(), 2u);
  ExpectCall(p.calls[1], "get_time", R"({"zone": "CET"})");
  // JSON that is an answer, a function not offered, text after the call: content.
  for (const std::string text :
       {"{\"answer\": 42}", "{\"name\": \"rm_rf\", \"parameters\": {}}",
        "{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Rome\"}} and more",
        "{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Ro", "It is sunny."}) {
    p = Parse(ToolFamily::kLlama3, text);
    EXPECT_TRUE(p.calls.empty()) << text;
    EXPECT_EQ(p.content, text);
  }
}

TEST(ToolCalls, MistralArrayForm) {
  const ParsedOutput p =
      Parse(ToolFamily::kMistral,
            "Sure. [TOOL_CALLS] [{\"name\": \"get_weather\", \"arguments\": {\"city\": "
            "\"Lyon\"}, \"id\": \"aB3dE5gH7\"}, {\"name\": \"get_time\", \"arguments\": {}}]");
  ASSERT_EQ(p.calls.size(), 2u);
  ExpectCall(p.calls[0], "get_weather", R"({"city": "Lyon"})");
  EXPECT_EQ(p.calls[0].id, "aB3dE5gH7");
  EXPECT_EQ(p.calls[1].id.size(), 9u);  // Mistral's templates want 9 alphanumerics back
  EXPECT_EQ(p.content, "Sure.");
}

TEST(ToolCalls, MistralNameArgsForm) {
  const ParsedOutput p = Parse(ToolFamily::kMistral,
                               "[TOOL_CALLS]get_weather[ARGS]{\"city\": \"Nice\"}"
                               "[TOOL_CALLS]get_time[CALL_ID]x1y2z3w4v[ARGS]{\"zone\": \"UTC\"}");
  ASSERT_EQ(p.calls.size(), 2u);
  ExpectCall(p.calls[0], "get_weather", R"({"city": "Nice"})");
  ExpectCall(p.calls[1], "get_time", R"({"zone": "UTC"})");
  EXPECT_EQ(p.calls[1].id, "x1y2z3w4v");
  for (const std::string text : {"[TOOL_CALLS]get_weather{\"city\": 1}",
                                 "[TOOL_CALLS][{\"name\": \"get_weather\"", "[TOOL_CALLS]"}) {
    const ParsedOutput bad = Parse(ToolFamily::kMistral, text);
    EXPECT_TRUE(bad.calls.empty()) << text;
    EXPECT_EQ(bad.content, text);
  }
}

TEST(ToolCalls, PhiFourMini) {
  const ParsedOutput p = Parse(ToolFamily::kPhi4,
                               "<|tool_call|>[{\"name\": \"get_weather\", \"arguments\": "
                               "{\"city\": \"Bern\"}}]<|/tool_call|>");
  ASSERT_EQ(p.calls.size(), 1u);
  ExpectCall(p.calls[0], "get_weather", R"({"city": "Bern"})");
  const ParsedOutput bad = Parse(ToolFamily::kPhi4, "<|tool_call|>[{]<|/tool_call|>");
  EXPECT_TRUE(bad.calls.empty());
}

TEST(ToolCalls, GemmaJsonAndPython) {
  ParsedOutput p = Parse(ToolFamily::kGemma,
                         "{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Oslo\"}}");
  ASSERT_EQ(p.calls.size(), 1u);
  ExpectCall(p.calls[0], "get_weather", R"({"city": "Oslo"})");
  p = Parse(ToolFamily::kGemma,
            "```tool_code\n[get_weather(city=\"Oslo\", days=3, metric=True, hours=[1, 2.5], "
            "extra={'a': None}), get_time(zone='UTC')]\n```");
  ASSERT_EQ(p.calls.size(), 2u);
  ExpectCall(p.calls[0], "get_weather",
             R"({"city": "Oslo", "days": 3, "metric": true, "hours": [1, 2.5],
                 "extra": {"a": null}})");
  ExpectCall(p.calls[1], "get_time", R"({"zone": "UTC"})");
  p = Parse(ToolFamily::kGemma, "get_time()");
  ASSERT_EQ(p.calls.size(), 1u);
  EXPECT_EQ(p.calls[0].arguments, "{}");
  for (const std::string text :
       {"The weather is nice.", "print(get_weather(city=\"Oslo\"))", "unknown(a=1)",
        "[get_weather(city=\"Oslo\"", "get_weather(city=Oslo)", "{\"answer\": 1}"}) {
    p = Parse(ToolFamily::kGemma, text);
    EXPECT_TRUE(p.calls.empty()) << text;
    EXPECT_EQ(p.content, text);
  }
}

// --- streaming ----------------------------------------------------------------------------------

struct Streamed {
  std::string content;
  std::vector<ToolCall> calls;
  std::vector<size_t> content_pushes;  // content length after each push
  std::vector<size_t> call_pushes;     // calls out after each push
};

Streamed Stream(ToolFamily f, const std::vector<std::string>& pieces, bool parallel = true) {
  ToolCallStream s(f, kNames, parallel);
  Streamed out;
  for (const std::string& piece : pieces) {
    ToolCallStream::Update u = s.Push(piece);
    out.content += u.content;
    for (ToolCall& c : u.calls) out.calls.push_back(std::move(c));
    out.content_pushes.push_back(out.content.size());
    out.call_pushes.push_back(out.calls.size());
  }
  ToolCallStream::Update u = s.Finish();
  out.content += u.content;
  for (ToolCall& c : u.calls) out.calls.push_back(std::move(c));
  EXPECT_EQ(s.n_calls(), out.calls.size());
  return out;
}

std::vector<std::string> Split(const std::string& text, size_t size) {
  std::vector<std::string> pieces;
  for (size_t i = 0; i < text.size(); i += size) pieces.push_back(text.substr(i, size));
  return pieces;
}

struct StreamCase {
  ToolFamily family;
  std::string text;
  std::vector<std::string> names;  // expected calls
  std::string content;             // expected content
  std::string marker;              // must never appear in streamed content when calls exist
};

TEST(ToolCallStream, EveryFragmentationAgreesWithTheWholeParse) {
  const std::vector<StreamCase> cases = {
      {ToolFamily::kHermes,
       "Checking.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": "
       "\"Oslo\"}}\n</tool_call>\n<tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}"
       "\n</tool_call>",
       {"get_weather", "get_time"},
       "Checking.",
       "<tool_call>"},
      {ToolFamily::kHermes, "No call here, just <tool text.", {}, "No call here, just <tool text.",
       ""},
      {ToolFamily::kHermes, "<tool_call>{broken</tool_call>", {}, "<tool_call>{broken</tool_call>",
       ""},
      {ToolFamily::kLlama3,
       "<|python_tag|>{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Rome\"}}",
       {"get_weather"},
       "",
       "python_tag"},
      {ToolFamily::kLlama3, "  {\"name\": \"get_time\", \"parameters\": {\"zone\": \"CET\"}}",
       {"get_time"}, "", "get_time"},
      {ToolFamily::kLlama3, "It is {sunny} today.", {}, "It is {sunny} today.", ""},
      {ToolFamily::kMistral,
       "Ok [TOOL_CALLS][{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Lyon\"}}]",
       {"get_weather"},
       "Ok",
       "TOOL_CALLS"},
      {ToolFamily::kMistral, "[TOOL_CALLS]get_time[ARGS]{\"zone\": \"UTC\"}", {"get_time"}, "",
       "TOOL_CALLS"},
      {ToolFamily::kPhi4,
       "<|tool_call|>[{\"name\": \"get_weather\", \"arguments\": {}}]<|/tool_call|>",
       {"get_weather"},
       "",
       "tool_call"},
      {ToolFamily::kGemma, "```tool_code\nget_weather(city=\"Oslo\")\n```", {"get_weather"}, "",
       "tool_code"},
      {ToolFamily::kGemma, "get_time(zone='UTC')", {"get_time"}, "", "get_time"},
      {ToolFamily::kGemma, "The weather is nice.", {}, "The weather is nice.", ""},
  };
  for (const StreamCase& c : cases) {
    const ParsedOutput whole = ParseToolCalls(c.family, c.text, kNames);
    ASSERT_EQ(whole.calls.size(), c.names.size()) << c.text;
    EXPECT_EQ(whole.content, c.content) << c.text;
    for (size_t size = 1; size <= c.text.size(); ++size) {
      const Streamed s = Stream(c.family, Split(c.text, size));
      ASSERT_EQ(s.calls.size(), c.names.size()) << c.text << " in pieces of " << size;
      for (size_t k = 0; k < c.names.size(); ++k) {
        EXPECT_EQ(s.calls[k].name, c.names[k]);
        EXPECT_EQ(s.calls[k].arguments, whole.calls[k].arguments);
      }
      EXPECT_EQ(s.content, c.content) << c.text << " in pieces of " << size;
      if (!c.names.empty()) {
        EXPECT_EQ(s.content.find(c.marker), std::string::npos);
      }
    }
  }
}

// Content before a call goes out at once; a tagged call goes out when its closing tag arrives,
// before the output ends.
TEST(ToolCallStream, ContentAndCallsGoOutEarly) {
  const Streamed s = Stream(ToolFamily::kHermes,
                            {"Hello ", "there.", "<tool", "_call>{\"name\": \"get_time\", ",
                             "\"arguments\": {}}</tool_call>", "\n"});
  EXPECT_EQ(s.content_pushes[0], 5u);   // "Hello" at once; the space waits for what follows
  EXPECT_EQ(s.content_pushes[2], 12u);  // "<tool" held: it may open a call
  EXPECT_EQ(s.call_pushes[3], 0u);
  EXPECT_EQ(s.call_pushes[4], 1u);  // complete at its closing tag
  EXPECT_EQ(s.content, "Hello there.");
}

TEST(ToolCallStream, ParallelFalseKeepsTheFirstCall) {
  const std::string text =
      "<tool_call>{\"name\": \"get_weather\", \"arguments\": {}}</tool_call>"
      "<tool_call>{\"name\": \"get_time\", \"arguments\": {}}</tool_call>";
  const Streamed s = Stream(ToolFamily::kHermes, {text}, /*parallel=*/false);
  ASSERT_EQ(s.calls.size(), 1u);
  EXPECT_EQ(s.calls[0].name, "get_weather");
  EXPECT_EQ(Stream(ToolFamily::kHermes, {text}).calls.size(), 2u);
}

TEST(ToolCalls, Ids) {
  for (int k = 0; k < 20; ++k) {
    const std::string m = NewToolCallId(ToolFamily::kMistral);
    ASSERT_EQ(m.size(), 9u);
    for (char c : m) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)));
    EXPECT_NE(NewToolCallId(ToolFamily::kHermes), NewToolCallId(ToolFamily::kHermes));
  }
}

}  // namespace
}  // namespace densing
