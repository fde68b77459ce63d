// Tokenizer::Encode: special-token partition, then SPM or BPE on each text fragment.
#include "base/error.h"
#include "tokenizer/bpe.h"
#include "tokenizer/byte_unicode.h"
#include "tokenizer/pretokenize.h"
#include "tokenizer/special_tokens.h"
#include "tokenizer/spm.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/utf8.h"
#include "tokenizer/vocab.h"

namespace densing {

std::vector<int32_t> Tokenizer::Encode(std::string_view text, bool add_special,
                                       bool parse_special) const {
  std::vector<int32_t> out;
  out.reserve(text.size() / 3 + 2);
  if (add_special && vocab_->add_bos) {
    if (vocab_->bos < 0) Fail("tokenizer: tokenizer.ggml.add_bos_token is set but no BOS token");
    out.push_back(vocab_->bos);
  }
  if (vocab_->kind == tokenizer::ModelKind::kSpm) {
    EncodeSpm(text, parse_special, &out);
  } else {
    EncodeBpe(text, parse_special, &out);
  }
  if (add_special && vocab_->add_eos) {
    if (vocab_->eos < 0) Fail("tokenizer: tokenizer.ggml.add_eos_token is set but no EOS token");
    out.push_back(vocab_->eos);
  }
  return out;
}

void Tokenizer::EncodeSpm(std::string_view text, bool parse_special,
                          std::vector<int32_t>* out) const {
  // llama.cpp: a text fragment at the start or right after a special token gets the prefix space.
  bool after_special = true;
  for (const tokenizer::Fragment& f : specials_->Split(*vocab_, text, parse_special)) {
    if (f.token >= 0) {
      out->push_back(f.token);
      after_special = true;
      continue;
    }
    const std::string escaped =
        tokenizer::SpmEscape(f.text, vocab_->add_space_prefix && after_special);
    tokenizer::SpmTokenize(*vocab_, escaped, out);
    after_special = false;
  }
}

void Tokenizer::EncodeBpe(std::string_view text, bool parse_special,
                          std::vector<int32_t>* out) const {
  std::vector<std::string_view> words;
  std::string mapped, regex_text, bytes;
  for (const tokenizer::Fragment& f : specials_->Split(*vocab_, text, parse_special)) {
    if (f.token >= 0) {
      out->push_back(f.token);
      continue;
    }
    // PCRE2 needs well-formed UTF-8; ill-formed text is read as llama.cpp reads it.
    const bool rewritten = tokenizer::ReadUtf8Leniently(f.text, &regex_text, &bytes);
    const std::string_view split_text = rewritten ? std::string_view(regex_text) : f.text;
    words.clear();
    pretokenizer_->Split(split_text, &words);
    for (std::string_view word : words) {
      if (rewritten) {
        word = std::string_view(bytes).substr(word.data() - split_text.data(), word.size());
      }
      mapped.clear();
      for (char c : word) mapped += tokenizer::ByteToUnicode(static_cast<uint8_t>(c));
      merges_->TokenizeWord(*vocab_, mapped, ignore_merges_, out);
    }
  }
}

}  // namespace densing
