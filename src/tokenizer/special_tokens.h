// Cutting text at special tokens written in it, before the text itself is tokenized.
#pragma once

#include <bitset>
#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tokenizer/vocab.h"

namespace densing::tokenizer {

// A piece of the input: raw text to tokenize, or a special token found in it.
struct Fragment {
  std::string_view text;  // the raw text, or the special token's text
  int32_t token = -1;     // >= 0 when this is a special token
};

class SpecialTokenSplitter {
 public:
  explicit SpecialTokenSplitter(const Vocab& vocab);

  // llama.cpp's partition: user-defined tokens are always cut out (as Hugging Face does);
  // control and unknown tokens only with `parse_special`. Longer tokens are cut first; a token
  // with kLstrip/kRstrip swallows the white space beside it. Views point into `text`.
  std::vector<Fragment> Split(const Vocab& vocab, std::string_view text, bool parse_special) const;

 private:
  // Marks the candidates that occur somewhere in `text`, in one pass over it.
  std::vector<bool> FindPresent(const Vocab& vocab, std::string_view text,
                                bool parse_special) const;

  std::vector<int32_t> candidates_;  // control, user-defined and unknown tokens, longest first
  bool any_user_defined_ = false;
  std::bitset<256> first_bytes_;
  // Candidate indices by first two bytes (b0 << 8 | b1), one-byte tokens by 0x10000 | b0.
  std::unordered_map<uint32_t, std::vector<uint32_t>> by_prefix_;
};

}  // namespace densing::tokenizer
