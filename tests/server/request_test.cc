// Request parsing: OpenAI's defaults, every field's type and range, and the field named in each
// 400.
#include "server/request.h"

#include <gtest/gtest.h>

#include "server/api_error.h"
#include "server/json_fields.h"

namespace densing::server {
namespace {

using nlohmann::json;

json Chat(json extra = json::object()) {
  json body = {{"model", "m"}, {"messages", {{{"role", "user"}, {"content", "hi"}}}}};
  body.update(extra);
  return body;
}

json Completion(json extra = json::object()) {
  json body = {{"prompt", "Once"}};
  body.update(extra);
  return body;
}

// The 400 a body gets: its param, or "!" when the body parses.
std::string ParamOf(const json& body, bool chat) {
  try {
    chat ? ParseChatRequest(body) : ParseCompletionRequest(body);
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status(), 400);
    EXPECT_EQ(e.type(), "invalid_request_error");
    EXPECT_FALSE(std::string(e.what()).empty());
    return e.param();
  }
  return "!";
}

TEST(Request, ChatDefaultsFollowOpenAi) {
  const GenerationRequest r = ParseChatRequest(Chat());
  EXPECT_EQ(r.endpoint, Endpoint::kChat);
  EXPECT_EQ(r.model, "m");
  ASSERT_EQ(r.messages.size(), 1u);
  EXPECT_EQ(r.messages[0]["content"], "hi");
  EXPECT_EQ(r.max_tokens, -1);
  EXPECT_FLOAT_EQ(r.sampler.temperature, 1.0f);
  EXPECT_FLOAT_EQ(r.sampler.top_p, 1.0f);
  EXPECT_EQ(r.sampler.top_k, 0);
  EXPECT_FLOAT_EQ(r.sampler.min_p, 0.0f);
  EXPECT_FALSE(r.stream);
  EXPECT_EQ(r.top_logprobs, -1);
  EXPECT_TRUE(r.stop.empty());
}

TEST(Request, ChatFields) {
  const GenerationRequest r = ParseChatRequest(Chat({{"temperature", 0},
                                                     {"max_completion_tokens", 7},
                                                     {"max_tokens", 99},
                                                     {"stop", "END"},
                                                     {"seed", 42},
                                                     {"presence_penalty", 0.5},
                                                     {"frequency_penalty", -0.5},
                                                     {"logprobs", true},
                                                     {"top_logprobs", 3},
                                                     {"stream", true},
                                                     {"stream_options", {{"include_usage", true}}},
                                                     {"n", 1},
                                                     {"user", "ignored"}}));
  EXPECT_EQ(r.max_tokens, 7);  // max_completion_tokens wins
  EXPECT_EQ(r.stop, std::vector<std::string>{"END"});
  EXPECT_EQ(r.sampler.seed, 42u);
  EXPECT_FLOAT_EQ(r.sampler.presence_penalty, 0.5f);
  EXPECT_FLOAT_EQ(r.sampler.frequency_penalty, -0.5f);
  EXPECT_EQ(r.sampler.repeat_last_n, -1);
  EXPECT_EQ(r.top_logprobs, 3);
  EXPECT_TRUE(r.stream);
  EXPECT_TRUE(r.include_usage);
}

TEST(Request, ContentPartsAreJoined) {
  const json parts = {{{"type", "text"}, {"text", "a"}}, {{"type", "text"}, {"text", "b"}}};
  const GenerationRequest r = ParseChatRequest(
      Chat({{"messages",
             {{{"role", "system"}, {"content", "s"}}, {{"role", "user"}, {"content", parts}}}}}));
  EXPECT_EQ(r.messages[1]["content"], "ab");
}

TEST(Request, TopPZeroMeansGreedy) {
  const GenerationRequest r = ParseChatRequest(Chat({{"top_p", 0}}));
  EXPECT_FLOAT_EQ(r.sampler.temperature, 0.0f);
  EXPECT_FLOAT_EQ(r.sampler.top_p, 1.0f);
}

TEST(Request, BadChatFieldsNameTheField) {
  const json user = {{"role", "user"}, {"content", "x"}};
  const std::vector<std::pair<json, std::string>> cases = {
      {{{"messages", nullptr}}, "messages"},
      {{{"messages", json::array()}}, "messages"},
      {{{"messages", "hi"}}, "messages"},
      {{{"messages", {1}}}, "messages[0]"},
      {{{"messages", {{{"role", "robot"}, {"content", "x"}}}}}, "messages[0].role"},
      {{{"messages", {user, {{"role", "user"}}}}}, "messages[1].content"},
      {{{"messages", {{{"role", "user"}, {"content", 5}}}}}, "messages[0].content"},
      {{{"messages", {{{"role", "user"}, {"content", {{{"type", "image_url"}}}}}}}},
       "messages[0].content[0]"},
      {{{"model", 3}}, "model"},
      {{{"temperature", "hot"}}, "temperature"},
      {{{"temperature", -0.1}}, "temperature"},
      {{{"temperature", 2.5}}, "temperature"},
      {{{"top_p", 1.5}}, "top_p"},
      {{{"top_k", -1}}, "top_k"},
      {{{"min_p", 2}}, "min_p"},
      {{{"presence_penalty", 3}}, "presence_penalty"},
      {{{"frequency_penalty", "x"}}, "frequency_penalty"},
      {{{"seed", 1.5}}, "seed"},
      {{{"seed", "7"}}, "seed"},
      {{{"max_tokens", 0}}, "max_tokens"},
      {{{"max_tokens", -5}}, "max_tokens"},
      {{{"max_tokens", 1e12}}, "max_tokens"},
      {{{"max_tokens", "10"}}, "max_tokens"},
      {{{"max_completion_tokens", 1.5}}, "max_completion_tokens"},
      {{{"n", 2}}, "n"},
      {{{"n", 0}}, "n"},
      {{{"n", "1"}}, "n"},
      {{{"stop", 5}}, "stop"},
      {{{"stop", {""}}}, "stop"},
      {{{"stop", json::array({"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n",
                              "o", "p", "q"})}},
       "stop"},
      {{{"stop", std::string(2000, 'x')}}, "stop"},
      {{{"stream", "yes"}}, "stream"},
      {{{"stream_options", 1}}, "stream_options"},
      {{{"stream_options", {{"include_usage", 1}}}}, "include_usage"},
      {{{"logprobs", 1}}, "logprobs"},
      {{{"logprobs", true}, {"top_logprobs", 21}}, "top_logprobs"},
      {{{"top_logprobs", 2}}, "top_logprobs"},
      {{{"tools", {{{"type", "function"}}}}}, "tools[0].function"},
      {{{"logit_bias", {{"one", 5}}}}, "logit_bias"},
      {{{"logit_bias", {{"1", -101}}}}, "logit_bias"},
      {{{"response_format", {{"type", "xml"}}}}, "response_format.type"},
      {{{"response_format", {{"type", "json_schema"}}}}, "response_format.json_schema"},
      {{{"grammar", "root ::= ("}}, "grammar"},
  };
  for (const auto& [extra, param] : cases) {
    EXPECT_EQ(ParamOf(Chat(extra), true), param) << extra.dump();
  }
  // Explicit nulls are "not given".
  EXPECT_EQ(ParamOf(Chat({{"temperature", nullptr}, {"stop", nullptr}, {"seed", nullptr}}), true),
            "!");
}

TEST(Request, CompletionPrompts) {
  GenerationRequest r = ParseCompletionRequest(Completion());
  EXPECT_EQ(r.prompt_text, "Once");
  EXPECT_FALSE(r.prompt_is_tokens);
  EXPECT_EQ(r.max_tokens, 16);  // OpenAI's default for completions

  r = ParseCompletionRequest(Completion({{"prompt", {1, 2, 3}}, {"max_tokens", 0}}));
  EXPECT_TRUE(r.prompt_is_tokens);
  EXPECT_EQ(r.prompt_tokens, (std::vector<int32_t>{1, 2, 3}));
  EXPECT_EQ(r.max_tokens, 0);

  r = ParseCompletionRequest(Completion({{"prompt", {"one"}}}));
  EXPECT_EQ(r.prompt_text, "one");
  r = ParseCompletionRequest(Completion({{"prompt", {{4, 5}}}, {"echo", true}, {"logprobs", 0}}));
  EXPECT_EQ(r.prompt_tokens, (std::vector<int32_t>{4, 5}));
  EXPECT_TRUE(r.echo);
  EXPECT_EQ(r.top_logprobs, 0);
}

TEST(Request, BadCompletionFieldsNameTheField) {
  const std::vector<std::pair<json, std::string>> cases = {
      {{{"prompt", nullptr}}, "prompt"},       {{{"prompt", 5}}, "prompt"},
      {{{"prompt", json::array()}}, "prompt"}, {{{"prompt", {"a", "b"}}}, "prompt"},
      {{{"prompt", {1, "b"}}}, "prompt"},      {{{"prompt", {1, -2}}}, "prompt"},
      {{{"prompt", {1, 1e10}}}, "prompt"},     {{{"prompt", {{1}, {2}}}}, "prompt"},
      {{{"max_tokens", -1}}, "max_tokens"},    {{{"echo", "true"}}, "echo"},
      {{{"logprobs", true}}, "logprobs"},      {{{"logprobs", 50}}, "logprobs"},
      {{{"best_of", 3}}, "best_of"},           {{{"suffix", "x"}}, "suffix"},
  };
  for (const auto& [extra, param] : cases) {
    EXPECT_EQ(ParamOf(Completion(extra), false), param) << extra.dump();
  }
}

TEST(Request, BodiesThatAreNotObjects) {
  for (const char* body : {"", "{", "[1]", "\"x\"", "null", "{\"a\":1}x", "\xff\xfe"}) {
    try {
      ParseJsonObject(body);
      ADD_FAILURE() << body;
    } catch (const ApiError& e) {
      EXPECT_EQ(e.status(), 400);
      EXPECT_EQ(e.code(), "invalid_json");
    }
  }
  EXPECT_TRUE(ParseJsonObject("{\"a\": 1}").is_object());
}

// A body nested a hundred thousand levels deep crashed the server (the JSON library copies and
// frees values recursively); it is a 400 now, and nesting up to the limit still parses.
TEST(Request, DeeplyNestedBodiesAre400) {
  const auto nested = [](int depth) {
    return R"({"messages": [{"role": "user", "content": )" + std::string(depth, '[') +
           std::string(depth, ']') + "}]}";
  };
  try {
    ParseJsonObject(nested(100000));
    ADD_FAILURE() << "accepted";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status(), 400);
    EXPECT_EQ(std::string(e.what()), "the request body is nested deeper than 128 levels");
  }
  EXPECT_NO_THROW(ParseJsonObject(nested(kMaxJsonDepth - 3)));  // the body, messages, a message
  EXPECT_THROW(ParseJsonObject(nested(kMaxJsonDepth - 2)), ApiError);
  // Brackets inside strings (escaped quotes too) are text, not nesting.
  EXPECT_NO_THROW(ParseJsonObject(R"({"prompt": ")" + std::string(1000, '[') + R"(\")" +
                                  std::string(1000, '{') + R"(", "stop": "]"})"));
  EXPECT_FALSE(NestedDeeperThan(R"({"a": "\\"} [])", 1));
  EXPECT_TRUE(NestedDeeperThan("{[", 1));
}

TEST(Request, ErrorBodyHasOpenAisShape) {
  const ApiError e(400, "bad", "invalid_request_error", "n", "");
  const json body = e.Body();
  EXPECT_EQ(body["error"]["message"], "bad");
  EXPECT_EQ(body["error"]["type"], "invalid_request_error");
  EXPECT_EQ(body["error"]["param"], "n");
  EXPECT_TRUE(body["error"]["code"].is_null());
}

}  // namespace
}  // namespace densing::server
