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

// `s` with every byte that does not start a well-formed sequence replaced by U+FFFD.
std::string SanitizeUtf8(std::string_view s);

// Length of the longest prefix of `s` that does not end inside a sequence that later bytes could
// still complete. Bytes that can never become valid are not held back.
size_t CompleteUtf8Prefix(std::string_view s);

}  // namespace densing::tokenizer
