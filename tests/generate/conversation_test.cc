// Conversations keep the KV cache between turns: the second turn evaluates only its new text.
#include "generate/conversation.h"

#include <gtest/gtest.h>

#include "base/error.h"
#include "model/model.h"
#include "testing/shared_dir.h"

namespace densing {
namespace {

GenerateParams Greedy(int64_t n) {
  GenerateParams p;
  p.n_predict = n;
  p.sampler.temperature = 0;
  return p;
}

TEST(Conversation, SecondTurnEvaluatesOnlyTheNewText) {
  DENSING_REQUIRE_SHARED();
  auto model = Model::Load(testing::SharedDir() + "/models/stories260K.gguf");
  auto tok = Tokenizer::FromGguf(model->file());
  ThreadPool pool(1);
  Session session(*model, pool, 512);
  Conversation chat(session, *tok, "Be brief.");
  EXPECT_TRUE(chat.uses_fallback());  // stories260K has no template: ChatML
  const auto ignore = [](int32_t, std::string_view) { return true; };
  const GenerateStats first = chat.Reply("Hello", Greedy(8), ignore);
  const int64_t held = session.n_past();
  EXPECT_EQ(first.n_prompt + first.n_generated, held);  // the reply stays in the cache
  const GenerateStats second = chat.Reply("Tell me more", Greedy(8), ignore);
  // New: the end of the reply's turn, the user's turn and the assistant header; nothing older.
  const std::vector<int32_t> new_text =
      tok->Encode("<|im_end|>\n<|im_start|>user\nTell me more<|im_end|>\n<|im_start|>assistant\n", false, true);
  EXPECT_EQ(second.n_prompt, static_cast<int64_t>(new_text.size()));
  ASSERT_EQ(chat.messages().size(), 5u);
  EXPECT_EQ(chat.messages()[3].content, "Tell me more");
}

// Also on LFM2, whose convolution state must follow the cache back to where the turns diverge.
TEST(Conversation, RepliesEqualAFreshRenderingOfTheSameHistory) {
  DENSING_REQUIRE_SHARED();
  for (const char* name : {"stories260K.gguf", "tiny-lfm2.gguf"}) {
    SCOPED_TRACE(name);
    auto model = Model::Load(testing::SharedDir() + "/models/" + name);
    auto tok = Tokenizer::FromGguf(model->file());
    ThreadPool pool(1);
    const auto collect = [](std::string& out) {
      return [&out](int32_t, std::string_view t) {
        out += t;
        return true;
      };
    };
    Session a(*model, pool, 512);
    Conversation kept(a, *tok, "");
    std::string r1, r2;
    kept.Reply("One", Greedy(6), collect(r1));
    kept.Reply("Two", Greedy(6), collect(r2));
    // The same second turn from scratch, with the first reply given as history.
    Session b(*model, pool, 512);
    const std::vector<ChatMessage> history = {{"user", "One"}, {"assistant", r1}, {"user", "Two"}};
    const std::string text = RenderChatTemplate(kChatMlTemplate, history, true, "<s>", "</s>");
    std::string fresh;
    Generate(b, *tok, tok->Encode(text, true, true), Greedy(6), collect(fresh));
    EXPECT_EQ(r2, fresh);
  }
}

TEST(Conversation, ATurnThatDoesNotFitIsAnError) {
  DENSING_REQUIRE_SHARED();
  auto model = Model::Load(testing::SharedDir() + "/models/stories260K.gguf");
  auto tok = Tokenizer::FromGguf(model->file());
  ThreadPool pool(1);
  Session session(*model, pool, 16);
  Conversation chat(session, *tok, "");
  EXPECT_THROW(chat.Reply(std::string(200, 'x'), Greedy(4), [](int32_t, std::string_view) { return true; }),
               Error);
  EXPECT_TRUE(chat.messages().empty());
}

}  // namespace
}  // namespace densing

namespace densing {
namespace {

// Forty turns through a 256-token context: the chat goes on by shifting its context, and the last
// answer equals a fresh run on the tokens it kept.
TEST(Conversation, AChatLongerThanItsContextShiftsAndGoesOn) {
  DENSING_REQUIRE_SHARED();
  auto model = Model::Load(testing::SharedDir() + "/models/stories260K.gguf");
  auto tok = Tokenizer::FromGguf(model->file());
  ThreadPool pool(2);
  Session session(*model, pool, 256);
  Conversation chat(session, *tok, "");
  GenerateParams params = Greedy(12);
  params.n_keep = 1;  // the BOS
  int64_t evaluated = 0;
  GenerateStats s;
  std::string last;
  std::vector<int32_t> before_last;
  static const char* const kWords[] = {"Lily", "a dog", "the sun", "Tom", "a big tree"};
  for (int turn = 0; turn < 40; ++turn) {
    last.clear();
    s = chat.Reply("Tell me about " + std::string(kWords[turn % 5]), params, [&](int32_t, std::string_view t) {
      last += t;
      return true;
    });
    evaluated += s.n_prompt + s.n_generated;
    before_last.assign(session.tokens().begin(), session.tokens().end() - s.n_generated);
    EXPECT_LE(session.n_past(), 256);
  }
  EXPECT_GT(evaluated, 3 * 256);  // so the context shifted, more than once
  ASSERT_EQ(s.n_shifted, 0);      // not within the last reply: its prompt is what came before it
  EXPECT_EQ(session.tokens()[0], tok->bos());
  // The last reply again, from scratch, on the tokens the session held before it.
  ASSERT_LT(static_cast<int64_t>(before_last.size()), 256 - 12);
  Session fresh(*model, pool, 256);
  std::string again;
  Generate(fresh, *tok, before_last, Greedy(12), [&](int32_t, std::string_view t) {
    again += t;
    return true;
  });
  EXPECT_EQ(again, last);
  // Without shifting, the same chat ends in an error.
  Session small(*model, pool, 256);
  Conversation strict(small, *tok, "");
  params.context_shift = false;
  EXPECT_THROW(
      for (int turn = 0; turn < 40; ++turn) strict.Reply("Tell me about Lily", params, [](int32_t, std::string_view) { return true; }),
      Error);
}

}  // namespace
}  // namespace densing
