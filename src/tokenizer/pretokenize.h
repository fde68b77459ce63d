// Pre-tokenizers of byte-level BPE vocabularies: PCRE2 split patterns chosen by tokenizer.ggml.pre.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace densing::tokenizer {

// What a tokenizer.ggml.pre name means (the same table as llama.cpp's).
struct PreTokenizerSpec {
  std::vector<std::string_view> names;
  // Applied in order; each splits every piece the previous one left into matches and the text
  // between them (Hugging Face's "Isolated" split).
  std::vector<std::string_view> patterns;
  bool ignore_merges = false;  // a word that is itself a token is not merged (Llama 3)
  bool add_bos = false;        // default for tokenizer.ggml.add_bos_token
};

// Throws Error naming the key and the value when `pre` is not a known pre-tokenizer.
const PreTokenizerSpec& FindPreTokenizerSpec(std::string_view pre);

class PreTokenizer {
 public:
  // Compiles the spec's patterns (UTF, UCP, JIT); an invalid pattern throws Error.
  PreTokenizer(std::string name, const PreTokenizerSpec& spec);
  ~PreTokenizer();
  PreTokenizer(const PreTokenizer&) = delete;
  PreTokenizer& operator=(const PreTokenizer&) = delete;

  // Appends the words of `text`, which must be valid UTF-8, as views into it. Thread-safe.
  void Split(std::string_view text, std::vector<std::string_view>* words) const;

 private:
  struct Regex;
  std::string name_;
  std::vector<std::unique_ptr<Regex>> regexes_;
};

}  // namespace densing::tokenizer
