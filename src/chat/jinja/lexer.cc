// The lexer follows Jinja2's rules (its regular expressions, rewritten as hand-written scanning).
#include "chat/jinja/lexer.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "base/error.h"
#include "chat/jinja/utf8.h"

namespace densing::jinja {

namespace {

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}
bool IsDigitChar(char c) { return c >= '0' && c <= '9'; }
bool IsNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || IsDigitChar(c); }

// Only "\n" ends a line inside the lexer; a single trailing newline is dropped, as Jinja does
// without keep_trailing_newline.
std::string Normalize(std::string_view source) {
  std::string out;
  out.reserve(source.size());
  for (size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\r') {
      out += '\n';
      if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
    } else {
      out += source[i];
    }
  }
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

class Lexer {
 public:
  Lexer(std::string_view source, const LexOptions& options)
      : src_(Normalize(source)), options_(options) {
    line_starts_.push_back(0);
    for (size_t i = 0; i < src_.size(); ++i) {
      if (src_[i] == '\n') line_starts_.push_back(i + 1);
    }
  }

  std::vector<Token> Run() {
    while (pos_ < src_.size()) {
      const size_t tag = FindTagStart(pos_);
      if (tag == std::string::npos) {
        Push(TokenKind::kText, src_.substr(pos_), pos_);
        break;
      }
      const char kind = src_[tag + 1];
      size_t after = tag + 2;
      char sign = 0;
      if (after < src_.size() && (src_[after] == '-' || src_[after] == '+')) sign = src_[after++];
      size_t raw_body = 0;
      const bool raw = kind == '%' && MatchRawBegin(after, &raw_body);
      std::string text = src_.substr(pos_, tag - pos_);
      StripBeforeTag(text, sign, kind != '{');
      Push(TokenKind::kText, std::move(text), pos_);
      if (raw) {
        LexRaw(tag, raw_body);
      } else if (kind == '#') {
        LexComment(tag, after);
      } else {
        LexTag(kind == '%', tag, after);
      }
      line_starting_ = pos_ > 0 && src_[pos_ - 1] == '\n';
    }
    tokens_.push_back(Token{TokenKind::kEnd, "", 0, 0, LineAt(src_.size())});
    return std::move(tokens_);
  }

 private:
  int LineAt(size_t pos) const {
    return static_cast<int>(std::upper_bound(line_starts_.begin(), line_starts_.end(), pos) -
                            line_starts_.begin());
  }

  void Push(TokenKind kind, std::string text, size_t pos) {
    if (kind == TokenKind::kText && text.empty()) return;
    tokens_.push_back(Token{kind, std::move(text), 0, 0, LineAt(pos)});
  }

  size_t FindTagStart(size_t from) const {
    for (size_t i = src_.find('{', from); i != std::string::npos; i = src_.find('{', i + 1)) {
      if (i + 1 < src_.size() && (src_[i + 1] == '{' || src_[i + 1] == '%' || src_[i + 1] == '#')) {
        return i;
      }
    }
    return std::string::npos;
  }

  bool StartsWith(size_t pos, std::string_view s) const {
    return src_.compare(pos, s.size(), s) == 0;
  }

  size_t SkipSpace(size_t pos) const {
    while (pos < src_.size() && IsAsciiSpace(src_[pos])) ++pos;
    return pos;
  }

  // "-" strips all whitespace before a tag; lstrip_blocks strips a line's indentation before a
  // block or comment tag; "+" keeps everything.
  void StripBeforeTag(std::string& text, char sign, bool block_or_comment) const {
    if (sign == '-') {
      text.resize(utf8::Strip(text, false, true, nullptr).size());
    } else if (sign != '+' && options_.lstrip_blocks && block_or_comment) {
      const size_t line_pos = text.rfind('\n') + 1;  // 0 when there is no newline
      if ((line_pos > 0 || line_starting_) && line_pos < text.size() &&
          utf8::Strip(std::string_view(text).substr(line_pos), false, true, nullptr).empty()) {
        text.resize(line_pos);
      }
    }
  }

  // The end of a block tag at pos: "+%}", "-%}" plus whitespace, or "%}" plus one newline under
  // trim_blocks. Returns the position after it, or npos.
  size_t MatchBlockEnd(size_t pos) const {
    if (StartsWith(pos, "+%}")) return pos + 3;
    if (StartsWith(pos, "-%}")) return SkipSpace(pos + 3);
    if (StartsWith(pos, "%}")) {
      pos += 2;
      if (options_.trim_blocks && pos < src_.size() && src_[pos] == '\n') ++pos;
      return pos;
    }
    return std::string::npos;
  }

  bool MatchRawBegin(size_t pos, size_t* body) const {
    pos = SkipSpace(pos);
    if (!StartsWith(pos, "raw")) return false;
    pos = SkipSpace(pos + 3);
    if (StartsWith(pos, "-%}")) {
      *body = SkipSpace(pos + 3);
      return true;
    }
    if (StartsWith(pos, "%}")) {
      *body = pos + 2;
      return true;
    }
    return false;
  }

  void LexRaw(size_t tag, size_t body) {
    for (size_t q = src_.find("{%", body); q != std::string::npos; q = src_.find("{%", q + 1)) {
      size_t p = q + 2;
      char sign = 0;
      if (p < src_.size() && (src_[p] == '-' || src_[p] == '+')) sign = src_[p++];
      p = SkipSpace(p);
      if (!StartsWith(p, "endraw")) continue;
      const size_t end = MatchBlockEnd(SkipSpace(p + 6));
      if (end == std::string::npos) continue;
      line_starting_ = src_[body - 1] == '\n';
      std::string text = src_.substr(body, q - body);
      StripBeforeTag(text, sign, true);
      Push(TokenKind::kText, std::move(text), body);
      pos_ = end;
      return;
    }
    Fail("template line {}: missing {{% endraw %}} for the raw block", LineAt(tag));
  }

  void LexComment(size_t tag, size_t after) {
    const size_t close = src_.find("#}", after);
    if (close == std::string::npos) Fail("template line {}: unterminated comment", LineAt(tag));
    const char sign = close > after ? src_[close - 1] : 0;
    pos_ = close + 2;
    if (sign == '-') {
      pos_ = SkipSpace(pos_);
    } else if (sign != '+' && options_.trim_blocks && pos_ < src_.size() && src_[pos_] == '\n') {
      ++pos_;
    }
  }

  void LexTag(bool block, size_t tag, size_t after) {
    Push(block ? TokenKind::kBlockBegin : TokenKind::kVarBegin, block ? "{%" : "{{", tag);
    pos_ = after;
    std::string brackets;  // the closing brackets still expected
    while (true) {
      if (pos_ >= src_.size()) {
        Fail("template line {}: '{}' tag is never closed", LineAt(tag), block ? "{%" : "{{");
      }
      if (brackets.empty()) {
        size_t end = std::string::npos;
        if (block) {
          end = MatchBlockEnd(pos_);
        } else if (StartsWith(pos_, "-}}")) {
          end = SkipSpace(pos_ + 3);
        } else if (StartsWith(pos_, "}}")) {
          end = pos_ + 2;
        }
        if (end != std::string::npos) {
          Push(block ? TokenKind::kBlockEnd : TokenKind::kVarEnd, block ? "%}" : "}}", pos_);
          pos_ = end;
          return;
        }
      }
      const char c = src_[pos_];
      if (IsAsciiSpace(c)) {
        ++pos_;
      } else if (IsDigitChar(c)) {
        LexNumber();
      } else if (IsNameStart(c)) {
        const size_t start = pos_;
        while (pos_ < src_.size() && IsNameChar(src_[pos_])) ++pos_;
        Push(TokenKind::kName, src_.substr(start, pos_ - start), start);
      } else if (c == '\'' || c == '"') {
        LexString();
      } else {
        LexOperator(brackets);
      }
    }
  }

  // Digits with single underscores between them: (\d+_)*\d+.
  size_t DigitRun(size_t pos) const {
    while (pos < src_.size() && IsDigitChar(src_[pos])) {
      ++pos;
      if (pos + 1 < src_.size() && src_[pos] == '_' && IsDigitChar(src_[pos + 1])) ++pos;
    }
    return pos;
  }

  size_t ExponentEnd(size_t pos) const {
    if (pos >= src_.size() || (src_[pos] != 'e' && src_[pos] != 'E')) return std::string::npos;
    ++pos;
    if (pos < src_.size() && (src_[pos] == '+' || src_[pos] == '-')) ++pos;
    if (pos >= src_.size() || !IsDigitChar(src_[pos])) return std::string::npos;
    return DigitRun(pos);
  }

  void LexNumber() {
    const size_t start = pos_;
    if (start == 0 || src_[start - 1] != '.') {  // Jinja: no float right after a dot
      const size_t int_end = DigitRun(start);
      size_t end = std::string::npos;
      if (int_end + 1 < src_.size() && src_[int_end] == '.' && IsDigitChar(src_[int_end + 1])) {
        const size_t frac_end = DigitRun(int_end + 1);
        const size_t exp_end = ExponentEnd(frac_end);
        end = exp_end != std::string::npos ? exp_end : frac_end;
      } else {
        end = ExponentEnd(int_end);
      }
      if (end != std::string::npos) {
        std::string digits = WithoutUnderscores(start, end);
        double value = 0;  // from_chars, unlike strtod, ignores the C locale
        const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
        if (ec == std::errc::result_out_of_range) value = HUGE_VAL;
        tokens_.push_back(Token{TokenKind::kFloat, digits, 0, value, LineAt(start)});
        pos_ = end;
        return;
      }
    }
    int base = 10;
    size_t digits_start = start;
    size_t end = start;
    if (src_[start] == '0' && start + 1 < src_.size() &&
        std::string_view("bBoOxX").find(src_[start + 1]) != std::string_view::npos) {
      const char prefix = static_cast<char>(src_[start + 1] | 0x20);
      base = prefix == 'b' ? 2 : prefix == 'o' ? 8 : 16;
      digits_start = end = start + 2;
      auto is_digit = [&](size_t i) {
        if (i >= src_.size()) return false;
        const char c = static_cast<char>(src_[i] | 0x20);
        return base == 2   ? (c == '0' || c == '1')
               : base == 8 ? (c >= '0' && c <= '7')
                           : (IsDigitChar(c) || (c >= 'a' && c <= 'f'));
      };
      while (is_digit(end) || (src_[end] == '_' && is_digit(end + 1))) end += is_digit(end) ? 1 : 2;
    } else if (src_[start] != '0') {
      end = DigitRun(start);
    } else {  // "0", "00", "0_0", but never "01"
      end = start + 1;
      while (end < src_.size() && (src_[end] == '0' || (src_[end] == '_' && end + 1 < src_.size() &&
                                                        src_[end + 1] == '0'))) {
        end += src_[end] == '0' ? 1 : 2;
      }
    }
    const std::string digits = WithoutUnderscores(digits_start, end);
    int64_t value = 0;
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
    if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size()) {
      Fail("template line {}: bad integer literal '{}'", LineAt(start),
           src_.substr(start, std::max<size_t>(end - start, 1)));
    }
    tokens_.push_back(
        Token{TokenKind::kInt, src_.substr(start, end - start), value, 0, LineAt(start)});
    pos_ = end;
  }

  std::string WithoutUnderscores(size_t begin, size_t end) const {
    std::string out;
    for (size_t i = begin; i < end; ++i) {
      if (src_[i] != '_') out += src_[i];
    }
    return out;
  }

  void LexString() {
    const size_t start = pos_;
    const char quote = src_[start];
    size_t p = start + 1;
    while (p < src_.size() && src_[p] != quote) p += src_[p] == '\\' ? 2 : 1;
    if (p >= src_.size()) Fail("template line {}: unterminated string", LineAt(start));
    Push(TokenKind::kString, Unescape(start + 1, p), start);
    pos_ = p + 1;
  }

  // Python's string escapes: \n \t \\ \' \" \xhh \uhhhh \Uhhhhhhhh, octal; others stay as typed.
  std::string Unescape(size_t begin, size_t end) const {
    std::string out;
    for (size_t i = begin; i < end; ++i) {
      if (src_[i] != '\\' || i + 1 >= end) {
        out += src_[i];
        continue;
      }
      const char c = src_[++i];
      switch (c) {
        case '\n':
          break;
        case '\\':
          out += '\\';
          break;
        case '\'':
          out += '\'';
          break;
        case '"':
          out += '"';
          break;
        case 'a':
          out += '\a';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'v':
          out += '\v';
          break;
        case 'x':
        case 'u':
        case 'U': {
          const size_t n = c == 'x' ? 2 : c == 'u' ? 4 : 8;
          uint32_t cp = 0;
          auto [ptr, ec] =
              std::from_chars(src_.data() + i + 1, src_.data() + std::min(end, i + 1 + n), cp, 16);
          if (ec != std::errc() || ptr != src_.data() + i + 1 + n || cp > 0x10FFFF) {
            Fail("template line {}: bad \\{} escape in a string", LineAt(i), c);
          }
          utf8::Append(out, cp);
          i += n;
          break;
        }
        default:
          if (c >= '0' && c <= '7') {
            uint32_t cp = 0;
            size_t n = 0;
            for (; n < 3 && i + n < end && src_[i + n] >= '0' && src_[i + n] <= '7'; ++n) {
              cp = cp * 8 + (src_[i + n] - '0');
            }
            utf8::Append(out, cp);
            i += n - 1;
          } else {
            out += '\\';
            out += c;
          }
      }
    }
    return out;
  }

  void LexOperator(std::string& brackets) {
    static constexpr std::string_view kTwo[] = {"//", "**", "==", "!=", ">=", "<="};
    static constexpr std::string_view kOne = "+-/*%~[](){}><=.:|,;";
    const size_t start = pos_;
    for (std::string_view op : kTwo) {
      if (StartsWith(start, op)) {
        Push(TokenKind::kOperator, std::string(op), start);
        pos_ += 2;
        return;
      }
    }
    const char c = src_[start];
    if (kOne.find(c) == std::string_view::npos) {
      Fail("template line {}: unexpected character '{}'", LineAt(start), c);
    }
    if (c == '(' || c == '[' || c == '{') {
      brackets.push_back(c == '(' ? ')' : c == '[' ? ']' : '}');
    } else if (c == ')' || c == ']' || c == '}') {
      if (brackets.empty()) Fail("template line {}: unexpected '{}'", LineAt(start), c);
      if (brackets.back() != c) {
        Fail("template line {}: unexpected '{}', expected '{}'", LineAt(start), c, brackets.back());
      }
      brackets.pop_back();
    }
    Push(TokenKind::kOperator, std::string(1, c), start);
    ++pos_;
  }

  std::string src_;
  LexOptions options_;
  std::vector<size_t> line_starts_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  bool line_starting_ = true;
};

}  // namespace

std::vector<Token> Lex(std::string_view source, const LexOptions& options) {
  return Lexer(source, options).Run();
}

}  // namespace densing::jinja
