// Untrusted metadata and input: every inconsistency is an Error that names the key; odd text
// never crashes.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "base/error.h"
#include "synthetic_vocab.h"
#include "testing/shared_dir.h"

namespace densing {
namespace {

using testing::BpeBuilder;
using testing::Build;
using testing::GgufBuilder;
using testing::MakeSpmVocab;
using testing::SpmBuilder;

// Builds `b`, expecting an Error whose message contains every one of `parts`.
void ExpectError(const GgufBuilder& b, std::vector<std::string> parts) {
  try {
    Build(b);
    ADD_FAILURE() << "no Error; expected one naming " << parts.front();
  } catch (const Error& e) {
    const std::string message = e.what();
    for (const std::string& part : parts) {
      EXPECT_NE(message.find(part), std::string::npos) << "'" << message << "' lacks " << part;
    }
    EXPECT_EQ(message.find('\n'), std::string::npos) << "not one line: " << message;
  }
}

TEST(HostileMetadata, ScoresLengthMismatch) {
  auto v = MakeSpmVocab();
  v.scores.pop_back();
  ExpectError(SpmBuilder(v), {"test.gguf", "tokenizer.ggml.scores"});
}

TEST(HostileMetadata, TokenTypeLengthMismatchAndUnknownType) {
  auto v = MakeSpmVocab();
  v.types.push_back(1);
  ExpectError(SpmBuilder(v), {"tokenizer.ggml.token_type"});
  v = MakeSpmVocab();
  v.types[5] = 42;
  ExpectError(SpmBuilder(v), {"tokenizer.ggml.token_type[5]", "42"});
}

TEST(HostileMetadata, NanScore) {
  auto v = MakeSpmVocab();
  v.scores[7] = std::numeric_limits<float>::quiet_NaN();
  ExpectError(SpmBuilder(v), {"tokenizer.ggml.scores[7]"});
}

TEST(HostileMetadata, SpecialIdsOutOfRange) {
  auto b = SpmBuilder(MakeSpmVocab());
  b.U32("tokenizer.ggml.bos_token_id", 1000000);
  ExpectError(b, {"tokenizer.ggml.bos_token_id", "1000000"});
  auto c = SpmBuilder(MakeSpmVocab());
  c.I32("tokenizer.ggml.eos_token_id", -7);
  ExpectError(c, {"tokenizer.ggml.eos_token_id"});
  auto d = SpmBuilder(MakeSpmVocab());
  d.Str("tokenizer.ggml.unknown_token_id", "zero");
  ExpectError(d, {"tokenizer.ggml.unknown_token_id"});
}

TEST(HostileMetadata, NoneMarkerKeepsTheDefault) {
  // stories260K writes 0xFFFFFFFF for "no padding token"; llama.cpp keeps the default id.
  auto b = SpmBuilder(MakeSpmVocab());
  b.U32("tokenizer.ggml.padding_token_id", 0xFFFFFFFFu)
      .U32("tokenizer.ggml.bos_token_id", 0xFFFFFFFFu);
  auto t = Build(b);
  EXPECT_EQ(t.tokenizer->bos(), 1);
}

TEST(HostileMetadata, BadTokensArray) {
  ExpectError(GgufBuilder().Str("tokenizer.ggml.model", "llama"), {"tokenizer.ggml.tokens"});
  ExpectError(
      GgufBuilder().Str("tokenizer.ggml.model", "llama").StrArray("tokenizer.ggml.tokens", {}),
      {"tokenizer.ggml.tokens", "empty"});
  ExpectError(
      GgufBuilder().Str("tokenizer.ggml.model", "llama").I32Array("tokenizer.ggml.tokens", {1, 2}),
      {"tokenizer.ggml.tokens"});
  auto v = MakeSpmVocab();
  v.tokens[3] = "<0xZZ>";
  ExpectError(SpmBuilder(v), {"tokenizer.ggml.tokens[3]", "<0xZZ>"});
}

TEST(HostileMetadata, UnknownModelAndPreTokenizer) {
  ExpectError(GgufBuilder()
                  .Str("tokenizer.ggml.model", "wordpiece-9000")
                  .StrArray("tokenizer.ggml.tokens", {"a"}),
              {"tokenizer.ggml.model", "wordpiece-9000"});
  ExpectError(GgufBuilder().StrArray("tokenizer.ggml.tokens", {"a"}), {"tokenizer.ggml.model"});
  ExpectError(BpeBuilder(testing::BpeMerges(), "klingon-bpe"),
              {"tokenizer.ggml.pre", "klingon-bpe"});
}

TEST(HostileMetadata, BadMerges) {
  ExpectError(BpeBuilder({"a b", "abc"}), {"tokenizer.ggml.merges[1]", "abc"});
  ExpectError(BpeBuilder({"a "}), {"tokenizer.ggml.merges[0]"});
  ExpectError(BpeBuilder({" "}), {"tokenizer.ggml.merges[0]"});
  GgufBuilder no_merges;
  no_merges.Str("tokenizer.ggml.model", "gpt2").StrArray("tokenizer.ggml.tokens", {"a"});
  ExpectError(no_merges, {"tokenizer.ggml.merges"});
  // Merges of pieces that are no tokens are legal; they just never produce a token.
  auto t = Build(BpeBuilder({"x y", "xy z", "a b"}));
  EXPECT_EQ(t.tokenizer->Encode("xyz ab", false, false), (std::vector<int32_t>{3, 4}));
}

TEST(HostileInput, IdsOutOfRangeThrow) {
  auto t = Build(SpmBuilder(MakeSpmVocab()));
  const int32_t n = t.tokenizer->n_vocab();
  EXPECT_THROW(t.tokenizer->TokenToPiece(n), Error);
  EXPECT_THROW(t.tokenizer->TokenToPiece(-1), Error);
  EXPECT_THROW(t.tokenizer->TokenText(n), Error);
  EXPECT_THROW(t.tokenizer->TokenType(-5), Error);
  EXPECT_THROW(t.tokenizer->Decode(std::vector<int32_t>{1, n + 3}), Error);
  StreamDecoder decoder(*t.tokenizer);
  EXPECT_THROW(decoder.Push(n), Error);
  EXPECT_FALSE(t.tokenizer->IsEndOfGeneration(n));
}

TEST(HostileInput, InvalidUtf8AndLongRuns) {
  DENSING_REQUIRE_SHARED();
  for (const char* name : {"llama-spm", "gpt-2", "llama-bpe", "qwen2"}) {
    auto file =
        gguf::File::Open(densing::testing::SharedDir() + "/tokenizer/ggml-vocab-" + name + ".gguf");
    auto tok = Tokenizer::FromGguf(*file);
    if (tok->model() == "llama") {
      // SPM keeps the bytes. (As in llama.cpp, a truncated sequence right before a space would
      // swallow part of the escaped space, so this text has none there.)
      const std::string invalid = "a\xFF\xC3(\xED\xA0\x80 z\xC0\x80 \xF0\x9F\xA6";
      EXPECT_EQ(tok->Decode(tok->Encode(invalid, false, false)), invalid) << name;
    } else {
      // Byte-level BPE reads as llama.cpp does: a byte that starts no sequence its high bits
      // announce is U+FFFD; a surrogate is kept, an overlong NUL is a NUL.
      const std::string invalid = "a\xFF\xC3(\xED\xA0\x80 \xF0\x9F\xA6 z\xC0\x80";
      EXPECT_EQ(tok->Decode(tok->Encode(invalid, false, false)),
                std::string("a\xEF\xBF\xBD\xEF\xBF\xBD(\xED\xA0\x80 "
                            "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD z\0",
                            24))
          << name;
      if (std::string(name) == "gpt-2") {  // the reference engine's ids
        EXPECT_EQ(tok->Encode(invalid, false, false),
                  (std::vector<int32_t>{64, 6353, 7, 169, 254, 222, 220, 48585, 1976, 188}));
      }
    }
    for (const std::string& text :
         {std::string(300000, ' ') + "x", std::string(100000, '\n') + "y\n",
          std::string(200000, 'a'), std::string(50000, '\t') + std::string(50000, ' ')}) {
      EXPECT_EQ(tok->Decode(tok->Encode(text, false, false)), text) << name;
    }
  }
}

}  // namespace
}  // namespace densing
