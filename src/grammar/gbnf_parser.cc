// The GBNF parser: text to Grammar rules, with repetitions expanded into generated rules, then
// the checks that make matching terminate (every rule defined, no left recursion, every rule
// able to finish).
#include <algorithm>
#include <functional>
#include <map>

#include "base/error.h"
#include "grammar/grammar.h"

namespace densing::grammar {

inline constexpr int kMaxRepetition = 10000;  // x{0,N} makes N rules
inline constexpr int kMaxNesting = 200;       // parentheses: the parser recurses into each

class GbnfParser {
 public:
  explicit GbnfParser(std::string_view text) : text_(text) {}

  std::shared_ptr<Grammar> Run(std::string_view root_name) {
    SkipSpace(true);
    while (pos_ < text_.size()) {
      ParseRule();
      SkipSpace(true);
    }
    for (const auto& [name, id] : ids_) {
      if (!defined_[id]) {
        Fail("grammar: rule '{}' is used at {} but never defined", name, Where(used_at_[id]));
      }
    }
    auto root = ids_.find(std::string(root_name));
    if (root == ids_.end()) Fail("grammar: no '{}' rule (the start rule)", root_name);
    return Build(root->second);
  }

 private:
  using Seq = std::vector<Elem>;

  [[noreturn]] void Expected(std::string_view what) const {
    size_t line = 1, col = 1;
    for (size_t i = 0; i < pos_ && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    std::string found = pos_ < text_.size() ? fmt::format("'{}'", text_[pos_]) : "the end";
    if (pos_ < text_.size() && text_[pos_] == '\n') found = "a line end";
    Fail("grammar: line {}, column {}: expected {}, found {}", line, col, what, found);
  }
  std::string Where(size_t at = SIZE_MAX) const {
    if (at == SIZE_MAX) at = pos_;
    size_t line = 1, col = 1;
    for (size_t i = 0; i < at && i < text_.size(); ++i)
      text_[i] == '\n' ? (++line, col = 1) : ++col;
    return fmt::format("line {}, column {}", line, col);
  }

  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }

  // Spaces and comments; line ends only where `newlines` (inside groups, after | and ::=).
  void SkipSpace(bool newlines) {
    while (!AtEnd()) {
      const char c = text_[pos_];
      if (c == ' ' || c == '\t' || ((c == '\n' || c == '\r') && newlines)) {
        ++pos_;
      } else if (c == '#') {
        while (!AtEnd() && text_[pos_] != '\n') ++pos_;
      } else {
        break;
      }
    }
  }

  static bool IsNameChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  }

  std::string ParseName() {
    const size_t start = pos_;
    while (!AtEnd() && IsNameChar(text_[pos_])) ++pos_;
    if (pos_ == start) Expected("a rule name");
    return std::string(text_.substr(start, pos_ - start));
  }

  uint32_t RuleId(const std::string& name, size_t at) {
    auto [it, added] = ids_.emplace(name, static_cast<uint32_t>(bodies_.size()));
    if (added) {
      bodies_.emplace_back();
      names_.push_back(name);
      defined_.push_back(false);
      used_at_.push_back(at);
    }
    return it->second;
  }

  uint32_t NewRule(const std::string& base) {
    std::string name;
    do name = fmt::format("{}-{}", base, ++n_generated_);
    while (ids_.count(name));
    const uint32_t id = RuleId(name, pos_);
    defined_[id] = true;
    return id;
  }

  void ParseRule() {
    const size_t name_at = pos_;
    const std::string name = ParseName();
    SkipSpace(false);
    if (text_.substr(pos_, 3) != "::=") Expected("'::='");
    pos_ += 3;
    SkipSpace(true);
    const uint32_t id = RuleId(name, name_at);
    if (defined_[id]) Fail("grammar: rule '{}' is defined twice ({})", name, Where(name_at));
    defined_[id] = true;
    bodies_[id] = ParseAlternates(name, false);
    if (!AtEnd()) {
      if (Peek() == '\r') ++pos_;
      if (Peek() != '\n') Expected("a line end after the rule");
    }
  }

  // Alternatives as one body: seq kAlt seq ... kEnd.
  Seq ParseAlternates(const std::string& rule, bool nested) {
    Seq body;
    for (;;) {
      ParseSequence(rule, nested, &body);
      if (Peek() != '|') break;
      body.push_back({ElemType::kAlt, 0});
      ++pos_;
      SkipSpace(true);
    }
    body.push_back({ElemType::kEnd, 0});
    return body;
  }

  uint32_t ParseEscape() {  // after the backslash
    if (AtEnd()) Expected("an escape character");
    const char c = text_[pos_++];
    int hex = 0;
    switch (c) {
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case 'r':
        return '\r';
      case '\\':
      case '"':
      case '[':
      case ']':
      case '-':
      case '^':
      case '\'':
      case '/':
        return c;
      case 'x':
        hex = 2;
        break;
      case 'u':
        hex = 4;
        break;
      case 'U':
        hex = 8;
        break;
      default:
        --pos_;
        Expected("an escape (\\n \\t \\r \\\\ \\\" \\[ \\] \\xHH \\uHHHH \\UHHHHHHHH)");
    }
    uint32_t v = 0;
    for (int i = 0; i < hex; ++i) {
      const char h = Peek();
      int d = h >= '0' && h <= '9'   ? h - '0'
              : h >= 'a' && h <= 'f' ? h - 'a' + 10
              : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                     : -1;
      if (d < 0) Expected(fmt::format("{} hex digits", hex));
      v = v * 16 + static_cast<uint32_t>(d);
      ++pos_;
    }
    if (v > 0x10FFFF) Fail("grammar: {}: code point U+{:X} is past U+10FFFF", Where(), v);
    return v;
  }

  // One character of a literal or class, UTF-8 decoded.
  uint32_t ParseChar() {
    if (AtEnd()) Expected("a character");
    const auto b = static_cast<unsigned char>(text_[pos_]);
    if (b == '\\') {
      ++pos_;
      return ParseEscape();
    }
    const int n = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
    if (n == 0 || pos_ + static_cast<size_t>(n) > text_.size()) Expected("valid UTF-8");
    uint32_t cp = n == 1 ? b : b & (0x7F >> n);
    for (int i = 1; i < n; ++i) {
      const auto c = static_cast<unsigned char>(text_[pos_ + static_cast<size_t>(i)]);
      if ((c & 0xC0) != 0x80) Expected("valid UTF-8");
      cp = (cp << 6) | (c & 0x3F);
    }
    pos_ += static_cast<size_t>(n);
    return cp;
  }

  void ParseSequence(const std::string& rule, bool nested, Seq* out) {
    size_t last_start = out->size();  // where the last term's elements begin
    bool have_term = false;
    for (;;) {
      const char c = Peek();
      const size_t term_start = out->size();
      if (c == '"') {
        ++pos_;
        while (Peek() != '"') {
          if (AtEnd() || Peek() == '\n') Expected("'\"' to close the string");
          out->push_back({ElemType::kChar, ParseChar()});
        }
        ++pos_;
        if (out->size() == term_start) {  // "" matches the empty string: an empty group
          const uint32_t id = NewRule(rule);
          bodies_[id] = {{ElemType::kEnd, 0}};
          out->push_back({ElemType::kRuleRef, id});
        }
      } else if (c == '[') {
        ++pos_;
        ElemType first = ElemType::kChar;
        if (Peek() == '^') {
          ++pos_;
          first = ElemType::kCharNot;
        }
        bool any = false;
        while (Peek() != ']') {
          if (AtEnd()) Expected("']' to close the character class");
          out->push_back({any ? ElemType::kCharAlt : first, ParseChar()});
          any = true;
          if (Peek() == '-' && pos_ + 1 < text_.size() && text_[pos_ + 1] != ']') {
            ++pos_;
            const uint32_t hi = ParseChar();
            if (hi < out->back().value) {
              Fail("grammar: {}: the range ends (U+{:X}) before it starts (U+{:X})", Where(), hi,
                   out->back().value);
            }
            out->push_back({ElemType::kCharRangeUpper, hi});
          }
        }
        if (!any) Expected("a character in the class");
        ++pos_;
      } else if (c == '.') {
        ++pos_;
        out->push_back({ElemType::kCharAny, 0});
      } else if (IsNameChar(c)) {
        const size_t name_at = pos_;
        const std::string name = ParseName();
        out->push_back({ElemType::kRuleRef, RuleId(name, name_at)});
      } else if (c == '(') {
        if (++depth_ > kMaxNesting)
          Fail("grammar: {}: groups nested deeper than {}", Where(), kMaxNesting);
        ++pos_;
        SkipSpace(true);
        const uint32_t id = NewRule(rule);
        bodies_[id] = ParseAlternates(rule, true);
        if (Peek() != ')') Expected("')' to close the group");
        ++pos_;
        --depth_;
        out->push_back({ElemType::kRuleRef, id});
      } else if (c == '*' || c == '+' || c == '?' || c == '{') {
        if (!have_term) Expected("something to repeat before the repetition");
        int min = 0, max = -1;
        ++pos_;
        if (c == '+') min = 1;
        if (c == '?') max = 1;
        if (c == '{') {
          SkipSpace(nested);
          min = ParseCount();
          SkipSpace(nested);
          max = min;
          if (Peek() == ',') {
            ++pos_;
            SkipSpace(nested);
            max = Peek() == '}' ? -1 : ParseCount();
            SkipSpace(nested);
          }
          if (Peek() != '}') Expected("'}' to close the repetition");
          ++pos_;
          if (max >= 0 && max < min)
            Fail("grammar: {}: repetition {{{},{}}} has max < min", Where(), min, max);
        }
        Seq term(out->begin() + static_cast<ptrdiff_t>(last_start), out->end());
        out->resize(last_start);
        Repeat(rule, term, min, max, out);
        SkipSpace(nested);
        // A repetition is not a term to repeat again: "x??????{0,6}" nested its optionals into
        // a grammar whose parses multiply past any limit (found by fuzz_grammar).
        have_term = false;
        continue;
      } else {
        break;
      }
      last_start = term_start;
      have_term = true;
      SkipSpace(nested);
    }
  }

  int ParseCount() {
    const size_t start = pos_;
    int v = 0;
    while (Peek() >= '0' && Peek() <= '9') {
      v = v * 10 + (Peek() - '0');
      if (v > kMaxRepetition)
        Fail("grammar: {}: repetition count past {}", Where(), kMaxRepetition);
      ++pos_;
    }
    if (pos_ == start) Expected("a number");
    return v;
  }

  // term{min,max}: min copies, then a repeating rule (max < 0) or max - min nested optional ones.
  void Repeat(const std::string& rule, const Seq& term, int min, int max, Seq* out) {
    for (int i = 0; i < min; ++i) out->insert(out->end(), term.begin(), term.end());
    if (max < 0) {
      const uint32_t id = NewRule(rule);
      Seq body = term;
      body.push_back({ElemType::kRuleRef, id});
      body.push_back({ElemType::kAlt, 0});
      body.push_back({ElemType::kEnd, 0});
      bodies_[id] = std::move(body);
      out->push_back({ElemType::kRuleRef, id});
      return;
    }
    uint32_t inner = UINT32_MAX;
    for (int i = min; i < max; ++i) {
      const uint32_t id = NewRule(rule);
      Seq body = term;
      if (inner != UINT32_MAX) body.push_back({ElemType::kRuleRef, inner});
      body.push_back({ElemType::kAlt, 0});
      body.push_back({ElemType::kEnd, 0});
      bodies_[id] = std::move(body);
      inner = id;
    }
    if (inner != UINT32_MAX) out->push_back({ElemType::kRuleRef, inner});
  }

  std::shared_ptr<Grammar> Build(uint32_t root) {
    auto g = std::make_shared<Grammar>();
    g->names_ = names_;
    g->root_ = root;
    g->alts_.resize(bodies_.size());
    for (size_t r = 0; r < bodies_.size(); ++r) {
      const auto start = static_cast<uint32_t>(g->elems_.size());
      g->rule_start_.push_back(start);
      g->alts_[r].push_back(start);
      for (size_t i = 0; i < bodies_[r].size(); ++i) {
        g->elems_.push_back(bodies_[r][i]);
        if (bodies_[r][i].type == ElemType::kAlt)
          g->alts_[r].push_back(start + static_cast<uint32_t>(i) + 1);
      }
    }
    CheckTermination(*g);
    return g;
  }

  // Left recursion (a rule reaching itself before consuming a character) would make expansion
  // loop; a rule with no finite derivation could never let the output end.
  void CheckTermination(const Grammar& g) {
    const size_t n = bodies_.size();
    std::vector<bool> nullable(n, false), finite(n, false);
    for (bool changed = true; changed;) {
      changed = false;
      for (size_t r = 0; r < n; ++r) {
        for (uint32_t a : g.alts_[r]) {
          bool all_null = true, all_finite = true;
          for (uint32_t p = a;
               g.elems_[p].type != ElemType::kAlt && g.elems_[p].type != ElemType::kEnd;
               p = IsCharElem(g.elems_[p].type) ? SkipChar(g.elems_, p) : p + 1) {
            const Elem& e = g.elems_[p];
            all_null = all_null && e.type == ElemType::kRuleRef && nullable[e.value];
            all_finite = all_finite && (e.type != ElemType::kRuleRef || finite[e.value]);
          }
          if (all_null && !nullable[r]) nullable[r] = changed = true;
          if (all_finite && !finite[r]) finite[r] = changed = true;
        }
      }
    }
    for (size_t r = 0; r < n; ++r) {
      if (!finite[r])
        Fail("grammar: rule '{}' can never finish (every alternative recurses)", names_[r]);
    }
    // Edges r -> s where s can come first in r.
    std::vector<std::vector<uint32_t>> first(n);
    for (size_t r = 0; r < n; ++r) {
      for (uint32_t a : g.alts_[r]) {
        for (uint32_t p = a; g.elems_[p].type == ElemType::kRuleRef; ++p) {
          first[r].push_back(g.elems_[p].value);
          if (!nullable[g.elems_[p].value]) break;
        }
      }
    }
    std::vector<uint8_t> color(n, 0);  // 0 new, 1 on the path, 2 done
    std::function<void(uint32_t)> visit = [&](uint32_t r) {
      color[r] = 1;
      for (uint32_t s : first[r]) {
        if (color[s] == 1) Fail("grammar: rule '{}' is left-recursive", names_[s]);
        if (color[s] == 0) visit(s);
      }
      color[r] = 2;
    };
    for (uint32_t r = 0; r < n; ++r) {
      if (color[r] == 0) visit(r);
    }
  }

  std::string_view text_;
  size_t pos_ = 0;
  std::map<std::string, uint32_t> ids_;
  std::vector<Seq> bodies_;
  std::vector<std::string> names_;
  std::vector<bool> defined_;
  std::vector<size_t> used_at_;  // where each rule was first named
  int n_generated_ = 0;
  int depth_ = 0;
};

std::shared_ptr<const Grammar> Grammar::Parse(std::string_view gbnf, std::string_view root) {
  return GbnfParser(gbnf).Run(root);
}

bool MatchChar(const Elem* e, uint32_t cp) {
  if (e->type == ElemType::kCharAny) return true;
  const bool negate = e->type == ElemType::kCharNot;
  bool found = false;
  do {
    if (e[1].type == ElemType::kCharRangeUpper) {
      found = found || (e->value <= cp && cp <= e[1].value);
      e += 2;
    } else {
      found = found || e->value == cp;
      e += 1;
    }
  } while (e->type == ElemType::kCharAlt);
  return found != negate;
}

bool MatchCharRange(const Elem* e, uint32_t lo, uint32_t hi) {
  if (e->type == ElemType::kCharAny) return true;
  std::vector<std::pair<uint32_t, uint32_t>> items;
  const bool negate = e->type == ElemType::kCharNot;
  do {
    if (e[1].type == ElemType::kCharRangeUpper) {
      items.push_back({e->value, e[1].value});
      e += 2;
    } else {
      items.push_back({e->value, e->value});
      e += 1;
    }
  } while (e->type == ElemType::kCharAlt);
  if (!negate) {
    for (auto [a, b] : items) {
      if (a <= hi && b >= lo) return true;
    }
    return false;
  }
  // Negated: some code point of [lo, hi] lies outside every item.
  std::sort(items.begin(), items.end());
  uint64_t next = lo;
  for (auto [a, b] : items) {
    if (a > next) break;
    if (b + uint64_t{1} > next) next = b + uint64_t{1};
  }
  return next <= hi;
}

uint32_t SkipChar(const std::vector<Elem>& elems, uint32_t pos) {
  ++pos;
  while (elems[pos].type == ElemType::kCharAlt || elems[pos].type == ElemType::kCharRangeUpper)
    ++pos;
  return pos;
}

}  // namespace densing::grammar
