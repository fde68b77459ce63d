// StreamDecoder: characters split across byte tokens come out whole.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "gguf/gguf_file.h"
#include "testing/shared_dir.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/utf8.h"

namespace densing {
namespace {

std::unique_ptr<gguf::File> OpenVocab(const std::string& name) {
  return gguf::File::Open(testing::SharedDir() + "/tokenizer/ggml-vocab-" + name + ".gguf");
}

TEST(StreamDecoder, HoldsBackACharacterSplitAcrossByteTokens) {
  DENSING_REQUIRE_SHARED();
  auto file = OpenVocab("llama-spm");
  auto tok = Tokenizer::FromGguf(*file);
  // The llama emoji U+1F999 is not in the Llama 2 vocabulary: four byte tokens F0 9F A6 99.
  const auto ids = tok->Encode("Hi \xF0\x9F\xA6\x99!", false, false);
  std::vector<std::string> chunks;
  StreamDecoder decoder(*tok);
  int n_byte_tokens = 0;
  for (int32_t id : ids) {
    if (tok->TokenType(id) == 6) ++n_byte_tokens;
    chunks.push_back(decoder.Push(id));
  }
  EXPECT_EQ(n_byte_tokens, 4);
  std::string all;
  for (const std::string& c : chunks) {
    EXPECT_TRUE(tokenizer::IsValidUtf8(c)) << "chunk splits a character";
    all += c;
  }
  EXPECT_EQ(all, " Hi \xF0\x9F\xA6\x99!");
  EXPECT_EQ(decoder.Flush(), "");
  // Three of the four byte tokens give nothing; the fourth gives the whole emoji.
  EXPECT_EQ(std::count(chunks.begin(), chunks.end(), ""), 3);
}

TEST(StreamDecoder, FlushReturnsAnUnfinishedSequence) {
  DENSING_REQUIRE_SHARED();
  auto file = OpenVocab("llama-spm");
  auto tok = Tokenizer::FromGguf(*file);
  StreamDecoder decoder(*tok);
  EXPECT_EQ(decoder.Push(3 + 0xE2), "");  // <0xE2>: first byte of a 3-byte character
  EXPECT_EQ(decoder.Push(3 + 0x82), "");
  EXPECT_EQ(decoder.Flush(), "\xE2\x82");
  EXPECT_EQ(decoder.Push(3 + 0xFF), "\xFF");  // can never start a character: not held
  EXPECT_EQ(decoder.Push(1), "<s>");
  StreamDecoder quiet(*tok, /*render_special=*/false);
  EXPECT_EQ(quiet.Push(1), "");
}

TEST(StreamDecoder, ByteLevelBpeChunksAreWholeCharacters) {
  DENSING_REQUIRE_SHARED();
  for (const char* name : {"gpt-2", "qwen2"}) {
    auto file = OpenVocab(name);
    auto tok = Tokenizer::FromGguf(*file);
    const std::string text =
        "\xF0\x9F\x9A\x80 (normal) \xF0\x9F\x98\xB6\xE2\x80\x8D\xF0\x9F\x8C\xAB\xEF\xB8\x8F "
        "\xE1\x9E\x80\xE1\x9E\xB6\xE1\x9E\x93\xE1\x9F\x8B \xE6\x88\x91\xE6\x83\xB3";
    StreamDecoder decoder(*tok);
    std::string all;
    for (int32_t id : tok->Encode(text, false, false)) {
      const std::string chunk = decoder.Push(id);
      EXPECT_TRUE(tokenizer::IsValidUtf8(chunk)) << name;
      all += chunk;
    }
    all += decoder.Flush();
    EXPECT_EQ(all, text) << name;
  }
}

}  // namespace
}  // namespace densing
