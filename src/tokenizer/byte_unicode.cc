// GPT-2 byte mapping: printable Latin-1 bytes map to themselves, the other 68 bytes to U+0100...
#include "tokenizer/byte_unicode.h"

#include <array>

#include "tokenizer/utf8.h"

namespace densing::tokenizer {
namespace {

struct Tables {
  std::array<std::string, 256> byte_to_text;
  std::array<int16_t, 324> cp_to_byte;  // code points below 0x144 (256 + 68); -1 = none

  Tables() {
    cp_to_byte.fill(-1);
    uint32_t next_extra = 256;
    for (uint32_t b = 0; b < 256; ++b) {
      const bool printable =
          (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      const uint32_t cp = printable ? b : next_extra++;
      AppendUtf8(cp, &byte_to_text[b]);
      cp_to_byte[cp] = static_cast<int16_t>(b);
    }
  }
};

const Tables& GetTables() {
  static const Tables tables;
  return tables;
}

}  // namespace

std::string_view ByteToUnicode(uint8_t b) { return GetTables().byte_to_text[b]; }

std::string BytesToUnicode(std::string_view bytes) {
  const Tables& t = GetTables();
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) out += t.byte_to_text[static_cast<uint8_t>(c)];
  return out;
}

std::string UnicodeToBytes(std::string_view text) {
  const Tables& t = GetTables();
  std::string out;
  out.reserve(text.size());
  uint32_t cp = 0;
  for (size_t pos = 0; pos < text.size();) {
    const size_t n = DecodeUtf8(text, pos, &cp);
    if (n == 0) {
      out.push_back(text[pos++]);
      continue;
    }
    if (cp < t.cp_to_byte.size() && t.cp_to_byte[cp] >= 0) {
      out.push_back(static_cast<char>(t.cp_to_byte[cp]));
    } else {
      out.append(text.substr(pos, n));
    }
    pos += n;
  }
  return out;
}

}  // namespace densing::tokenizer
