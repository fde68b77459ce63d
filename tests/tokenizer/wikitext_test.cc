// Golden test: WikiText-2 (1.3 MB) encodes and decodes back to the exact bytes with every
// shared vocabulary.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gguf/gguf_file.h"
#include "testing/shared_dir.h"
#include "tokenizer/tokenizer.h"

namespace densing {
namespace {

TEST(TokenizerWikitext, RoundTripIsExact) {
  DENSING_REQUIRE_SHARED();
  const std::string text =
      testing::ReadFile(testing::SharedDir() + "/data/wikitext-2/wiki.test.raw");
  ASSERT_GT(text.size(), 1000000u);
  for (const char* name : {"llama-spm", "gpt-2", "llama-bpe", "qwen2"}) {
    auto file = gguf::File::Open(testing::SharedDir() + "/tokenizer/ggml-vocab-" +
                                 std::string(name) + ".gguf");
    auto tok = Tokenizer::FromGguf(*file);
    const std::vector<int32_t> ids = tok->Encode(text, false, false);
    EXPECT_GT(ids.size(), 250000u) << name;
    EXPECT_LT(ids.size(), 400000u) << name;
    EXPECT_TRUE(tok->Decode(ids) == text) << name << ": decoded text differs";
  }
}

}  // namespace
}  // namespace densing
