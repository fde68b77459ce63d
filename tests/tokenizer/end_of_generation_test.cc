// End-of-generation tokens and the token types llama.cpp overrides while finding them, one rule
// per test on small vocabularies, and the Phi-3 case on the shared vocabulary.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "gguf/gguf_file.h"
#include "synthetic_vocab.h"
#include "testing/shared_dir.h"
#include "tokenizer/tokenizer.h"

namespace densing {
namespace {

using testing::Build;
using testing::Built;
using testing::GgufBuilder;
using testing::SpmVocab;

constexpr int32_t kNormal = 1, kControl = 3, kUserDefined = 4;

// The synthetic SentencePiece vocabulary with `extra` tokens (text, type) appended; returns the
// id of each extra token in `ids`.
struct Extra {
  std::string text;
  int32_t type;
};
SpmVocab WithExtra(const std::vector<Extra>& extra, std::vector<int32_t>* ids) {
  SpmVocab v = testing::MakeSpmVocab(/*with_bytes=*/false);
  for (const Extra& e : extra) {
    ids->push_back(static_cast<int32_t>(v.tokens.size()));
    v.tokens.push_back(e.text);
    v.scores.push_back(0);
    v.types.push_back(e.type);
  }
  return v;
}

bool Has(const std::vector<int32_t>& ids, int32_t id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

TEST(EndOfGeneration, EndOfTurnTextIsFoundAndForcedToControl) {
  std::vector<int32_t> id;
  auto t = Build(testing::SpmBuilder(WithExtra({{"<|im_end|>", kNormal}}, &id)));
  const Tokenizer& tok = *t.tokenizer;
  EXPECT_EQ(tok.eot(), id[0]);
  EXPECT_EQ(tok.TokenType(id[0]), kControl);
  EXPECT_TRUE(tok.IsEndOfGeneration(id[0]));
  // A control token is text unless special tokens are parsed.
  EXPECT_FALSE(Has(tok.Encode("a<|im_end|>", false, false), id[0]));
  EXPECT_TRUE(Has(tok.Encode("a<|im_end|>", false, true), id[0]));
}

TEST(EndOfGeneration, KeysWinOverTextsAndEosEotAlwaysEnd) {
  std::vector<int32_t> id;
  SpmVocab v = WithExtra({{"<|eot_id|>", kNormal}, {"<my_eot>", kNormal}, {"<my_eos>", kNormal}},
                         &id);
  GgufBuilder b = testing::SpmBuilder(v);
  b.U32("tokenizer.ggml.eot_token_id", id[1]).U32("tokenizer.ggml.eos_token_id", id[2]);
  auto t = Build(b);
  const Tokenizer& tok = *t.tokenizer;
  EXPECT_EQ(tok.eot(), id[1]);
  EXPECT_EQ(tok.eos(), id[2]);
  // Named by a key: ends the generation, keeps its type.
  EXPECT_TRUE(tok.IsEndOfGeneration(id[1]));
  EXPECT_TRUE(tok.IsEndOfGeneration(id[2]));
  EXPECT_EQ(tok.TokenType(id[1]), kNormal);
  EXPECT_EQ(tok.TokenType(id[2]), kNormal);
  // The end-of-turn text still ends the generation and is still made control.
  EXPECT_TRUE(tok.IsEndOfGeneration(id[0]));
  EXPECT_EQ(tok.TokenType(id[0]), kControl);
}

TEST(EndOfGeneration, EndOfTextTextsEndWhateverTheirType) {
  std::vector<int32_t> id;
  SpmVocab v = WithExtra({{"<|eom_id|>", kNormal},
                          {"<end_of_utterance>", kUserDefined},
                          {"[EOS]", kNormal},
                          {"<eos>", 5}},
                         &id);
  v.types[2] = kUserDefined;  // "</s>", as in Phi-3
  GgufBuilder b = testing::SpmBuilder(v);
  b.U32("tokenizer.ggml.eos_token_id", 1);  // not </s>: the text alone must make it EOG
  auto t = Build(b);
  const Tokenizer& tok = *t.tokenizer;
  for (int32_t i : {id[0], id[1], id[2], id[3], 2}) {
    EXPECT_TRUE(tok.IsEndOfGeneration(i)) << tok.TokenText(i);
    EXPECT_EQ(tok.TokenType(i), kControl) << tok.TokenText(i);
  }
  // "</s>" was user-defined, matched in any text; as control it is text unless parsed.
  EXPECT_FALSE(Has(tok.Encode("a</s>", false, false), 2));
  EXPECT_TRUE(Has(tok.Encode("a</s>", false, true), 2));
}

TEST(EndOfGeneration, FimPadRepoAndSeparatorEndButPrefixSuffixMiddleDoNot) {
  std::vector<int32_t> id;
  auto t = Build(testing::SpmBuilder(WithExtra({{"<fim_prefix>", kNormal},
                                                {"<fim_suffix>", kNormal},
                                                {"<fim_middle>", kNormal},
                                                {"<fim_pad>", kNormal},
                                                {"<reponame>", kNormal},
                                                {"<|file_sep|>", kNormal}},
                                               &id)));
  const Tokenizer& tok = *t.tokenizer;
  for (size_t i = 0; i < id.size(); ++i) {
    EXPECT_EQ(tok.TokenType(id[i]), kControl) << tok.TokenText(id[i]);
    EXPECT_EQ(tok.IsEndOfGeneration(id[i]), i >= 3) << tok.TokenText(id[i]);
  }
}

TEST(EndOfGeneration, FimKeysNameTheTokensWithoutRetyping) {
  std::vector<int32_t> id;
  GgufBuilder b = testing::SpmBuilder(WithExtra({{"<my_pad>", kNormal}, {"<PAD>", kNormal}}, &id));
  b.U32("tokenizer.ggml.fim_pad_token_id", id[0]);
  auto t = Build(b);
  EXPECT_TRUE(t.tokenizer->IsEndOfGeneration(id[0]));
  EXPECT_EQ(t.tokenizer->TokenType(id[0]), kNormal);
  // The key named the pad token, so the text heuristic did not look for one.
  EXPECT_FALSE(t.tokenizer->IsEndOfGeneration(id[1]));
  EXPECT_EQ(t.tokenizer->TokenType(id[1]), kNormal);
}

TEST(EndOfGeneration, HarmonyEndIsAMessageEndNotAGenerationEnd) {
  for (const char* other : {"<|return|>", "<|flush|>"}) {
    const char* call = std::string(other) == "<|return|>" ? "<|call|>" : "<|calls|>";
    std::vector<int32_t> id;
    auto t = Build(testing::SpmBuilder(
        WithExtra({{"<|end|>", kControl}, {other, kControl}, {call, kControl}}, &id)));
    const Tokenizer& tok = *t.tokenizer;
    EXPECT_FALSE(tok.IsEndOfGeneration(id[0])) << other;
    EXPECT_EQ(tok.TokenType(id[0]), kUserDefined) << other;
    EXPECT_TRUE(Has(tok.Encode("a<|end|>", false, false), id[0])) << other;
    EXPECT_TRUE(tok.IsEndOfGeneration(id[1])) << other;
    EXPECT_TRUE(tok.IsEndOfGeneration(id[2])) << other;
  }
  // <|call|> alone is not enough.
  std::vector<int32_t> id;
  auto t = Build(
      testing::SpmBuilder(WithExtra({{"<|end|>", kControl}, {"<|call|>", kControl}}, &id)));
  EXPECT_TRUE(t.tokenizer->IsEndOfGeneration(id[0]));
  EXPECT_EQ(t.tokenizer->TokenType(id[0]), kControl);
}

TEST(EndOfGeneration, ToolResponseMarkerMakesSlashSOrdinaryText) {
  std::vector<int32_t> id;
  GgufBuilder b =
      testing::SpmBuilder(WithExtra({{"<eos>", kControl}, {"<|tool_response>", kControl}}, &id));
  b.U32("tokenizer.ggml.eos_token_id", id[0]);
  auto t = Build(b);
  const Tokenizer& tok = *t.tokenizer;
  EXPECT_FALSE(tok.IsEndOfGeneration(2));  // "</s>"
  EXPECT_EQ(tok.TokenType(2), kNormal);
  EXPECT_TRUE(tok.IsEndOfGeneration(id[0]));
  EXPECT_TRUE(tok.IsEndOfGeneration(id[1]));
  // Without the marker "</s>" stays an end of generation.
  std::vector<int32_t> id2;
  auto plain = Build(testing::SpmBuilder(WithExtra({{"<eos>", kControl}}, &id2)));
  EXPECT_TRUE(plain.tokenizer->IsEndOfGeneration(2));
}

TEST(EndOfGeneration, GptOssChannelMarkupIsUserDefined) {
  std::vector<int32_t> id;
  auto t = Build(testing::SpmBuilder(
      WithExtra({{"<|start|>", kControl}, {"<|channel|>", kControl}, {"<|im_start|>", kControl}},
                &id)));
  const Tokenizer& tok = *t.tokenizer;
  EXPECT_EQ(tok.TokenType(id[0]), kUserDefined);
  EXPECT_EQ(tok.TokenType(id[1]), kUserDefined);
  EXPECT_EQ(tok.TokenType(id[2]), kControl);
  EXPECT_TRUE(Has(tok.Encode("a<|start|>", false, false), id[0]));
  EXPECT_FALSE(tok.IsEndOfGeneration(id[0]));
}

TEST(EndOfGeneration, ModernBertMaskEatsTheSpaceBeforeIt) {
  std::vector<std::string> tokens = testing::BpeTokens();
  tokens.push_back("[MASK]");
  std::vector<int32_t> types(tokens.size(), kNormal);
  types[types.size() - 2] = kControl;
  types.back() = kUserDefined;
  const auto mask = static_cast<int32_t>(tokens.size() - 1);
  for (const char* name : {"modern-bert-base", "other"}) {
    GgufBuilder b;
    b.Str("general.name", name)
        .Str("tokenizer.ggml.model", "gpt2")
        .Str("tokenizer.ggml.pre", "gpt-2")
        .StrArray("tokenizer.ggml.tokens", tokens)
        .I32Array("tokenizer.ggml.token_type", types)
        .StrArray("tokenizer.ggml.merges", testing::BpeMerges());
    auto t = Build(b);
    const std::vector<int32_t> want_modern = {0, mask};
    const std::vector<int32_t> want_other = {0, 3, mask};  // "a", "Ġ", "[MASK]"
    EXPECT_EQ(t.tokenizer->Encode("a [MASK]", false, false),
              std::string(name) == "other" ? want_other : want_modern)
        << name;
  }
}

TEST(EndOfGeneration, Phi3SlashSIsTextUnlessSpecialTokensAreParsed) {
  DENSING_REQUIRE_SHARED();
  auto file = gguf::File::Open(testing::SharedDir() + "/tokenizer/ggml-vocab-phi-3.gguf");
  auto tok = Tokenizer::FromGguf(*file);
  // The reference engine's ids: "<" "|" "im" "_" "end" "|" ">" "▁<" "s" ">" "▁</" "s" ">" "▁x".
  EXPECT_EQ(tok->Encode("<|im_end|> <s> </s> x", false, false),
            (std::vector<int32_t>{529, 29989, 326, 29918, 355, 29989, 29958, 529, 29879, 29958,
                                  1533, 29879, 29958, 921}));
  EXPECT_EQ(tok->TokenType(2), kControl);
  EXPECT_TRUE(tok->IsEndOfGeneration(2));
  EXPECT_TRUE(tok->IsEndOfGeneration(32000));  // <|endoftext|>, EOS
  EXPECT_TRUE(tok->IsEndOfGeneration(32007));  // <|end|>
  EXPECT_FALSE(tok->IsEndOfGeneration(32010));  // <|user|>
}

}  // namespace
}  // namespace densing
