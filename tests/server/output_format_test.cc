// response_format, grammar, json_schema and logit_bias through the HTTP server: outputs that
// parse and validate, bans and forced tokens, 400s that name the field, and "length" when a
// grammar cannot finish within max_tokens.
#include <gtest/gtest.h>
#include <httplib.h>

#include <future>
#include <thread>

#include "generate/schema_validator.h"
#include "served_server.h"

namespace densing::server {
namespace {

using nlohmann::json;

SchedulerOptions Options() {
  SchedulerOptions so = Served::Defaults();
  so.n_ctx = 512;
  so.n_batch = 64;
  return so;
}

TEST(OutputFormat, JsonSchemaResponsesParseAndValidate) {
  DENSING_REQUIRE_SHARED();
  Served s({}, Options());
  const json schema = json::parse(R"({"type":"object","properties":{
      "title":{"type":"string","maxLength":10},
      "score":{"type":"integer","minimum":0,"maximum":10},
      "tags":{"type":"array","minItems":1,"maxItems":3,"items":{"enum":["x","y","z"]}},
      "extra":{"anyOf":[{"type":"null"},{"$ref":"#/$defs/p"}]}},
    "required":["title","score","tags"],
    "$defs":{"p":{"type":"object","properties":{"q":{"type":"boolean"}},"required":["q"]}}})");
  const testing::SchemaValidator validator(schema);
  int finished = 0;
  for (int seed = 0; seed < 8; ++seed) {
    const json r =
        s.Post("/v1/chat/completions",
               {{"messages", {{{"role", "user"}, {"content", "Describe a cat."}}}},
                {"seed", seed},
                {"max_tokens", 300},
                {"response_format",
                 {{"type", "json_schema"},
                  {"json_schema", {{"name", "cat"}, {"strict", true}, {"schema", schema}}}}}});
    const json& choice = r["choices"][0];
    if (choice["finish_reason"] == "length") continue;
    ++finished;
    ASSERT_EQ(choice["finish_reason"], "stop");
    const std::string content = choice["message"]["content"];
    const json v = json::parse(content, nullptr, false);
    ASSERT_FALSE(v.is_discarded()) << content;
    EXPECT_EQ(validator.Check(v), "") << content;
  }
  EXPECT_GE(finished, 4);
  // json_object: an object, and llama.cpp's `json_schema` field.
  const json o = s.Post("/v1/completions", {{"prompt", "Once"},
                                            {"seed", 1},
                                            {"max_tokens", 300},
                                            {"response_format", {{"type", "json_object"}}}});
  const std::string text = o["choices"][0]["text"];
  ASSERT_EQ(text.front(), '{') << text;
  if (o["choices"][0]["finish_reason"] == "stop") {
    EXPECT_TRUE(json::parse(text).is_object()) << text;
  }
  const json j = s.Post(
      "/v1/completions",
      {{"prompt", "Once"}, {"max_tokens", 50}, {"json_schema", {{"enum", {"left", "right"}}}}});
  const json choice = json::parse(j["choices"][0]["text"].get<std::string>());
  EXPECT_TRUE(choice == "left" || choice == "right") << j;
}

TEST(OutputFormat, GrammarThatCannotFinishEndsWithLength) {
  DENSING_REQUIRE_SHARED();
  Served s({}, Options());
  const json r =
      s.Post("/v1/completions",
             {{"prompt", "Once"}, {"max_tokens", 4}, {"grammar", "root ::= \"ab\"{40}"}});
  EXPECT_EQ(r["choices"][0]["finish_reason"], "length");
  EXPECT_EQ(r["choices"][0]["text"].get<std::string>().find_first_not_of("ab"), std::string::npos)
      << r;
}

// Every token that outputs exactly `piece` (a letter also has a byte-fallback token).
std::vector<int32_t> TokensOf(const std::string& piece) {
  const Tokenizer& t = *Stories().tokenizer;
  std::vector<int32_t> ids;
  for (int32_t id = 0; id < t.n_vocab(); ++id) {
    if (!t.IsControl(id) && t.TokenToPiece(id, false) == piece) ids.push_back(id);
  }
  return ids;
}

TEST(OutputFormat, LogitBiasBansAndForces) {
  DENSING_REQUIRE_SHARED();
  Served s({}, Options());
  const json greedy = {{"prompt", "Once upon a"}, {"max_tokens", 1}, {"temperature", 0}};
  const std::string first = s.Post("/v1/completions", greedy)["choices"][0]["text"];
  const std::vector<int32_t> ids = TokensOf(first);
  ASSERT_FALSE(ids.empty()) << first;
  json banned = greedy;
  banned["logit_bias"] = {{std::to_string(ids[0]), -100}};
  EXPECT_NE(s.Post("/v1/completions", banned)["choices"][0]["text"], first);
  const std::vector<int32_t> the = TokensOf(" the");
  ASSERT_EQ(the.size(), 1u);
  const json forced = s.Post("/v1/completions", {{"prompt", "Once"},
                                                 {"max_tokens", 4},
                                                 {"seed", 5},
                                                 {"logit_bias", {{std::to_string(the[0]), 100}}}});
  EXPECT_EQ(forced["choices"][0]["text"], " the the the the");
  // Under a grammar too: the ban holds where the grammar would take the token.
  json ban_x = json::object();
  for (int32_t id : TokensOf("x")) ban_x[std::to_string(id)] = -100;
  ASSERT_EQ(ban_x.size(), 2u);  // the letter and its byte token
  for (int seed = 0; seed < 4; ++seed) {
    const json g = s.Post("/v1/completions", {{"prompt", "Once"},
                                              {"max_tokens", 6},
                                              {"seed", seed},
                                              {"grammar", "root ::= [xy]+"},
                                              {"logit_bias", ban_x}});
    EXPECT_EQ(g["choices"][0]["text"], "yyyyyy") << g;
  }
}

TEST(OutputFormat, BadFieldsAre400NamingThem) {
  DENSING_REQUIRE_SHARED();
  Served s({}, Options());
  const json base = {{"prompt", "Once"}, {"max_tokens", 2}};
  const auto error = [&](const json& extra) {
    json body = base;
    body.update(extra);
    const json r = s.Post("/v1/completions", body, 400);
    return std::make_pair(r["error"]["param"], r["error"]["message"].get<std::string>());
  };
  auto [p1, m1] = error({{"response_format", {{"type", "yaml"}}}});
  EXPECT_EQ(p1, "response_format.type");
  auto [p2, m2] =
      error({{"response_format",
              {{"type", "json_schema"},
               {"json_schema",
                {{"name", "x"},
                 {"schema",
                  {{"type", "object"},
                   {"properties", {{"a", {{"type", "string"}, {"pattern", "(?!x)"}}}}}}}}}}}});
  EXPECT_EQ(p2, "response_format.json_schema.schema");
  EXPECT_NE(m2.find("json schema at #/properties/a/pattern"), std::string::npos) << m2;
  auto [p3, m3] = error({{"response_format", {{"type", "json_schema"}}}});
  EXPECT_EQ(p3, "response_format.json_schema");
  auto [p4, m4] = error({{"grammar", "root ::= (\"a\""}});
  EXPECT_EQ(p4, "grammar");
  EXPECT_NE(m4.find("line 1, column 14: expected ')'"), std::string::npos) << m4;
  auto [p5, m5] =
      error({{"grammar", "root ::= \"a\""}, {"response_format", {{"type", "json_object"}}}});
  EXPECT_EQ(p5, "grammar");
  auto [p6, m6] = error({{"logit_bias", {{"abc", 1}}}});
  EXPECT_EQ(m6, "'logit_bias' keys must be token ids, not 'abc'");
  auto [p7, m7] = error({{"logit_bias", {{"5", 101}}}});
  EXPECT_EQ(m7, "'logit_bias[\"5\"]' must be a number in [-100, 100]");
  auto [p8, m8] = error({{"logit_bias", {{"512", 1}}}});
  EXPECT_EQ(m8, "'logit_bias': token id 512 is past the vocabulary (512 tokens)");
  auto [p9, m9] = error({{"json_schema", {{"type", "array"}, {"minItems", 3}, {"maxItems", 2}}}});
  EXPECT_EQ(m9, "'json_schema': json schema at #: maxItems 2 is below minItems 3");
  // The server still answers.
  EXPECT_EQ(s.Post("/v1/completions", base)["choices"].size(), 1u);
}

}  // namespace
}  // namespace densing::server
