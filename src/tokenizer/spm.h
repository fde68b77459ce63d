// SentencePiece-style tokenization (tokenizer.ggml.model = "llama"), as llama.cpp does it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/vocab.h"

namespace densing::tokenizer {

// `text` with every ' ' replaced by U+2581 ("▁"), after a leading space when `add_prefix`.
std::string SpmEscape(std::string_view text, bool add_prefix);

// Tokenizes one escaped fragment: starting from single characters, repeatedly merges the
// adjacent pair whose concatenation is the vocabulary token with the highest score (ties go to
// the leftmost pair); a piece that is no token falls back to byte tokens, or to the unknown
// token when the vocabulary has no token for a byte.
void SpmTokenize(const Vocab& vocab, std::string_view text, std::vector<int32_t>* out);

}  // namespace densing::tokenizer
