// Tokenizer: text <-> token ids for the vocabulary of a GGUF file (SentencePiece-style "llama"
// and byte-level BPE "gpt2"), matching llama.cpp token for token.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace densing {

namespace gguf {
class File;
}
namespace tokenizer {
struct Vocab;
class SpecialTokenSplitter;
class BpeMerges;
class PreTokenizer;
}  // namespace tokenizer

class Tokenizer {
 public:
  // Reads the tokenizer.ggml.* keys (everything is copied: the file may be closed afterwards).
  // A missing or inconsistent key, an unknown model or pre-tokenizer throws Error naming the
  // file and the key.
  static std::unique_ptr<Tokenizer> FromGguf(const gguf::File& file);
  ~Tokenizer();
  Tokenizer(const Tokenizer&) = delete;
  Tokenizer& operator=(const Tokenizer&) = delete;

  // `add_special`: add BOS/EOS where the metadata asks (add_bos()/add_eos()).
  // `parse_special`: control tokens written in the text ("<s>", "<|im_start|>") become their
  // ids; otherwise they are plain text. User-defined tokens are always matched (as llama.cpp
  // and Hugging Face do). Invalid UTF-8 is tokenized as bytes (SPM) or as U+FFFD (BPE).
  std::vector<int32_t> Encode(std::string_view text, bool add_special, bool parse_special) const;

  // The bytes a token stands for; control/unknown tokens give their text only with
  // `render_special`. An id outside the vocabulary throws Error.
  std::string TokenToPiece(int32_t id, bool render_special = true) const;

  // The pieces joined. As in llama.cpp, when the vocabulary adds a prefix space (SPM) one
  // leading space of the first token is dropped, so Decode(Encode(text, false, false)) == text.
  // For streaming generated tokens use StreamDecoder, which drops nothing.
  std::string Decode(std::span<const int32_t> ids, bool render_special = true) const;

  int32_t n_vocab() const;
  int32_t bos() const;  // -1 if none
  int32_t eos() const;
  int32_t eot() const;
  int32_t unk() const;
  bool add_bos() const;
  bool add_eos() const;
  // eos, eot (tokenizer.ggml.eot_token_id), <|im_end|>, <|eot_id|>, <end_of_turn>, ...
  bool IsEndOfGeneration(int32_t id) const;
  // Control tokens and the like (type control or unknown): what render_special hides.
  bool IsControl(int32_t id) const;

  const std::string& TokenText(int32_t id) const;  // the raw vocabulary string
  // tokenizer.ggml.token_type: 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte
  // (tokens that look like end-of-turn markers are reported as control, as llama.cpp does).
  int32_t TokenType(int32_t id) const;
  const std::string& model() const;  // tokenizer.ggml.model: "llama" or "gpt2"
  const std::string& pre() const;    // tokenizer.ggml.pre

 private:
  Tokenizer();
  void CheckId(int32_t id) const;
  void EncodeSpm(std::string_view text, bool parse_special, std::vector<int32_t>* out) const;
  void EncodeBpe(std::string_view text, bool parse_special, std::vector<int32_t>* out) const;

  std::unique_ptr<tokenizer::Vocab> vocab_;
  std::unique_ptr<tokenizer::SpecialTokenSplitter> specials_;
  std::unique_ptr<tokenizer::BpeMerges> merges_;           // BPE only
  std::unique_ptr<tokenizer::PreTokenizer> pretokenizer_;  // BPE only
  bool ignore_merges_ = false;
  std::vector<std::string> pieces_;
};

}  // namespace densing

#include "tokenizer/stream_decoder.h"  // IWYU pragma: export
