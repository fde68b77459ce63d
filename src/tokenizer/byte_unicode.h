// GPT-2's reversible byte <-> printable-code-point mapping used by byte-level BPE vocabularies.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace densing::tokenizer {

// The UTF-8 text of the code point that stands for byte `b` (e.g. ' ' -> "Ġ", '\n' -> "Ċ").
std::string_view ByteToUnicode(uint8_t b);

// Maps every byte of `bytes` through ByteToUnicode.
std::string BytesToUnicode(std::string_view bytes);

// The inverse: code points of the mapping become their bytes; any other code point (or invalid
// UTF-8) is copied through unchanged.
std::string UnicodeToBytes(std::string_view text);

}  // namespace densing::tokenizer
