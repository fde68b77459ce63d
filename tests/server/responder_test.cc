// A request that fails part-way: a stream carries the text so far, then one OpenAI-style error
// event and [DONE], and no finish_reason; a whole response is the error body alone.
#include "server/responder.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "gguf/gguf_file.h"
#include "testing/shared_dir.h"

namespace densing::server {
namespace {

using nlohmann::json;

std::string Respond(bool stream, Endpoint endpoint, const Outcome& outcome) {
  static const auto file = gguf::File::Open(testing::SharedDir() + "/models/stories260K.gguf");
  static const auto tokenizer = Tokenizer::FromGguf(*file);
  auto task = std::make_shared<Task>(Job{});
  task->Emit("Once upon", nullptr);
  task->Finish(outcome);
  ResponderSetup setup;
  setup.endpoint = endpoint;
  setup.stream = stream;
  setup.meta = {"cmpl-1", 1, "m"};
  Responder r(*tokenizer, task, setup);
  std::string out;
  for (int i = 0; i < 100 && !r.done(); ++i) {
    r.Pump([&](std::string_view b) { out += b; return true; }, std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(r.done());
  return out;
}

TEST(Responder, AnErrorMidStreamIsOneErrorEventThenDone) {
  DENSING_REQUIRE_SHARED();
  for (Endpoint e : {Endpoint::kChat, Endpoint::kCompletion}) {
    const std::string out = Respond(true, e, {.finish = FinishReason::kError, .error = "out of memory"});
    const size_t text = out.find("Once upon");
    const size_t error = out.find("data: {\"error\"");
    const size_t done = out.find("data: [DONE]");
    ASSERT_NE(text, std::string::npos) << out;
    ASSERT_NE(error, std::string::npos) << out;
    ASSERT_NE(done, std::string::npos) << out;
    EXPECT_LT(text, error);
    EXPECT_LT(error, done);
    EXPECT_EQ(out.find("finish_reason\":\"stop"), std::string::npos) << out;
    EXPECT_EQ(out.find("finish_reason\":\"length"), std::string::npos) << out;
    const size_t start = error + 6, end = out.find("\n\n", error);
    const json j = json::parse(out.substr(start, end - start));
    EXPECT_EQ(j["error"]["message"], "generation failed: out of memory");
    EXPECT_EQ(j["error"]["type"], "server_error");
  }
}

TEST(Responder, AFailedWholeResponseIsTheErrorBody) {
  DENSING_REQUIRE_SHARED();
  const json j = json::parse(Respond(false, Endpoint::kChat, {.finish = FinishReason::kError, .error = "boom"}));
  EXPECT_EQ(j["error"]["message"], "generation failed: boom");
  EXPECT_FALSE(j.contains("choices"));
  const json c = json::parse(Respond(false, Endpoint::kCompletion, {.finish = FinishReason::kCancelled}));
  EXPECT_EQ(c["error"]["message"], "the server is shutting down");
}

}  // namespace
}  // namespace densing::server
