// LoadVocab: reads tokenizer.ggml.{model,pre,tokens,scores,token_type,add_*} and checks them.
#include "tokenizer/vocab.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "base/error.h"
#include "gguf/gguf_file.h"
#include "tokenizer/pretokenize.h"

namespace densing::tokenizer {
namespace {

constexpr const char* kModelKey = "tokenizer.ggml.model";
constexpr const char* kTokensKey = "tokenizer.ggml.tokens";
constexpr const char* kScoresKey = "tokenizer.ggml.scores";
constexpr const char* kTypesKey = "tokenizer.ggml.token_type";

void ReadTokens(const gguf::File& file, Vocab* v) {
  v->texts = file.GetStringArray(kTokensKey);
  const size_t n = v->texts.size();
  if (n == 0) Fail("{}: the vocabulary is empty", kTokensKey);
  if (n >= static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    Fail("{}: {} tokens is more than densing supports", kTokensKey, n);
  }
  v->text_to_id.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    // llama.cpp's rule: an empty text would be unreachable and ambiguous, so it gets a name.
    if (v->texts[i].empty()) v->texts[i] = fmt::format("[EMPTY_{}]", i);
    v->text_to_id.insert_or_assign(v->texts[i], static_cast<int32_t>(i));
  }

  v->scores.assign(n, 0.0f);
  if (file.Has(kScoresKey)) {
    v->scores = file.GetFloatArray(kScoresKey);
    if (v->scores.size() != n) {
      Fail("{}: {} scores for {} tokens", kScoresKey, v->scores.size(), n);
    }
    for (size_t i = 0; i < n; ++i) {
      if (std::isnan(v->scores[i])) Fail("{}[{}]: score is NaN", kScoresKey, i);
    }
  }

  v->types.assign(n, TokenType::kNormal);
  if (file.Has(kTypesKey)) {
    const std::vector<int64_t> types = file.GetIntArray(kTypesKey);
    if (types.size() != n) Fail("{}: {} types for {} tokens", kTypesKey, types.size(), n);
    for (size_t i = 0; i < n; ++i) {
      if (types[i] < 0 || types[i] > static_cast<int64_t>(TokenType::kByte)) {
        Fail("{}[{}]: unknown token type {} (expected 0..6)", kTypesKey, i, types[i]);
      }
      v->types[i] = static_cast<TokenType>(types[i]);
    }
  }
  v->strip.assign(n, 0);
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// SentencePiece byte tokens are spelled <0xNN>; byte fallback needs every one of them usable.
void IndexByteTokens(Vocab* v) {
  for (int32_t id = 0; id < v->size(); ++id) {
    if (v->types[id] != TokenType::kByte) continue;
    const std::string& t = v->texts[id];
    if (t.size() != 6 || t.compare(0, 3, "<0x") != 0 || t[5] != '>' || HexDigit(t[3]) < 0 ||
        HexDigit(t[4]) < 0) {
      Fail("{}[{}]: byte token '{}' is not of the form <0xNN>", kTokensKey, id, t);
    }
  }
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (int b = 0; b < 256; ++b) {
    const char name[] = {'<', '0', 'x', kHex[b >> 4], kHex[b & 15], '>'};
    int32_t id = v->Find(std::string_view(name, sizeof(name)));
    if (id < 0) {
      const char raw = static_cast<char>(b);
      id = v->Find(std::string_view(&raw, 1));
    }
    v->byte_tokens[b] = id;
  }
}

}  // namespace

Vocab LoadVocab(const gguf::File& file) {
  Vocab v;
  v.model = file.GetString(kModelKey);
  v.pre = file.GetStringOr("tokenizer.ggml.pre", "default");
  if (v.pre.empty()) v.pre = "default";
  if (v.model == "llama") {
    v.kind = ModelKind::kSpm;
    v.add_bos = true;
    v.add_space_prefix = true;
  } else if (v.model == "gpt2") {
    v.kind = ModelKind::kBpe;
    v.add_bos = FindPreTokenizerSpec(v.pre).add_bos;
  } else {
    Fail("{}: unsupported tokenizer '{}' (densing reads 'llama' and 'gpt2')", kModelKey, v.model);
  }
  v.add_space_prefix = file.GetBoolOr("tokenizer.ggml.add_space_prefix", v.add_space_prefix);
  v.add_bos = file.GetBoolOr("tokenizer.ggml.add_bos_token", v.add_bos);
  v.add_eos = file.GetBoolOr("tokenizer.ggml.add_eos_token", v.add_eos);

  ReadTokens(file, &v);
  v.byte_tokens.fill(-1);
  if (v.kind == ModelKind::kSpm) IndexByteTokens(&v);
  LoadSpecialTokens(file, &v);
  return v;
}

}  // namespace densing::tokenizer
