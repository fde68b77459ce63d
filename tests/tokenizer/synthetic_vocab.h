// Small in-memory vocabularies for unit tests: a SentencePiece one and a byte-level BPE one,
// as GgufBuilders the tests can spoil before building.
#pragma once

#include <fmt/format.h>

#include <memory>
#include <string>
#include <vector>

#include "gguf/gguf_file.h"
#include "gguf_builder.h"
#include "tokenizer/tokenizer.h"

namespace densing::testing {

struct SpmVocab {
  std::vector<std::string> tokens;
  std::vector<float> scores;
  std::vector<int32_t> types;
};

// <unk> <s> </s>, then (optionally) the 256 byte tokens, then ▁ a b c ▁a ab bc ▁ab abc.
inline SpmVocab MakeSpmVocab(bool with_bytes = true) {
  SpmVocab v;
  auto add = [&v](std::string text, float score, int32_t type) {
    v.tokens.push_back(std::move(text));
    v.scores.push_back(score);
    v.types.push_back(type);
  };
  add("<unk>", 0, 2);
  add("<s>", 0, 3);
  add("</s>", 0, 3);
  if (with_bytes) {
    for (int b = 0; b < 256; ++b) add(fmt::format("<0x{:02X}>", b), 0, 6);
  }
  const std::string sp = "\xE2\x96\x81";
  add(sp, -10, 1);
  add("a", -10, 1);
  add("b", -10, 1);
  add("c", -10, 1);
  add(sp + "a", -5, 1);
  add("ab", -1, 1);
  add("bc", -1, 1);  // ties with "ab": the left pair must win
  add(sp + "ab", -2, 1);
  add("abc", -3, 1);
  return v;
}

inline GgufBuilder SpmBuilder(const SpmVocab& v) {
  GgufBuilder b;
  b.Str("general.architecture", "llama")
      .Str("tokenizer.ggml.model", "llama")
      .StrArray("tokenizer.ggml.tokens", v.tokens)
      .F32Array("tokenizer.ggml.scores", v.scores)
      .I32Array("tokenizer.ggml.token_type", v.types);
  return b;
}

// Byte-level BPE over the letters a b c and "Ġ" (space).
inline std::vector<std::string> BpeTokens() {
  return {"a",
          "b",
          "c",
          "\xC4\xA0",
          "ab",
          "bc",
          "abc",
          "\xC4\xA0"
          "a",
          "<|endoftext|>"};
}
inline std::vector<std::string> BpeMerges() { return {"a b", "b c", "ab c", "\xC4\xA0 a"}; }

inline GgufBuilder BpeBuilder(const std::vector<std::string>& merges = BpeMerges(),
                              const std::string& pre = "gpt-2") {
  const auto tokens = BpeTokens();
  std::vector<int32_t> types(tokens.size(), 1);
  types.back() = 3;
  GgufBuilder b;
  b.Str("tokenizer.ggml.model", "gpt2")
      .Str("tokenizer.ggml.pre", pre)
      .StrArray("tokenizer.ggml.tokens", tokens)
      .I32Array("tokenizer.ggml.token_type", types)
      .StrArray("tokenizer.ggml.merges", merges)
      .U32("tokenizer.ggml.eos_token_id", 8)
      .U32("tokenizer.ggml.bos_token_id", 8);
  return b;
}

// Keeps the bytes alive as long as the tokenizer's file.
struct Built {
  std::vector<uint8_t> bytes;
  std::unique_ptr<gguf::File> file;
  std::unique_ptr<Tokenizer> tokenizer;
};

inline Built Build(const GgufBuilder& builder) {
  Built b;
  b.bytes = builder.Build();
  b.file = gguf::File::FromBytes(b.bytes, "test.gguf");
  b.tokenizer = Tokenizer::FromGguf(*b.file);
  return b;
}

}  // namespace densing::testing
