// Chats with tools through the models' own templates. Where a template supports tools, densing's
// preparation (PrepareToolChat) plus its Jinja must render byte for byte what transformers'
// convention renders in Python's Jinja2 (expected/tool_expected.json, from tool_cases.json by
// make_expected.py). Where it does not (Gemma 3, Phi-4-mini, ChatML, Llama 3.0), the documented
// fallback is checked piece by piece.
#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "chat/chat_template.h"
#include "chat/tool_calls.h"
#include "chat/tool_prompt.h"

namespace densing {
namespace {

using Json = nlohmann::ordered_json;

std::filesystem::path TestDir() { return std::filesystem::path(__FILE__).parent_path(); }

std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Template(const std::string& name) {
  return name == "chatml" ? std::string(kChatMlTemplate)
                          : ReadText(TestDir() / "templates" / (name + ".jinja"));
}

// SmolLM3 prints today's date; make_expected.py writes it as {TODAY}.
std::string NormalizeDate(std::string s) {
  char today[64];
  const std::time_t now = std::time(nullptr);
  std::strftime(today, sizeof today, "Today Date: %d %B %Y", std::localtime(&now));
  const size_t at = s.find(today);
  if (at != std::string::npos) s.replace(at, std::strlen(today), "Today Date: {TODAY}");
  return s;
}

std::string Render(const std::string& source, const Json& messages, const Json& tools,
                   const Json& extra = Json::object(), bool gen = true) {
  ToolChat chat = PrepareToolChat(source, DetectToolFamily(source), messages, tools);
  for (auto it = extra.begin(); it != extra.end(); ++it) chat.extra_vars[it.key()] = it.value();
  return RenderChatTemplate(source, chat.messages, gen, "<s>", "</s>", chat.extra_vars);
}

struct Case {
  Json input;
  Json expected;
};
void PrintTo(const Case& c, std::ostream* os) { *os << c.input.at("name"); }

std::vector<Case> LoadCases() {
  const Json cases = Json::parse(ReadText(TestDir() / "tool_cases.json"));
  const Json expected = Json::parse(ReadText(TestDir() / "expected" / "tool_expected.json"));
  std::vector<Case> out;
  for (const Json& c : cases) out.push_back({c, expected.at(c.at("name").get<std::string>())});
  return out;
}

class ToolTemplateTest : public testing::TestWithParam<Case> {};

TEST_P(ToolTemplateTest, MatchesTransformersConvention) {
  const Json& in = GetParam().input;
  ASSERT_TRUE(GetParam().expected.contains("output")) << GetParam().expected.dump();
  const std::string out =
      Render(Template(in.at("template").get<std::string>()), in.at("messages"), in.at("tools"),
             in.value("extra", Json::object()), in.at("add_generation_prompt").get<bool>());
  EXPECT_EQ(NormalizeDate(out), GetParam().expected.at("output").get<std::string>());
}

INSTANTIATE_TEST_SUITE_P(Jinja2, ToolTemplateTest, testing::ValuesIn(LoadCases()),
                         [](const testing::TestParamInfo<Case>& info) {
                           std::string name = info.param.input.at("name").get<std::string>();
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

Json Tools() {
  return Json::parse(R"([{"type": "function", "function": {"name": "get_weather",
      "description": "Weather in a city.", "parameters": {"type": "object",
      "properties": {"city": {"type": "string"}}, "required": ["city"]}}}])");
}

Json RoundTrip() {
  return Json::parse(R"([
    {"role": "user", "content": "Weather in Paris?"},
    {"role": "assistant", "content": "", "tool_calls": [{"id": "call_1", "type": "function",
      "function": {"name": "get_weather", "arguments": {"city": "Paris"}}}]},
    {"role": "tool", "tool_call_id": "call_1", "content": "18 C"},
    {"role": "tool", "tool_call_id": "call_2", "content": "windy"}])");
}

TEST(ToolTemplate, FamiliesOfTheTestTemplates) {
  EXPECT_EQ(DetectToolFamily(Template("qwen2.5")), ToolFamily::kHermes);
  EXPECT_EQ(DetectToolFamily(Template("qwen3")), ToolFamily::kHermes);
  EXPECT_EQ(DetectToolFamily(Template("smollm3")), ToolFamily::kHermes);
  EXPECT_EQ(DetectToolFamily(Template("chatml")), ToolFamily::kHermes);
  EXPECT_EQ(DetectToolFamily(Template("llama-3")), ToolFamily::kLlama3);
  EXPECT_EQ(DetectToolFamily(Template("llama-3.1")), ToolFamily::kLlama3);
  EXPECT_EQ(DetectToolFamily(Template("llama-3.2")), ToolFamily::kLlama3);
  EXPECT_EQ(DetectToolFamily(Template("mistral-v0.3")), ToolFamily::kMistral);
  EXPECT_EQ(DetectToolFamily(Template("phi-4-mini")), ToolFamily::kPhi4);
  EXPECT_EQ(DetectToolFamily(Template("gemma-3")), ToolFamily::kGemma);
  EXPECT_EQ(DetectToolFamily(Template("gemma-2")), ToolFamily::kGemma);
}

// Gemma 3's template has no tools: Google's documented prompt goes in the system text (which the
// template puts in the first user turn), earlier calls become the model's JSON, results a user
// turn in ```tool_output``` blocks, and the turns still alternate.
TEST(ToolTemplate, GemmaFallback) {
  const std::string out = Render(Template("gemma-3"), RoundTrip(), Tools());
  EXPECT_EQ(out.rfind("<s><start_of_turn>user\nYou have access to functions.", 0), 0u) << out;
  EXPECT_NE(out.find("{\"name\": function name, \"parameters\": dictionary of argument name"),
            std::string::npos);
  EXPECT_NE(out.find("\"name\": \"get_weather\", \"description\": \"Weather in a city.\""),
            std::string::npos);
  EXPECT_NE(out.find("Weather in Paris?<end_of_turn>\n<start_of_turn>model\n{\"name\": "
                     "\"get_weather\", \"parameters\": {\"city\": \"Paris\"}}<end_of_turn>"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("<start_of_turn>user\n```tool_output\n18 C\n```\n```tool_output\nwindy\n```"
                     "<end_of_turn>\n<start_of_turn>model\n"),
            std::string::npos)
      << out;
}

// Phi-4-mini reads the tools from the system message's "tools" string (its model card).
TEST(ToolTemplate, PhiFourMiniToolsOnTheSystemMessage) {
  const std::string out = Render(Template("phi-4-mini"), RoundTrip(), Tools());
  EXPECT_EQ(out.rfind("<|system|>You are a helpful assistant with some tools.<|tool|>[{\"name\": "
                      "\"get_weather\", \"description\": \"Weather in a city.\", \"parameters\": ",
                      0),
            0u)
      << out;
  EXPECT_NE(out.find("<|assistant|><|tool_call|>[{\"name\": \"get_weather\", \"arguments\": "
                     "{\"city\": \"Paris\"}}]<|/tool_call|><|end|><|user|>18 C\nwindy<|end|>"
                     "<|assistant|>"),
            std::string::npos)
      << out;
}

// A template with no tool support at all (densing's ChatML fallback) gets the Hermes prompt.
TEST(ToolTemplate, ChatMlFallbackUsesHermesCalls) {
  Json messages = RoundTrip();
  messages.insert(messages.begin(), Json{{"role", "system"}, {"content", "Be brief."}});
  const std::string out = Render(Template("chatml"), messages, Tools());
  EXPECT_EQ(out.rfind("<|im_start|>system\nBe brief.\n\n# Tools\n", 0), 0u) << out;
  EXPECT_NE(out.find("<tools>\n{\"name\": \"get_weather\""), std::string::npos) << out;
  EXPECT_NE(out.find("<|im_start|>assistant\n<tool_call>\n{\"name\": \"get_weather\", "
                     "\"arguments\": {\"city\": \"Paris\"}}\n</tool_call><|im_end|>"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("<|im_start|>user\n<tool_response>\n18 C\n</tool_response>\n"
                     "<tool_response>\nwindy\n</tool_response><|im_end|>"),
            std::string::npos)
      << out;
}

// SmolLM3's template prints only the assistant's content: earlier calls go into it.
TEST(ToolTemplate, SmolLm3HistoryCallsInContent) {
  const std::string out = Render(Template("smollm3"), RoundTrip(), Tools());
  EXPECT_NE(out.find("<|im_start|>assistant\n<tool_call>\n{\"name\": \"get_weather\", "
                     "\"arguments\": {\"city\": \"Paris\"}}\n</tool_call><|im_end|>"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("{'name': 'get_weather'"), std::string::npos) << out;  // xml_tools
}

// Llama 3.0 has no tools in its template: the Llama JSON convention in the system prompt.
TEST(ToolTemplate, LlamaThreeFallback) {
  const std::string out = Render(Template("llama-3"), RoundTrip(), Tools());
  EXPECT_NE(out.find("<|start_header_id|>system<|end_header_id|>\n\nYou have access to the "
                     "following functions."),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\"}}"),
            std::string::npos)
      << out;
}

// tool_choice "none" (no tools passed) renders no tools, but earlier calls still render.
TEST(ToolTemplate, NoToolsStillRendersHistory) {
  const std::string out = Render(Template("qwen2.5"), RoundTrip(), Json::array());
  EXPECT_EQ(out.find("<tools>"), std::string::npos) << out;
  EXPECT_NE(out.find("<tool_call>\n{\"name\": \"get_weather\""), std::string::npos) << out;
}

TEST(ToolTemplate, PyJsonWritesLikePython) {
  const Json j = Json::parse(R"({"b": [1, 2.5, "é"], "a": {"x": null, "y": true}})");
  EXPECT_EQ(PyJson(j), "{\"b\": [1, 2.5, \"é\"], \"a\": {\"x\": null, \"y\": true}}");
}

}  // namespace
}  // namespace densing
