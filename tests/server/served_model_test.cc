// Prompts from requests: the chat template (ChatML when the file has none, the file's own
// otherwise, one BOS either way), completion prompts as text or ids, and the 400s on the way.
#include "server/served_model.h"

#include <gtest/gtest.h>

#include "server/api_error.h"
#include "testing/shared_dir.h"

namespace densing::server {
namespace {

using nlohmann::json;

std::unique_ptr<ServedModel> Stories() {
  return ServedModel::Load(testing::SharedDir() + "/models/stories260K.gguf", "");
}

GenerationRequest ChatOf(const std::string& user) {
  return ParseChatRequest(
      {{"messages",
        {{{"role", "system"}, {"content", "Be brief."}}, {{"role", "user"}, {"content", user}}}}});
}

std::string ParamOf(const ServedModel& m, const GenerationRequest& r, int64_t n_ctx,
                    std::string* code = nullptr) {
  try {
    PromptTokens(m, r, n_ctx);
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status(), 400);
    if (code) *code = e.code();
    return e.param();
  }
  return "!";
}

TEST(ServedModel, ChatMlWhenTheFileHasNoTemplate) {
  DENSING_REQUIRE_SHARED();
  const auto m = Stories();
  EXPECT_EQ(m->id, "stories260K");
  EXPECT_TRUE(m->chatml_fallback);
  EXPECT_GT(m->max_piece_bytes, 1u);
  const std::vector<int32_t> tokens = PromptTokens(*m, ChatOf("Hi"), 512);
  const std::string want =
      "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
      "<|im_start|>assistant\n";
  EXPECT_EQ(tokens, m->tokenizer->Encode(want, true, true));
}

TEST(ServedModel, TheFilesTemplateWithOneBos) {
  DENSING_REQUIRE_SHARED();
  auto m = Stories();
  m->chat_template =
      "{{ bos_token }}{% for m in messages %}[{{ m['role'] }}] {{ m['content'] }}\n{% endfor %}"
      "{% if add_generation_prompt %}[assistant] {% endif %}";
  const std::vector<int32_t> tokens = PromptTokens(*m, ChatOf("Hi"), 512);
  ASSERT_GE(tokens.size(), 2u);
  EXPECT_EQ(tokens[0], m->tokenizer->bos());
  EXPECT_NE(tokens[1], m->tokenizer->bos());
  EXPECT_NE(m->tokenizer->Decode(tokens).find("[system] Be brief.\n[user] Hi\n[assistant]"),
            std::string::npos);
}

TEST(ServedModel, TemplateErrorsAre400OnMessages) {
  DENSING_REQUIRE_SHARED();
  auto m = Stories();
  m->chat_template = "{{ raise_exception('roles must alternate') }}";
  EXPECT_EQ(ParamOf(*m, ChatOf("Hi"), 512), "messages");
}

TEST(ServedModel, CompletionPrompts) {
  DENSING_REQUIRE_SHARED();
  const auto m = Stories();
  GenerationRequest r = ParseCompletionRequest({{"prompt", "Once upon a time"}});
  EXPECT_EQ(PromptTokens(*m, r, 512), (std::vector<int32_t>{1, 403, 407, 261, 378}));
  r = ParseCompletionRequest({{"prompt", {403, 407}}});
  EXPECT_EQ(PromptTokens(*m, r, 512), (std::vector<int32_t>{403, 407}));  // ids as they are
  r = ParseCompletionRequest({{"prompt", {403, 512}}});
  EXPECT_EQ(ParamOf(*m, r, 512), "prompt");
  std::string code;
  r = ParseCompletionRequest({{"prompt", std::string(100000, 'a')}});
  EXPECT_EQ(ParamOf(*m, r, 512, &code), "prompt");
  EXPECT_EQ(code, "context_length_exceeded");
}

}  // namespace
}  // namespace densing::server
