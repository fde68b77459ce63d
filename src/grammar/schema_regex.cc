// A JSON Schema pattern (an ECMA-262 regex subset) as GBNF over the JSON-escaped string content.
// Where a regex allows characters that JSON must escape, only the common escapes are kept:
// the grammar may allow less than the regex, never more.
#include <fmt/format.h>

#include <utility>
#include <vector>

#include "base/error.h"
#include "grammar/json_schema.h"

namespace densing::grammar {
namespace {

using Ranges = std::vector<std::pair<uint32_t, uint32_t>>;

std::string ClassItem(uint32_t cp) {
  return cp <= 0xFFFF ? fmt::format("\\u{:04X}", cp) : fmt::format("\\U{:08X}", cp);
}

// A character as it appears inside a JSON string, as a GBNF literal.
std::string JsonChar(uint32_t cp) {
  switch (cp) {
    case '"':
      return R"("\\\"")";
    case '\\':
      return R"("\\\\")";
    case '\n':
      return R"("\\n")";
    case '\t':
      return R"("\\t")";
    case '\r':
      return R"("\\r")";
    default:
      break;
  }
  if (cp < 0x20) return fmt::format("\"\\\\u{:04x}\"", cp);
  return "[" + ClassItem(cp) + "]";
}

// Characters JSON writes as themselves: the ranges minus '"', '\\' and control characters,
// plus alternatives for the escapes of \n \t \r " \ where the ranges hold them.
std::string PositiveClass(const Ranges& ranges) {
  std::string cls;
  std::vector<std::string> alts;
  for (auto [lo, hi] : ranges) {
    for (uint32_t special :
         {uint32_t{'\t'}, uint32_t{'\n'}, uint32_t{'\r'}, uint32_t{'"'}, uint32_t{'\\'}}) {
      if (lo <= special && special <= hi) alts.push_back(JsonChar(special));
    }
    // Split around 0x00-0x1F, '"' (0x22), '\\' (0x5C), 0x7F.
    const std::pair<uint32_t, uint32_t> keep[] = {
        {0x20, 0x21}, {0x23, 0x5B}, {0x5D, 0x7E}, {0x80, 0x10FFFF}};
    for (auto [a, b] : keep) {
      const uint32_t l = std::max(lo, a), h = std::min(hi, b);
      if (l > h) continue;
      cls += ClassItem(l);
      if (h > l) cls += "-" + ClassItem(h);
    }
  }
  if (!cls.empty()) alts.insert(alts.begin(), "[" + cls + "]");
  std::sort(alts.begin() + (cls.empty() ? 0 : 1), alts.end());
  alts.erase(std::unique(alts.begin(), alts.end()), alts.end());
  if (alts.empty()) return {};
  if (alts.size() == 1) return alts[0];
  std::string out = "(";
  for (size_t i = 0; i < alts.size(); ++i) out += (i ? " | " : "") + alts[i];
  return out + ")";
}

std::string NegatedClass(const Ranges& ranges) {
  std::string cls = "[^\"\\\\\\x00-\\x1F\\x7F";
  for (auto [lo, hi] : ranges) cls += ClassItem(lo) + (hi > lo ? "-" + ClassItem(hi) : "");
  return cls + "]";
}

const Ranges kDigit = {{'0', '9'}};
const Ranges kWord = {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}};
const Ranges kSpace = {{'\t', '\r'}, {' ', ' '}};

class RegexParser {
 public:
  RegexParser(std::string_view p, const std::string& where) : where_(where) {
    for (size_t i = 0; i < p.size();) {  // UTF-8 to code points
      const auto b = static_cast<unsigned char>(p[i]);
      const int n = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
      if (n == 0 || i + static_cast<size_t>(n) > p.size()) Unsupported("invalid UTF-8");
      uint32_t cp = n == 1 ? b : b & (0x7F >> n);
      for (int k = 1; k < n; ++k)
        cp = (cp << 6) | (static_cast<unsigned char>(p[i + static_cast<size_t>(k)]) & 0x3F);
      cps_.push_back(cp);
      i += static_cast<size_t>(n);
    }
  }

  std::string Run() {
    bool anchored_start = false, anchored_end = false;
    if (!cps_.empty() && cps_.front() == '^') {
      anchored_start = true;
      pos_ = 1;
    }
    if (cps_.size() > pos_ && cps_.back() == '$' &&
        (cps_.size() < 2 || cps_[cps_.size() - 2] != '\\')) {
      anchored_end = true;
      cps_.pop_back();
    }
    std::string body = Alternatives();
    if (pos_ < cps_.size())
      Unsupported(fmt::format("an unmatched '{}'", static_cast<char>(cps_[pos_])));
    // JSON Schema patterns search anywhere in the string unless anchored.
    const std::string any = "[^\"\\\\\\x00-\\x1F\\x7F]*";
    return (anchored_start ? "" : any + " ") + "(" + body + ")" + (anchored_end ? "" : " " + any);
  }

 private:
  [[noreturn]] void Unsupported(const std::string& what) const {
    Fail("json schema at {}: pattern: {} is not supported", where_, what);
  }
  static constexpr int kMaxGroupDepth = 64;

  bool More() const { return pos_ < cps_.size(); }
  uint32_t Peek() const { return More() ? cps_[pos_] : 0; }

  std::string Alternatives() {
    std::string out = Sequence();
    while (More() && Peek() == '|') {
      ++pos_;
      out += " | " + Sequence();
    }
    return out;
  }

  std::string Sequence() {
    std::string out;
    while (More() && Peek() != '|' && Peek() != ')') {
      std::string atom = Atom();
      atom = Quantified(atom);
      out += (out.empty() ? "" : " ") + atom;
    }
    return out.empty() ? "\"\"" : out;
  }

  std::string Quantified(const std::string& atom) {
    if (!More()) return atom;
    std::string q;
    const uint32_t c = Peek();
    if (c == '*' || c == '+' || c == '?') {
      q = static_cast<char>(c);
      ++pos_;
    } else if (c == '{') {
      size_t end = pos_;
      while (end < cps_.size() && cps_[end] != '}') ++end;
      if (end == cps_.size()) Unsupported("a '{' with no '}'");
      for (size_t i = pos_; i <= end; ++i) {
        const uint32_t d = cps_[i];
        if (!((d >= '0' && d <= '9') || d == ',' || d == '{' || d == '}'))
          Unsupported("a malformed {m,n}");
        q += static_cast<char>(d);
      }
      if (q == "{}" || q == "{,}" || q[1] == ',') Unsupported("the quantifier " + q);
      pos_ = end + 1;
    } else {
      return atom;
    }
    if (More() && Peek() == '?') ++pos_;  // lazy: the same strings
    if (More() && (Peek() == '*' || Peek() == '+' || Peek() == '?' || Peek() == '{')) {
      Unsupported("a quantifier on a quantifier");
    }
    return "(" + atom + ")" + q;
  }

  std::string Atom() {
    const uint32_t c = cps_[pos_++];
    switch (c) {
      case '(': {
        // Each group is a level of recursion here and in the grammar parser: bounded.
        if (++depth_ > kMaxGroupDepth)
          Unsupported(fmt::format("groups nested deeper than {}", kMaxGroupDepth));
        if (Peek() == '?') {
          ++pos_;
          if (Peek() == ':') {
            ++pos_;
          } else if (Peek() == '<' && pos_ + 1 < cps_.size() && cps_[pos_ + 1] != '=' &&
                     cps_[pos_ + 1] != '!') {
            while (More() && Peek() != '>') ++pos_;  // a named group: the name does not matter
            ++pos_;
          } else {
            Unsupported("lookaround (?=, (?!, (?<=, (?<!) or a group flag");
          }
        }
        std::string inner = Alternatives();
        if (Peek() != ')') Unsupported("an unclosed '('");
        ++pos_;
        --depth_;
        return "(" + inner + ")";
      }
      case '[':
        return Class();
      case '.':
        return "[^\"\\\\\\x00-\\x1F\\x7F]";
      case '\\':
        return Escape();
      case '^':
      case '$':
        Unsupported("an anchor inside the pattern");
      case '*':
      case '+':
      case '?':
      case '{':
        Unsupported("a quantifier with nothing before it");
      default:
        return JsonChar(c);
    }
  }

  // After a backslash outside a class.
  std::string Escape() {
    if (!More()) Unsupported("a trailing backslash");
    const uint32_t c = cps_[pos_];
    Ranges r;
    bool negated = false;
    if (ShorthandClass(c, &r, &negated)) {
      ++pos_;
      return negated ? NegatedClass(r) : PositiveClass(r);
    }
    return JsonChar(EscapedChar());
  }

  static bool ShorthandClass(uint32_t c, Ranges* r, bool* negated) {
    switch (c) {
      case 'd':
        *r = kDigit;
        return true;
      case 'w':
        *r = kWord;
        return true;
      case 's':
        *r = kSpace;
        return true;
      case 'D':
        *r = kDigit, *negated = true;
        return true;
      case 'W':
        *r = kWord, *negated = true;
        return true;
      case 'S':
        *r = kSpace, *negated = true;
        return true;
      default:
        return false;
    }
  }

  // The character a backslash escape stands for (pos_ at the letter after the backslash).
  uint32_t EscapedChar() {
    const uint32_t c = cps_[pos_++];
    switch (c) {
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case 'r':
        return '\r';
      case 'f':
        return '\f';
      case 'v':
        return '\v';
      case '0':
        return 0;
      case 'b':
      case 'B':
        Unsupported("the word boundary \\b");
      case 'p':
      case 'P':
        Unsupported("Unicode property classes (\\p)");
      case 'x':
      case 'u': {
        const int n = c == 'x' ? 2 : 4;
        uint32_t v = 0;
        for (int i = 0; i < n; ++i) {
          const uint32_t h = Peek();
          const int d = h >= '0' && h <= '9'   ? static_cast<int>(h - '0')
                        : h >= 'a' && h <= 'f' ? static_cast<int>(h - 'a' + 10)
                        : h >= 'A' && h <= 'F' ? static_cast<int>(h - 'A' + 10)
                                               : -1;
          if (d < 0)
            Unsupported(
                fmt::format("a \\{} escape without {} hex digits", static_cast<char>(c), n));
          v = v * 16 + static_cast<uint32_t>(d);
          ++pos_;
        }
        return v;
      }
      default:
        if (c >= '1' && c <= '9') Unsupported("a backreference");
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
          Unsupported(fmt::format("the escape \\{}", static_cast<char>(c)));
        }
        return c;  // \. \\ \/ \( ...
    }
  }

  std::string Class() {  // after '['
    bool negated = false;
    if (Peek() == '^') {
      negated = true;
      ++pos_;
    }
    Ranges ranges;
    bool first = true;
    while (More() && (Peek() != ']' || first)) {
      first = false;
      uint32_t lo = cps_[pos_++];
      if (lo == '\\') {
        if (!More()) Unsupported("a trailing backslash");
        Ranges r;
        bool neg = false;
        if (ShorthandClass(Peek(), &r, &neg)) {
          if (neg) Unsupported("\\D, \\W or \\S inside a class");
          ++pos_;
          ranges.insert(ranges.end(), r.begin(), r.end());
          continue;
        }
        lo = EscapedChar();
      }
      uint32_t hi = lo;
      if (Peek() == '-' && pos_ + 1 < cps_.size() && cps_[pos_ + 1] != ']') {
        ++pos_;
        hi = cps_[pos_++];
        if (hi == '\\') {
          if (!More()) Unsupported("a trailing backslash");
          hi = EscapedChar();
        }
        if (hi < lo) Unsupported("a range that ends before it starts");
      }
      ranges.push_back({lo, hi});
    }
    if (!More()) Unsupported("an unclosed '['");
    ++pos_;
    if (negated) return NegatedClass(ranges);
    std::string out = PositiveClass(ranges);
    if (out.empty()) Unsupported("a class with no character JSON can hold");
    return out;
  }

  std::vector<uint32_t> cps_;
  size_t pos_ = 0;
  int depth_ = 0;  // groups open at pos_
  const std::string& where_;
};

}  // namespace

std::string RegexToGbnf(std::string_view pattern, const std::string& where) {
  return RegexParser(pattern, where).Run();
}

}  // namespace densing::grammar
