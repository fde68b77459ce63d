// vLLM's tokenizer routes, which lm-evaluation-harness's remote tokenizer uses: the ids are the
// served tokenizer's, BOS only on request, control tokens written in the text become their ids,
// a round trip through /detokenize gives the text back, and bad bodies are 400s.
#include "server/tokenizer_routes.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include "served_server.h"

namespace densing::server {
namespace {

using nlohmann::json;

TEST(TokenizerRoutes, TokenizeIsTheServedTokenizer) {
  DENSING_REQUIRE_SHARED();
  Served s;
  const Tokenizer& t = *Stories().tokenizer;
  const std::string text = "Once upon a time, Lily saw a big dog.";
  const json plain = s.Post("/tokenize", {{"prompt", text}, {"add_special_tokens", false}});
  EXPECT_EQ(plain["tokens"].get<std::vector<int32_t>>(), t.Encode(text, false, true));
  EXPECT_EQ(plain["count"], plain["tokens"].size());
  EXPECT_EQ(plain["max_model_len"], s.scheduler.n_ctx());

  // Without the field BOS comes as the vocabulary asks (stories260K's does).
  ASSERT_TRUE(t.add_bos());
  const json with_bos = s.Post("/tokenize", {{"prompt", text}});
  std::vector<int32_t> expected = {t.bos()};
  for (int32_t id : plain["tokens"]) expected.push_back(id);
  EXPECT_EQ(with_bos["tokens"].get<std::vector<int32_t>>(), expected);

  // The BOS text written at the start tokenizes as BOS itself, followed by what the text alone
  // gives: a client that never asks for special tokens can still send BOS this way.
  const json written = s.Post("/tokenize", {{"prompt", t.TokenText(t.bos()) + text}, {"add_special_tokens", false}});
  EXPECT_EQ(written["tokens"].get<std::vector<int32_t>>(), expected);

  const json back = s.Post("/detokenize", {{"tokens", plain["tokens"]}});
  EXPECT_EQ(back["prompt"], text);
}

TEST(TokenizerRoutes, InfoNamesTheSpecialTokens) {
  DENSING_REQUIRE_SHARED();
  Served s;
  const Tokenizer& t = *Stories().tokenizer;
  auto r = s.Client().Get("/tokenizer_info");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const json info = json::parse(r->body);
  EXPECT_EQ(info["eos_token"], t.TokenText(t.eos()));
  EXPECT_EQ(info["bos_token"], t.TokenText(t.bos()));
  EXPECT_EQ(info["add_bos_token"], t.add_bos());
  EXPECT_EQ(info["model_max_length"], s.scheduler.n_ctx());
  EXPECT_EQ(info["chat_template"], Stories().chat_template);
  // What lm-evaluation-harness derives the EOS id from: the EOS text through /tokenize.
  const json eos = s.Post("/tokenize", {{"prompt", info["eos_token"]}, {"add_special_tokens", false}});
  EXPECT_EQ(eos["tokens"], json::array({t.eos()}));
}

TEST(TokenizerRoutes, BadBodiesAre400) {
  DENSING_REQUIRE_SHARED();
  Served s;
  const auto param_of = [&](const char* path, const std::string& body) {
    auto r = s.Client().Post(path, body, "application/json");
    EXPECT_TRUE(r);
    if (!r) return std::string();
    EXPECT_EQ(r->status, 400) << path << " " << body << ": " << r->body;
    const json e = json::parse(r->body, nullptr, false);
    if (!e.is_object() || !e.contains("error") || !e["error"]["param"].is_string()) return std::string();
    return e["error"]["param"].get<std::string>();
  };
  EXPECT_EQ(param_of("/tokenize", "{}"), "prompt");
  EXPECT_EQ(param_of("/tokenize", R"({"prompt": 5})"), "prompt");
  EXPECT_EQ(param_of("/tokenize", R"({"prompt": "x", "add_special_tokens": "yes"})"), "add_special_tokens");
  EXPECT_EQ(param_of("/tokenize", "not json"), "");
  EXPECT_EQ(param_of("/detokenize", "{}"), "tokens");
  EXPECT_EQ(param_of("/detokenize", R"({"tokens": "1 2"})"), "tokens");
  EXPECT_EQ(param_of("/detokenize", R"({"tokens": [1, "x"]})"), "tokens");
  EXPECT_EQ(param_of("/detokenize", R"({"tokens": [1, 99999999]})"), "tokens");
  EXPECT_EQ(param_of("/detokenize", R"({"tokens": [-1]})"), "tokens");
  // And the server still serves.
  EXPECT_EQ(s.Post("/detokenize", {{"tokens", json::array()}})["prompt"], "");
}

}  // namespace
}  // namespace densing::server
