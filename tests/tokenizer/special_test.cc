// Special tokens on the real vocabularies: BOS/EOS as the metadata asks, parse_special on and
// off, end-of-generation ids, pieces of control and byte tokens.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "gguf/gguf_file.h"
#include "testing/shared_dir.h"
#include "tokenizer/tokenizer.h"

namespace densing {
namespace {

class SpecialTokens : public ::testing::Test {
 protected:
  const Tokenizer& Load(const std::string& vocab) {
    files_.push_back(
        gguf::File::Open(testing::SharedDir() + "/tokenizer/ggml-vocab-" + vocab + ".gguf"));
    tokenizers_.push_back(Tokenizer::FromGguf(*files_.back()));
    return *tokenizers_.back();
  }
  void SetUp() override { DENSING_REQUIRE_SHARED(); }

 private:
  std::vector<std::unique_ptr<gguf::File>> files_;
  std::vector<std::unique_ptr<Tokenizer>> tokenizers_;
};

std::vector<int32_t> Cat(std::vector<std::vector<int32_t>> parts) {
  std::vector<int32_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

TEST_F(SpecialTokens, AddSpecialFollowsMetadata) {
  const Tokenizer& spm = Load("llama-spm");
  EXPECT_EQ(spm.Encode("Hello", true, false), Cat({{1}, spm.Encode("Hello", false, false)}));
  EXPECT_EQ(spm.Encode("", true, false), std::vector<int32_t>{1});
  EXPECT_TRUE(spm.Encode("", false, false).empty());

  const Tokenizer& llama3 = Load("llama-bpe");
  EXPECT_TRUE(llama3.add_bos());
  EXPECT_EQ(llama3.Encode("Hi", true, false), Cat({{128000}, llama3.Encode("Hi", false, false)}));

  const Tokenizer& qwen2 = Load("qwen2");
  EXPECT_FALSE(qwen2.add_bos());
  EXPECT_EQ(qwen2.Encode("Hi", true, false), qwen2.Encode("Hi", false, false));

  const Tokenizer& gpt2 = Load("gpt-2");
  EXPECT_FALSE(gpt2.add_bos());
  EXPECT_EQ(gpt2.bos(), 50256);
  EXPECT_EQ(gpt2.Encode("Hi", true, false), gpt2.Encode("Hi", false, false));
}

TEST_F(SpecialTokens, ParseSpecialSpm) {
  const Tokenizer& spm = Load("llama-spm");
  // After a special token the next text gets the SentencePiece prefix space again.
  EXPECT_EQ(spm.Encode("<s>Hello</s>", false, true),
            Cat({{1}, spm.Encode("Hello", false, false), {2}}));
  const auto plain = spm.Encode("<s>Hello", false, false);
  EXPECT_EQ(std::count(plain.begin(), plain.end(), 1), 0);
  EXPECT_EQ(spm.Decode(plain), "<s>Hello");
}

TEST_F(SpecialTokens, ParseSpecialQwen2ChatMarkup) {
  const Tokenizer& qwen2 = Load("qwen2");
  const std::string chat = "<|im_start|>user\nhi<|im_end|>\n";
  EXPECT_EQ(qwen2.Encode(chat, false, true), Cat({{151644},
                                                  qwen2.Encode("user\nhi", false, false),
                                                  {151645},
                                                  qwen2.Encode("\n", false, false)}));
  const auto plain = qwen2.Encode(chat, false, false);
  for (int32_t id : plain) EXPECT_LT(id, 151643) << "special id in plain text";
  EXPECT_EQ(qwen2.Decode(plain), chat);
}

TEST_F(SpecialTokens, Phi3SlashSIsControlAndEatsTheSpaceAfterIt) {
  // Phi-3's file types "</s>" user-defined; llama.cpp makes it control (an end-of-text text), so
  // it is cut out only with parse_special, and the model's name gives it the right-strip attribute.
  const Tokenizer& phi3 = Load("phi-3");
  EXPECT_EQ(phi3.TokenType(2), 3);
  EXPECT_EQ(phi3.Encode("a</s> b", false, true),
            Cat({phi3.Encode("a", false, false), {2}, phi3.Encode("b", false, false)}));
}

TEST_F(SpecialTokens, EndOfGeneration) {
  const Tokenizer& qwen2 = Load("qwen2");
  EXPECT_TRUE(qwen2.IsEndOfGeneration(151645));  // <|im_end|>, also EOS
  EXPECT_TRUE(qwen2.IsEndOfGeneration(151643));  // <|endoftext|>
  EXPECT_FALSE(qwen2.IsEndOfGeneration(151644));
  EXPECT_FALSE(qwen2.IsEndOfGeneration(9707));

  const Tokenizer& llama3 = Load("llama-bpe");
  EXPECT_EQ(llama3.eos(), 128001);
  EXPECT_EQ(llama3.eot(), 128009);
  EXPECT_TRUE(llama3.IsEndOfGeneration(128001));
  EXPECT_TRUE(llama3.IsEndOfGeneration(128009));
  EXPECT_FALSE(llama3.IsEndOfGeneration(128000));

  const Tokenizer& phi3 = Load("phi-3");
  EXPECT_TRUE(phi3.IsEndOfGeneration(32000));
  EXPECT_TRUE(phi3.IsEndOfGeneration(32007));  // <|end|>
  EXPECT_FALSE(phi3.IsEndOfGeneration(32010));

  const Tokenizer& spm = Load("llama-spm");
  EXPECT_TRUE(spm.IsEndOfGeneration(2));
  EXPECT_FALSE(spm.IsEndOfGeneration(1));
  EXPECT_FALSE(spm.IsEndOfGeneration(-1));
}

TEST_F(SpecialTokens, PiecesAndTypes) {
  const Tokenizer& spm = Load("llama-spm");
  EXPECT_EQ(spm.n_vocab(), 32000);
  EXPECT_EQ(spm.TokenToPiece(1), "<s>");
  EXPECT_EQ(spm.TokenToPiece(1, false), "");
  EXPECT_EQ(spm.TokenType(1), 3);
  EXPECT_EQ(spm.TokenText(13), "<0x0A>");
  EXPECT_EQ(spm.TokenType(13), 6);
  EXPECT_EQ(spm.TokenToPiece(13), "\n");
  const int32_t hello = spm.Encode("Hello", false, false).at(0);
  EXPECT_EQ(spm.TokenText(hello), "\xE2\x96\x81Hello");
  EXPECT_EQ(spm.TokenToPiece(hello), " Hello");
  EXPECT_EQ(spm.Decode(std::vector<int32_t>{1, hello}), "<s> Hello");
  // As in llama.cpp, only the first token's leading space is removed, even when it is hidden.
  EXPECT_EQ(spm.Decode(std::vector<int32_t>{1, hello}, false), " Hello");
  EXPECT_EQ(spm.Decode(std::vector<int32_t>{hello, hello}), "Hello Hello");

  const Tokenizer& gpt2 = Load("gpt-2");
  const auto ids = gpt2.Encode(" world\n", false, false);
  EXPECT_EQ(gpt2.TokenText(ids.at(0)), "\xC4\xA0world");  // "Ġworld"
  EXPECT_EQ(gpt2.TokenToPiece(ids.at(0)), " world");
  EXPECT_EQ(gpt2.TokenToPiece(50256), "<|endoftext|>");
  EXPECT_EQ(gpt2.TokenToPiece(50256, false), "");
}

}  // namespace
}  // namespace densing
