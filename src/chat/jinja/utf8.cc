// UTF-8 decoding and the small part of Unicode case/space tables that chat templates meet.
#include "chat/jinja/utf8.h"

namespace densing::jinja::utf8 {

char32_t Decode(std::string_view s, size_t i, size_t* len) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  *len = 1;
  if (b0 < 0x80) return b0;
  int n = 0;
  char32_t cp = 0;
  if ((b0 & 0xE0) == 0xC0) {
    n = 1, cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    n = 2, cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    n = 3, cp = b0 & 0x07;
  } else {
    return 0xDC00 + b0;
  }
  for (int k = 1; k <= n; ++k) {
    if (i + k >= s.size()) return 0xDC00 + b0;
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0xDC00 + b0;
    cp = (cp << 6) | (b & 0x3F);
  }
  static constexpr char32_t kMin[] = {0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0xDC00 + b0;
  *len = n + 1;
  return cp;
}

void Append(std::string& out, char32_t cp) {
  if (cp >= 0xDC80 && cp <= 0xDCFF) {  // an escaped invalid byte
    out.push_back(static_cast<char>(cp - 0xDC00));
  } else if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::vector<size_t> Offsets(std::string_view s) {
  std::vector<size_t> offsets;
  offsets.reserve(s.size() + 1);
  size_t len = 0;
  for (size_t i = 0; i < s.size(); i += len) {
    offsets.push_back(i);
    Decode(s, i, &len);
  }
  offsets.push_back(s.size());
  return offsets;
}

size_t Length(std::string_view s) {
  size_t n = 0, len = 0;
  for (size_t i = 0; i < s.size(); i += len, ++n) Decode(s, i, &len);
  return n;
}

bool IsSpace(char32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85 || cp == 0xA0 ||
         cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
         cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

char32_t ToUpper(char32_t cp) {
  if (cp >= 'a' && cp <= 'z') return cp - 32;
  if (cp < 0xB5) return cp;
  if (cp == 0xB5) return 0x39C;
  if (cp >= 0xE0 && cp <= 0xFE && cp != 0xF7) return cp - 32;
  if (cp == 0xFF) return 0x178;
  if (cp >= 0x100 && cp <= 0x17F) {
    if (cp == 0x131) return 'I';
    if (cp == 0x17F) return 'S';
    const bool odd_lower = cp < 0x138 || (cp >= 0x14A && cp < 0x178);
    if (cp == 0x138 || cp == 0x149 || cp == 0x178) return cp;
    if (odd_lower) return (cp & 1) ? cp - 1 : cp;
    return (cp & 1) ? cp : cp - 1;  // 0x139..0x148 and 0x179..0x17E: even code points are lower
  }
  if (cp >= 0x3B1 && cp <= 0x3C9 && cp != 0x3C2) return cp - 32;
  if (cp == 0x3C2) return 0x3A3;
  if (cp >= 0x430 && cp <= 0x44F) return cp - 32;
  if (cp >= 0x450 && cp <= 0x45F) return cp - 80;
  return cp;
}

char32_t ToLower(char32_t cp) {
  if (cp >= 'A' && cp <= 'Z') return cp + 32;
  if (cp < 0xC0) return cp;
  if (cp <= 0xDE && cp != 0xD7) return cp + 32;
  if (cp == 0x178) return 0xFF;
  if (cp >= 0x100 && cp <= 0x17F) {
    if (cp == 0x130) return 'i';
    if (cp == 0x138 || cp == 0x149 || cp == 0x17F) return cp;
    const bool odd_lower = cp < 0x138 || (cp >= 0x14A && cp < 0x178);
    if (odd_lower) return (cp & 1) ? cp : cp + 1;
    return (cp & 1) ? cp + 1 : cp;
  }
  if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2) return cp + 32;
  if (cp >= 0x410 && cp <= 0x42F) return cp + 32;
  if (cp >= 0x400 && cp <= 0x40F) return cp + 80;
  return cp;
}

bool IsCased(char32_t cp) { return ToUpper(cp) != cp || ToLower(cp) != cp; }

bool IsAlpha(char32_t cp) {
  if (cp < 0x80) return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
  return IsCased(cp) || cp == 0xDF || (cp >= 0x4E00 && cp <= 0x9FFF);
}

bool IsDigit(char32_t cp) { return cp >= '0' && cp <= '9'; }

namespace {

template <typename Fn>
std::string MapCodePoints(std::string_view s, Fn fn) {
  std::string out;
  out.reserve(s.size());
  size_t len = 0;
  for (size_t i = 0; i < s.size(); i += len) Append(out, fn(Decode(s, i, &len)));
  return out;
}

}  // namespace

// Python maps "ß" to "SS" in upper case and to "Ss" in title case; the rest map one to one.
std::string Upper(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t len = 0;
  for (size_t i = 0; i < s.size(); i += len) {
    const char32_t cp = Decode(s, i, &len);
    if (cp == 0xDF) {
      out += "SS";
    } else {
      Append(out, ToUpper(cp));
    }
  }
  return out;
}

std::string Lower(std::string_view s) { return MapCodePoints(s, ToLower); }

namespace {

// Upper-cases word starts and lower-cases the rest; a word starts where is_start says.
template <typename IsStart>
std::string TitleCase(std::string_view s, IsStart is_start) {
  std::string out;
  out.reserve(s.size());
  size_t len = 0;
  for (size_t i = 0; i < s.size(); i += len) {
    const char32_t cp = Decode(s, i, &len);
    if (!is_start(cp)) {
      Append(out, ToLower(cp));
    } else if (cp == 0xDF) {
      out += "Ss";
    } else {
      Append(out, ToUpper(cp));
    }
  }
  return out;
}

}  // namespace

std::string Title(std::string_view s) {
  bool previous_cased = false;
  return TitleCase(s, [&](char32_t cp) {
    const bool start = !previous_cased;
    previous_cased = IsCased(cp);
    return start;
  });
}

std::string Capitalize(std::string_view s) {
  bool first = true;
  return TitleCase(s, [&](char32_t) {
    const bool start = first;
    first = false;
    return start;
  });
}

std::string_view Strip(std::string_view s, bool left, bool right, const std::string* chars) {
  auto strippable = [&](char32_t cp) {
    if (chars == nullptr) return IsSpace(cp);
    size_t len = 0;
    for (size_t i = 0; i < chars->size(); i += len) {
      if (Decode(*chars, i, &len) == cp) return true;
    }
    return false;
  };
  const std::vector<size_t> offsets = Offsets(s);
  size_t begin = 0, end = offsets.size() - 1;  // code point indices
  size_t len = 0;
  if (left) {
    while (begin < end && strippable(Decode(s, offsets[begin], &len))) ++begin;
  }
  if (right) {
    while (end > begin && strippable(Decode(s, offsets[end - 1], &len))) --end;
  }
  return s.substr(offsets[begin], offsets[end] - offsets[begin]);
}

}  // namespace densing::jinja::utf8
