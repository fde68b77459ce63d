// UTF-8 helpers: strict decoding, the lenient reading for BPE, the complete-prefix rule.
#include "tokenizer/utf8.h"

namespace densing::tokenizer {
namespace {

bool IsContinuation(uint8_t b) { return (b & 0xC0) == 0x80; }

// Expected length of a sequence starting with `lead`, or 0 if `lead` can never start one.
size_t ExpectedLen(uint8_t lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

// Whether `second` may follow `lead` (rules out overlongs, surrogates and > U+10FFFF early).
bool SecondByteOk(uint8_t lead, uint8_t second) {
  if (!IsContinuation(second)) return false;
  if (lead == 0xE0) return second >= 0xA0;
  if (lead == 0xED) return second <= 0x9F;
  if (lead == 0xF0) return second >= 0x90;
  if (lead == 0xF4) return second <= 0x8F;
  return true;
}

}  // namespace

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

size_t DecodeUtf8(std::string_view s, size_t pos, uint32_t* cp) {
  const auto lead = static_cast<uint8_t>(s[pos]);
  const size_t len = ExpectedLen(lead);
  if (len == 0 || pos + len > s.size()) return 0;
  if (len == 1) {
    *cp = lead;
    return 1;
  }
  if (!SecondByteOk(lead, static_cast<uint8_t>(s[pos + 1]))) return 0;
  uint32_t value = lead & (0x7F >> len);
  for (size_t i = 1; i < len; ++i) {
    const auto b = static_cast<uint8_t>(s[pos + i]);
    if (!IsContinuation(b)) return 0;
    value = (value << 6) | (b & 0x3F);
  }
  *cp = value;
  return len;
}

bool IsValidUtf8(std::string_view s) {
  uint32_t cp = 0;
  for (size_t pos = 0; pos < s.size();) {
    const size_t n = DecodeUtf8(s, pos, &cp);
    if (n == 0) return false;
    pos += n;
  }
  return true;
}

bool ReadUtf8Leniently(std::string_view s, std::string* regex_text, std::string* bytes) {
  if (IsValidUtf8(s)) return false;
  regex_text->clear();
  bytes->clear();
  regex_text->reserve(s.size() + 16);
  bytes->reserve(s.size() + 16);
  for (size_t pos = 0; pos < s.size();) {
    const auto lead = static_cast<uint8_t>(s[pos]);
    // Length by the lead's high bits: 0xxxxxxx 1, 110xxxxx 2, 1110xxxx 3, 11110xxx 4.
    const size_t len = lead < 0x80 ? 1 : lead < 0xC0 ? 0 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3
                                                     : lead < 0xF8 ? 4 : 0;
    uint32_t cp = len == 1 ? lead : lead & (0x7F >> len);
    bool ok = len > 0 && pos + len <= s.size();
    for (size_t i = 1; ok && i < len; ++i) {
      const auto b = static_cast<uint8_t>(s[pos + i]);
      ok = IsContinuation(b);
      cp = (cp << 6) | (b & 0x3F);
    }
    if (!ok || cp > 0x10FFFF) {
      *regex_text += "\xEF\xBF\xBD";
      *bytes += "\xEF\xBF\xBD";
      ++pos;
      continue;
    }
    const size_t at = bytes->size();
    if (cp >= 0xD800 && cp <= 0xDFFF) {
      AppendUtf8(0xE000 + (cp - 0xD800), regex_text);
      // What AppendUtf8 would write if surrogates were allowed.
      bytes->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      bytes->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      bytes->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      AppendUtf8(cp, regex_text);
      bytes->append(*regex_text, at);
    }
    pos += len;
  }
  return true;
}

size_t CompleteUtf8Prefix(std::string_view s) {
  // Only the last three bytes can belong to an unfinished sequence.
  const size_t lo = s.size() > 3 ? s.size() - 3 : 0;
  for (size_t start = s.size(); start-- > lo;) {
    const auto b = static_cast<uint8_t>(s[start]);
    if (IsContinuation(b)) continue;
    const size_t len = ExpectedLen(b);
    const size_t have = s.size() - start;
    if (len <= have) return s.size();  // complete (or never valid): nothing to wait for
    if (have >= 2 && !SecondByteOk(b, static_cast<uint8_t>(s[start + 1]))) return s.size();
    return start;  // a valid beginning that the next bytes may finish
  }
  return s.size();
}

}  // namespace densing::tokenizer
