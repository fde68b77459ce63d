// Byte-level BPE (tokenizer.ggml.model = "gpt2"): merge ranks and the merging of one word.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tokenizer/vocab.h"

namespace densing::gguf {
class File;
}

namespace densing::tokenizer {

class BpeMerges {
 public:
  // Reads tokenizer.ggml.merges ("left right" per line, rank = index); a line without a space
  // separating two parts throws Error naming the key and the index.
  static BpeMerges Load(const gguf::File& file, const Vocab& vocab);

  // Appends the tokens of `word`, already mapped through the GPT-2 byte table. Pieces are merged
  // lowest rank first (ties: leftmost); with `ignore_merges` a word that is a token is taken
  // whole. A final piece that is no token is written as its single-byte tokens, where they exist.
  void TokenizeWord(const Vocab& vocab, std::string_view word, bool ignore_merges,
                    std::vector<int32_t>* out) const;

  size_t size() const { return ranks_.size(); }

 private:
  struct Merge {
    int32_t rank;
    int32_t result;  // piece id of left+right
  };
  static uint64_t Key(int32_t left, int32_t right) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) |
           static_cast<uint32_t>(right);
  }
  // Piece ids: a token's id for token texts, ids past the vocabulary for other merge parts.
  int32_t PieceId(const Vocab& vocab, std::string_view text) const;
  int32_t Intern(const Vocab& vocab, std::string_view text);

  StringIdMap extra_pieces_;
  std::unordered_map<uint64_t, Merge> ranks_;
};

}  // namespace densing::tokenizer
