// Python string methods over UTF-8 text; indices and lengths count code points, as in Python.
#include "chat/jinja/string_methods.h"

#include <algorithm>
#include <array>
#include <charconv>

#include "base/error.h"
#include "chat/jinja/utf8.h"
#include "chat/jinja/value_format.h"

namespace densing::jinja {

namespace {

constexpr std::array<std::string_view, 28> kStringMethods = {
    "strip",   "lstrip",  "rstrip",     "startswith",   "endswith",     "split",    "rsplit",
    "upper",   "lower",   "replace",    "title",        "capitalize",   "format",   "find",
    "rfind",   "count",   "join",       "isdigit",      "isalpha",      "isalnum",  "isspace",
    "islower", "isupper", "splitlines", "removeprefix", "removesuffix", "swapcase", "zfill"};

size_t CodePointIndex(std::string_view s, size_t byte_offset) {
  return utf8::Length(s.substr(0, byte_offset));
}

// True when every code point satisfies pred and there is at least one.
template <typename Pred>
bool AllCodePoints(std::string_view s, Pred pred) {
  if (s.empty()) return false;
  size_t len = 0;
  for (size_t i = 0; i < s.size(); i += len) {
    if (!pred(utf8::Decode(s, i, &len))) return false;
  }
  return true;
}

// islower()/isupper(): some cased code point, and none of the other case.
bool AllCased(std::string_view s, bool lower) {
  bool cased = false;
  size_t len = 0;
  for (size_t i = 0; i < s.size(); i += len) {
    const char32_t cp = utf8::Decode(s, i, &len);
    if (!utf8::IsCased(cp)) continue;
    if ((lower ? utf8::ToLower(cp) : utf8::ToUpper(cp)) != cp) return false;
    cased = true;
  }
  return cased;
}

bool AffixMatch(const std::string& s, const Value& affix, bool prefix, const std::string& what) {
  auto match = [&](const Value& v) {
    if (!v.is_string()) Fail("{} expects a string or a tuple of strings", what);
    const std::string& a = v.str();
    if (a.size() > s.size()) return false;
    return prefix ? s.compare(0, a.size(), a) == 0
                  : s.compare(s.size() - a.size(), a.size(), a) == 0;
  };
  if (affix.is_array()) {
    return std::any_of(affix.array().items.begin(), affix.array().items.end(), match);
  }
  return match(affix);
}

// str.format(): {} {0} {name}, optional !r/!s conversion; format specs are not supported.
std::string Format(const std::string& format, ArgReader& args, const Args& raw, Budget& budget) {
  std::string out;
  size_t auto_index = 0;
  for (size_t i = 0; i < format.size(); ++i) {
    const char c = format[i];
    if (c == '}' && i + 1 < format.size() && format[i + 1] == '}') {
      out += '}';
      ++i;
      continue;
    }
    if (c != '{') {
      out += c;
      continue;
    }
    if (i + 1 < format.size() && format[i + 1] == '{') {
      out += '{';
      ++i;
      continue;
    }
    const size_t close = format.find('}', i);
    if (close == std::string::npos) Fail("str.format: unmatched '{{' in format string");
    std::string field = format.substr(i + 1, close - i - 1);
    char conversion = 's';
    if (const size_t bang = field.find('!'); bang != std::string::npos) {
      conversion = bang + 1 < field.size() ? field[bang + 1] : 's';
      field.resize(bang);
    }
    if (field.find_first_of(":.[") != std::string::npos) {
      Fail("str.format: field '{}' is not supported", field);
    }
    Value value;
    if (field.empty() || std::all_of(field.begin(), field.end(), ::isdigit)) {
      size_t index = auto_index;
      if (field.empty()) {
        ++auto_index;
      } else if (std::from_chars(field.data(), field.data() + field.size(), index).ec !=
                 std::errc()) {
        Fail("str.format: bad field '{}'", field);
      }
      if (index >= raw.positional.size()) Fail("str.format: no argument {}", index);
      value = args.Require(index, "");
    } else {
      value = args.Require(SIZE_MAX, field);
    }
    out += conversion == 'r' ? Repr(value) : ToStr(value);
    budget.CheckStringSize(out.size());
    i = close;
  }
  return out;
}

}  // namespace

bool IsStringMethod(std::string_view name) {
  return std::find(kStringMethods.begin(), kStringMethods.end(), name) != kStringMethods.end();
}

std::vector<std::string> PythonSplit(std::string_view s, const std::string* sep, int64_t maxsplit,
                                     bool from_right) {
  std::vector<std::string> parts;
  if (sep != nullptr) {
    if (sep->empty()) Fail("split: empty separator");
    if (!from_right) {
      size_t start = 0;
      for (size_t pos; (maxsplit < 0 || static_cast<int64_t>(parts.size()) < maxsplit) &&
                       (pos = s.find(*sep, start)) != std::string_view::npos;
           start = pos + sep->size()) {
        parts.emplace_back(s.substr(start, pos - start));
      }
      parts.emplace_back(s.substr(start));
    } else {
      size_t end = s.size();
      for (size_t pos;
           (maxsplit < 0 || static_cast<int64_t>(parts.size()) < maxsplit) && end >= sep->size() &&
           (pos = s.rfind(*sep, end - sep->size())) != std::string_view::npos;
           end = pos) {
        parts.emplace_back(s.substr(pos + sep->size(), end - pos - sep->size()));
      }
      parts.emplace_back(s.substr(0, end));
      std::reverse(parts.begin(), parts.end());
    }
    return parts;
  }
  // Whitespace runs; work on code points so that Unicode spaces count.
  const std::vector<size_t> offsets = utf8::Offsets(s);
  const size_t n = offsets.size() - 1;
  auto space = [&](size_t k) {
    size_t len = 0;
    return utf8::IsSpace(utf8::Decode(s, offsets[k], &len));
  };
  if (!from_right) {
    size_t k = 0;
    while (true) {
      while (k < n && space(k)) ++k;
      if (k == n) break;
      if (maxsplit >= 0 && static_cast<int64_t>(parts.size()) == maxsplit) {
        parts.emplace_back(s.substr(offsets[k]));
        break;
      }
      const size_t begin = k;
      while (k < n && !space(k)) ++k;
      parts.emplace_back(s.substr(offsets[begin], offsets[k] - offsets[begin]));
    }
  } else {
    size_t k = n;
    while (true) {
      while (k > 0 && space(k - 1)) --k;
      if (k == 0) break;
      if (maxsplit >= 0 && static_cast<int64_t>(parts.size()) == maxsplit) {
        parts.emplace_back(s.substr(0, offsets[k]));
        break;
      }
      const size_t end = k;
      while (k > 0 && !space(k - 1)) --k;
      parts.emplace_back(s.substr(offsets[k], offsets[end] - offsets[k]));
    }
    std::reverse(parts.begin(), parts.end());
  }
  return parts;
}

std::vector<std::string> PythonSplitLines(std::string_view s) {
  std::vector<std::string> lines;
  size_t start = 0, len = 0;
  for (size_t i = 0; i < s.size(); i += len) {
    const char32_t cp = utf8::Decode(s, i, &len);
    const bool breaks = cp == '\n' || cp == '\r' || cp == '\v' || cp == '\f' ||
                        (cp >= 0x1C && cp <= 0x1E) || cp == 0x85 || cp == 0x2028 || cp == 0x2029;
    if (!breaks) continue;
    lines.emplace_back(s.substr(start, i - start));
    if (cp == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++len;
    start = i + len;
  }
  if (start < s.size()) lines.emplace_back(s.substr(start));
  return lines;
}

std::string PythonReplace(std::string_view s, std::string_view old, std::string_view replacement,
                          int64_t count, Budget& budget) {
  std::string out;
  int64_t done = 0;
  auto more = [&] { return count < 0 || done < count; };
  if (old.empty()) {  // Python inserts the replacement around every code point
    size_t len = 0;
    for (size_t i = 0; i <= s.size(); i += len) {
      if (more()) out += replacement, ++done;
      if (i == s.size()) break;
      utf8::Decode(s, i, &len);
      out.append(s.substr(i, len));
      budget.CheckStringSize(out.size());
    }
    return out;
  }
  size_t start = 0;
  for (size_t pos; more() && (pos = s.find(old, start)) != std::string_view::npos;
       start = pos + old.size(), ++done) {
    out.append(s.substr(start, pos - start));
    out.append(replacement);
    budget.CheckStringSize(out.size());
  }
  out.append(s.substr(start));
  budget.CheckStringSize(out.size());
  return out;
}

Value CallStringMethod(const std::string& s, std::string_view name, ArgReader& args,
                       Budget& budget) {
  budget.Charge(s.size());
  if (name == "strip" || name == "lstrip" || name == "rstrip") {
    const Value chars = args.Get(0, "chars");
    if (!chars.is_undefined() && !chars.is_none() && !chars.is_string()) {
      Fail("{} arg must be None or str", name);
    }
    const std::string* set = chars.is_string() ? &chars.str() : nullptr;
    return Value(std::string(utf8::Strip(s, name != "rstrip", name != "lstrip", set)));
  }
  if (name == "startswith" || name == "endswith") {
    return Value(AffixMatch(s, args.Require(0, "prefix"), name == "startswith", std::string(name)));
  }
  if (name == "split" || name == "rsplit") {
    const Value sep = args.Get(0, "sep");
    const int64_t maxsplit = args.GetInt(1, "maxsplit", -1);
    if (!sep.is_undefined() && !sep.is_none() && !sep.is_string())
      Fail("{}: sep must be a string", name);
    std::vector<Value> parts;
    for (std::string& part :
         PythonSplit(s, sep.is_string() ? &sep.str() : nullptr, maxsplit, name == "rsplit")) {
      parts.emplace_back(std::move(part));
    }
    return Value::MakeArray(std::move(parts));
  }
  if (name == "splitlines") {
    std::vector<Value> lines;
    for (std::string& line : PythonSplitLines(s)) lines.emplace_back(std::move(line));
    return Value::MakeArray(std::move(lines));
  }
  if (name == "upper") return Value(utf8::Upper(s));
  if (name == "lower") return Value(utf8::Lower(s));
  if (name == "title") return Value(utf8::Title(s));
  if (name == "capitalize") return Value(utf8::Capitalize(s));
  if (name == "swapcase") {
    std::string out;
    size_t len = 0;
    for (size_t i = 0; i < s.size(); i += len) {
      const char32_t cp = utf8::Decode(s, i, &len);
      utf8::Append(out, utf8::ToUpper(cp) != cp ? utf8::ToUpper(cp) : utf8::ToLower(cp));
    }
    return Value(std::move(out));
  }
  if (name == "replace") {
    const std::string old = args.GetString(0, "old", "");
    const std::string replacement = args.GetString(1, "new", "");
    return Value(PythonReplace(s, old, replacement, args.GetInt(2, "count", -1), budget));
  }
  if (name == "find" || name == "rfind") {
    const std::string sub = args.GetString(0, "sub", "");
    const size_t pos = name == "find" ? s.find(sub) : s.rfind(sub);
    return Value(pos == std::string::npos ? int64_t{-1}
                                          : static_cast<int64_t>(CodePointIndex(s, pos)));
  }
  if (name == "count") {
    const std::string sub = args.GetString(0, "sub", "");
    if (sub.empty()) return Value(static_cast<int64_t>(utf8::Length(s) + 1));
    int64_t n = 0;
    for (size_t pos = s.find(sub); pos != std::string::npos; pos = s.find(sub, pos + sub.size()))
      ++n;
    return Value(n);
  }
  if (name == "removeprefix" || name == "removesuffix") {
    const std::string affix = args.GetString(0, "affix", "");
    if (!AffixMatch(s, Value(affix), name == "removeprefix", std::string(name))) return Value(s);
    return Value(name == "removeprefix" ? s.substr(affix.size())
                                        : s.substr(0, s.size() - affix.size()));
  }
  if (name == "zfill") {
    const int64_t width = args.GetInt(0, "width", 0);
    const auto length = static_cast<int64_t>(utf8::Length(s));
    if (width <= length) return Value(s);
    budget.CheckStringSize(static_cast<size_t>(width));
    const size_t sign = !s.empty() && (s[0] == '-' || s[0] == '+') ? 1 : 0;
    return Value(s.substr(0, sign) + std::string(width - length, '0') + s.substr(sign));
  }
  if (name == "join") {
    std::string out;
    const Value items = args.Require(0, "iterable");
    if (!items.is_array()) Fail("join() expects a list, got {}", items.TypeName());
    for (size_t i = 0; i < items.array().items.size(); ++i) {
      const Value& item = items.array().items[i];
      if (!item.is_string())
        Fail("sequence item {}: expected str instance, {} found", i, item.TypeName());
      if (i > 0) out += s;
      out += item.str();
      budget.CheckStringSize(out.size());
    }
    return Value(std::move(out));
  }
  if (name == "isdigit") return Value(AllCodePoints(s, utf8::IsDigit));
  if (name == "isalpha") return Value(AllCodePoints(s, utf8::IsAlpha));
  if (name == "isalnum") {
    return Value(
        AllCodePoints(s, [](char32_t cp) { return utf8::IsAlpha(cp) || utf8::IsDigit(cp); }));
  }
  if (name == "isspace") return Value(AllCodePoints(s, utf8::IsSpace));
  if (name == "islower") return Value(AllCased(s, true));
  if (name == "isupper") return Value(AllCased(s, false));
  if (name == "format") {
    return Value(Format(s, args, args.raw(), budget));
  }
  Fail("str has no method '{}'", name);
}

}  // namespace densing::jinja
