// The SPM and BPE merge rules on tiny vocabularies, where every step can be followed by hand.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "synthetic_vocab.h"

namespace densing {
namespace {

using testing::BpeBuilder;
using testing::Build;
using testing::MakeSpmVocab;
using testing::SpmBuilder;

constexpr int32_t kFirstWord = 3 + 256;  // after <unk> <s> </s> and the byte tokens
enum SpmId : int32_t { kSp = kFirstWord, kA, kB, kC, kSpA, kAb, kBc, kSpAb, kAbc };

TEST(SpmAlgorithm, HighestScoreFirstTiesToTheLeft) {
  auto t = Build(SpmBuilder(MakeSpmVocab()));
  // ▁ a b c: "ab" and "bc" tie at -1, the left one merges; then "▁ab" (-2) beats "abc" (-3).
  EXPECT_EQ(t.tokenizer->Encode("abc", false, false), (std::vector<int32_t>{kSpAb, kC}));
  EXPECT_EQ(t.tokenizer->Encode("bc", false, false), (std::vector<int32_t>{kSp, kBc}));
  EXPECT_EQ(t.tokenizer->Encode("abc", true, false), (std::vector<int32_t>{1, kSpAb, kC}));
  EXPECT_EQ(t.tokenizer->Decode(std::vector<int32_t>{kSpAb, kC}), "abc");
}

TEST(SpmAlgorithm, ByteFallbackAndUnknown) {
  auto t = Build(SpmBuilder(MakeSpmVocab()));
  // "é" is C3 A9: two byte tokens <0xC3> <0xA9> (id = 3 + byte).
  EXPECT_EQ(t.tokenizer->Encode("a\xC3\xA9", false, false),
            (std::vector<int32_t>{kSpA, 3 + 0xC3, 3 + 0xA9}));
  EXPECT_EQ(t.tokenizer->Decode(t.tokenizer->Encode("a\xC3\xA9 \xFF", false, false)),
            "a\xC3\xA9 \xFF");

  auto no_bytes = Build(SpmBuilder(MakeSpmVocab(/*with_bytes=*/false)));
  const int32_t sp_a = 3 + 4;
  EXPECT_EQ(no_bytes.tokenizer->Encode("a\xC3\xA9", false, false),
            (std::vector<int32_t>{sp_a, 0, 0}));
}

TEST(SpmAlgorithm, AddSpacePrefixCanBeTurnedOff) {
  auto b = SpmBuilder(MakeSpmVocab());
  b.Bool("tokenizer.ggml.add_space_prefix", false).Bool("tokenizer.ggml.add_eos_token", true);
  auto t = Build(b);
  EXPECT_EQ(t.tokenizer->Encode("abc", true, false), (std::vector<int32_t>{1, kAbc, 2}));
  EXPECT_EQ(t.tokenizer->Decode(t.tokenizer->Encode(" ab", false, false)), " ab");
}

TEST(BpeAlgorithm, LowestRankFirst) {
  auto t = Build(BpeBuilder());
  // a b c -> (a b) rank 0 -> (ab c) rank 2; " a" -> "Ġa".
  EXPECT_EQ(t.tokenizer->Encode("abc a", false, false), (std::vector<int32_t>{6, 7}));
  EXPECT_EQ(t.tokenizer->Encode("cab", false, false), (std::vector<int32_t>{2, 4}));
  EXPECT_EQ(t.tokenizer->Decode(std::vector<int32_t>{6, 7}), "abc a");
  // Pieces that are no token fall back to single-byte tokens where those exist ("d" has none).
  EXPECT_EQ(t.tokenizer->Encode("d", false, false), std::vector<int32_t>{});
}

TEST(BpeAlgorithm, SpecialTokenOnlyWhenParsed) {
  auto t = Build(BpeBuilder());
  EXPECT_EQ(t.tokenizer->Encode("ab<|endoftext|>", false, true), (std::vector<int32_t>{4, 8}));
  const auto plain = t.tokenizer->Encode("ab<|endoftext|>", false, false);
  EXPECT_EQ(std::count(plain.begin(), plain.end(), 8), 0);
  EXPECT_TRUE(t.tokenizer->IsEndOfGeneration(8));
}

TEST(BpeAlgorithm, IgnoreMergesTakesWholeWords) {
  // Llama 3 takes a word that is a token as it is; with merges "a b" then "b c" alone, "abc"
  // would otherwise end as "ab" "c".
  auto with = Build(BpeBuilder({"a b", "b c"}, "llama-bpe"));
  EXPECT_EQ(with.tokenizer->Encode("abc", false, false), std::vector<int32_t>{6});
  EXPECT_TRUE(with.tokenizer->add_bos());
  auto without = Build(BpeBuilder({"a b", "b c"}, "gpt-2"));
  EXPECT_EQ(without.tokenizer->Encode("abc", false, false), (std::vector<int32_t>{4, 2}));
}

}  // namespace
}  // namespace densing
