// Tool calls in responses: a whole response lists them with content null and finish_reason
// "tool_calls"; a stream sends the content before them, then per call a delta with index, id,
// type, name and empty arguments and one with the arguments, never the call's text as content.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "gguf/gguf_file.h"
#include "server/responder.h"
#include "testing/shared_dir.h"

namespace densing::server {
namespace {

using nlohmann::json;

std::string Respond(bool stream, const std::vector<std::string>& pieces, FinishReason finish,
                    bool tools = true) {
  static const auto file = gguf::File::Open(testing::SharedDir() + "/models/stories260K.gguf");
  static const auto tokenizer = Tokenizer::FromGguf(*file);
  auto task = std::make_shared<Task>(Job{});
  ResponderSetup setup;
  setup.endpoint = Endpoint::kChat;
  setup.stream = stream;
  setup.meta = {"chatcmpl-1", 1, "m"};
  setup.tools.enabled = tools;
  setup.tools.family = ToolFamily::kHermes;
  setup.tools.names = {"get_weather", "get_time"};
  Responder r(*tokenizer, task, setup);
  std::string out;
  const Writer write = [&](std::string_view b) {
    out += b;
    return true;
  };
  for (const std::string& piece : pieces) {
    task->Emit(piece, nullptr);
    r.Pump(write, std::chrono::milliseconds(10));
  }
  task->Finish({.finish = finish});
  for (int i = 0; i < 100 && !r.done(); ++i) r.Pump(write, std::chrono::milliseconds(10));
  EXPECT_TRUE(r.done());
  return out;
}

std::vector<json> Events(const std::string& sse) {
  std::vector<json> events;
  for (size_t at = sse.find("data: "); at != std::string::npos; at = sse.find("data: ", at + 1)) {
    const size_t end = sse.find("\n\n", at);
    const std::string data = sse.substr(at + 6, end - at - 6);
    if (data != "[DONE]") events.push_back(json::parse(data));
  }
  return events;
}

const std::vector<std::string> kTwoCalls = {
    "I will check.\n<tool", "_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": ",
    "\"Oslo\"}}\n</tool_call>\n<tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n",
    "</tool_call>"};

TEST(ToolResponder, WholeResponseListsTheCalls) {
  DENSING_REQUIRE_SHARED();
  const json j = json::parse(Respond(false, kTwoCalls, FinishReason::kStop));
  const json& choice = j["choices"][0];
  EXPECT_EQ(choice["finish_reason"], "tool_calls");
  EXPECT_EQ(choice["message"]["content"], "I will check.");
  const json& calls = choice["message"]["tool_calls"];
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0]["type"], "function");
  EXPECT_EQ(calls[0]["id"].get<std::string>().rfind("call_", 0), 0u);
  EXPECT_EQ(calls[0]["function"]["name"], "get_weather");
  EXPECT_EQ(json::parse(calls[0]["function"]["arguments"].get<std::string>()),
            json({{"city", "Oslo"}}));
  EXPECT_EQ(calls[1]["function"]["name"], "get_time");
  EXPECT_EQ(calls[1]["function"]["arguments"], "{}");

  // Only a call: content null. Cut by max_tokens: the finish stays "length".
  const json only = json::parse(Respond(
      false, {"<tool_call>{\"name\": \"get_time\", \"arguments\": {}}</tool_call>"},
      FinishReason::kStop));
  EXPECT_TRUE(only["choices"][0]["message"]["content"].is_null());
  const json cut = json::parse(Respond(false, {"<tool_call>{\"name\": \"get_ti"},
                                       FinishReason::kLength));
  EXPECT_EQ(cut["choices"][0]["finish_reason"], "length");
  EXPECT_FALSE(cut["choices"][0]["message"].contains("tool_calls"));
  EXPECT_EQ(cut["choices"][0]["message"]["content"], "<tool_call>{\"name\": \"get_ti");
}

TEST(ToolResponder, StreamSendsOpenAiDeltas) {
  DENSING_REQUIRE_SHARED();
  const std::vector<json> events = Events(Respond(true, kTwoCalls, FinishReason::kStop));
  std::string content;
  std::vector<json> deltas;
  json last_finish;
  for (const json& e : events) {
    const json& choice = e["choices"][0];
    if (choice["delta"].contains("content")) content += choice["delta"]["content"].get<std::string>();
    if (choice["delta"].contains("tool_calls")) deltas.push_back(choice["delta"]["tool_calls"][0]);
    last_finish = choice["finish_reason"];
  }
  EXPECT_EQ(content, "I will check.");
  EXPECT_EQ(last_finish, "tool_calls");
  ASSERT_EQ(deltas.size(), 4u);
  for (size_t k = 0; k < 2; ++k) {
    const json& head = deltas[2 * k];
    const json& args = deltas[2 * k + 1];
    EXPECT_EQ(head["index"], k);
    EXPECT_EQ(head["type"], "function");
    EXPECT_EQ(head["id"].get<std::string>().rfind("call_", 0), 0u);
    EXPECT_EQ(head["function"]["arguments"], "");
    EXPECT_EQ(args["index"], k);
    EXPECT_FALSE(args.contains("id"));
  }
  EXPECT_EQ(deltas[0]["function"]["name"], "get_weather");
  EXPECT_EQ(json::parse(deltas[1]["function"]["arguments"].get<std::string>()),
            json({{"city", "Oslo"}}));
  EXPECT_EQ(deltas[2]["function"]["name"], "get_time");
}

// Without tools the same text is plain content, as before.
TEST(ToolResponder, NoToolsNoParsing) {
  DENSING_REQUIRE_SHARED();
  const json j = json::parse(Respond(false, kTwoCalls, FinishReason::kStop, /*tools=*/false));
  EXPECT_EQ(j["choices"][0]["finish_reason"], "stop");
  EXPECT_NE(j["choices"][0]["message"]["content"].get<std::string>().find("<tool_call>"),
            std::string::npos);
}

}  // namespace
}  // namespace densing::server
