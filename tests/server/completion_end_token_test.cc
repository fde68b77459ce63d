// /v1/completions lists the sampled end-of-generation token among the logprobs, as OpenAI's
// lists "<|endoftext|>": lm-evaluation-harness scores a prompt with echo, logprobs and max_tokens
// 1 and drops the last entry as the generated token, so a missing one would cost it a prompt
// token whenever the model's next choice is the end.
#include <gtest/gtest.h>

#include "served_server.h"

namespace densing::server {
namespace {

using nlohmann::json;

TEST(CompletionEndToken, EchoedScoringKeepsEveryPromptToken) {
  DENSING_REQUIRE_SHARED();
  Served s;
  const Tokenizer& t = *Stories().tokenizer;
  const std::vector<int32_t> prompt = t.Encode("Once upon a time, there was a cat", true, false);
  const json body = {{"prompt", json::array({prompt})},
                     {"max_tokens", 1},
                     {"echo", true},
                     {"logprobs", 1},
                     {"temperature", 0},
                     {"logit_bias", {{std::to_string(t.eos()), 100}}}};
  const json r = s.Post("/v1/completions", body);
  const json& choice = r["choices"][0];
  EXPECT_EQ(choice["finish_reason"], "stop");
  const json& lp = choice["logprobs"];
  ASSERT_EQ(lp["token_logprobs"].size(), prompt.size() + 1) << lp.dump();
  EXPECT_EQ(lp["tokens"].back(), t.TokenToPiece(t.eos()));
  EXPECT_EQ(lp["top_logprobs"].size(), prompt.size() + 1);
  EXPECT_EQ(r["usage"]["completion_tokens"], 0);  // the end token is not counted, as before

  // Chat answers list generated content only, as OpenAI's do.
  const json chat = s.Post("/v1/chat/completions",
                           {{"messages", json::array({{{"role", "user"}, {"content", "Hi"}}})},
                            {"max_tokens", 1},
                            {"logprobs", true},
                            {"logit_bias", {{std::to_string(t.eos()), 100}}}});
  EXPECT_EQ(chat["choices"][0]["finish_reason"], "stop");
  EXPECT_TRUE(chat["choices"][0]["logprobs"].is_null() || chat["choices"][0]["logprobs"]["content"].empty())
      << chat.dump();
}

}  // namespace
}  // namespace densing::server
