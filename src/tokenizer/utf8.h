// UTF-8 helpers the tokenizers share: sequence lengths, validation, code point encoding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace densing::tokenizer {

// Length of the sequence that `lead` starts, judged by its top four bits only (llama.cpp's rule,
// which the SentencePiece tokenizer needs to split text into characters). A continuation byte
// counts as 1.
inline size_t Utf8SeqLen(uint8_t lead) {
  static constexpr uint8_t kLen[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
  return kLen[lead >> 4];
}

// Appends the UTF-8 encoding of `cp` (which must be at most U+10FFFF).
void AppendUtf8(uint32_t cp, std::string* out);

// Decodes the well-formed sequence at `s[pos]`: returns its length and sets `*cp`, or returns 0
// when the bytes there are not valid UTF-8 (truncated, overlong, surrogate, above U+10FFFF).
size_t DecodeUtf8(std::string_view s, size_t pos, uint32_t* cp);

// True when `s` is entirely well-formed UTF-8.
bool IsValidUtf8(std::string_view s);

// How llama.cpp reads text for byte-level BPE: the lead byte's high bits give the length and
// only the continuation bytes are checked, so overlong forms decode to their code point and
// surrogates are kept; any other byte (and a code point above U+10FFFF, on which llama.cpp
// throws) reads as U+FFFD. Returns false, leaving both outputs alone, when `s` is well-formed.
// Otherwise `regex_text` is well-formed UTF-8 for the split patterns (overlong forms re-encoded,
// each surrogate replaced by a private-use character, which is also \p{C} and 3 bytes long) and
// `bytes` is the text the words stand for, of the same length and with the same offsets.
bool ReadUtf8Leniently(std::string_view s, std::string* regex_text, std::string* bytes);

// Length of the longest prefix of `s` that does not end inside a sequence that later bytes could
// still complete. Bytes that can never become valid are not held back.
size_t CompleteUtf8Prefix(std::string_view s);

}  // namespace densing::tokenizer
