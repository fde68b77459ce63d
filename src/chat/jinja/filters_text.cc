// Filters on single values: text case and trimming, conversions, tojson, indent, round.
#include <charconv>
#include <cmath>
#include <cstdio>

#include "base/error.h"
#include "base/escape.h"
#include "chat/jinja/access.h"
#include "chat/jinja/filters.h"
#include "chat/jinja/interpreter.h"
#include "chat/jinja/operators.h"
#include "chat/jinja/string_methods.h"
#include "chat/jinja/utf8.h"
#include "chat/jinja/value_format.h"

namespace densing::jinja {

namespace {

std::string Text(const Value& input, Interpreter& interpreter) {
  std::string text = ToStr(input);
  interpreter.budget().Charge(text.size());
  return text;
}

// Python's float(str): optional sign, digits with single underscores, inf/nan words.
std::optional<double> ParsePythonFloat(std::string_view s) {
  s = utf8::Strip(s, true, true, nullptr);
  std::string clean;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '_') {
      if (i == 0 || i + 1 == s.size() || !std::isdigit(static_cast<unsigned char>(s[i - 1])) ||
          !std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
        return std::nullopt;
      }
      continue;
    }
    clean += static_cast<char>(std::tolower(static_cast<unsigned char>(s[i])));
  }
  bool negative = false;
  std::string_view body = clean;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  double value = 0;
  if (body == "inf" || body == "infinity") {
    value = HUGE_VAL;
  } else if (body == "nan") {
    value = std::nan("");
  } else {
    if (body.empty() || body.find_first_not_of("0123456789.e+-") != std::string_view::npos) {
      return std::nullopt;
    }
    const auto [ptr, ec] = std::from_chars(body.data(), body.data() + body.size(), value);
    if (ptr != body.data() + body.size() ||
        (ec != std::errc() && ec != std::errc::result_out_of_range)) {
      return std::nullopt;
    }
  }
  return negative ? -value : value;
}

std::optional<int64_t> ParsePythonInt(std::string_view s, int base) {
  s = utf8::Strip(s, true, true, nullptr);
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  std::string digits;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '_' && i > 0 && i + 1 < s.size() && s[i - 1] != '_') continue;
    digits += s[i];
  }
  int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
  if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size())
    return std::nullopt;
  return negative ? -value : value;
}

Value FilterAbs(Interpreter&, const Value& input, ArgReader&) {
  if (!input.is_number()) Fail("bad operand type for abs(): '{}'", input.TypeName());
  if (input.is_float()) return Value(std::fabs(input.number()));
  if (input.int_value() == INT64_MIN) Fail("integer overflow in abs()");
  return Value(std::abs(input.int_value()));
}

Value FilterAttr(Interpreter& interpreter, const Value& input, ArgReader& args) {
  const std::string name = args.GetString(0, "name", "");
  if (input.is_undefined()) FailUndefined(input);
  return GetAttr(input, name, interpreter.budget());
}

// Python's str.center(): the odd space goes left when the width is odd.
Value FilterCenter(Interpreter& interpreter, const Value& input, ArgReader& args) {
  const int64_t width = args.GetInt(0, "width", 80);
  const std::string text = Text(input, interpreter);
  const auto length = static_cast<int64_t>(utf8::Length(text));
  if (width <= length) return Value(text);
  interpreter.budget().CheckStringSize(static_cast<uint64_t>(width - length) + text.size());
  const int64_t pad = width - length;
  const int64_t left = pad / 2 + (pad & width & 1);
  return Value(std::string(left, ' ') + text + std::string(pad - left, ' '));
}

Value FilterDefault(Interpreter&, const Value& input, ArgReader& args) {
  const Value fallback = args.Get(0, "default_value", Value(""));
  const bool boolean = args.GetBool(1, "boolean", false);
  if (input.is_undefined() || (boolean && !input.Truthy())) return fallback;
  return input;
}

Value FilterEscape(Interpreter& interpreter, const Value& input, ArgReader&) {
  return Value(EscapeMarkup(Text(input, interpreter)));
}

Value FilterFloat(Interpreter&, const Value& input, ArgReader& args) {
  const Value fallback = args.Get(0, "default", Value(0.0));
  if (input.is_undefined()) FailUndefined(input);
  if (input.is_number()) return Value(input.number());
  if (input.is_string()) {
    if (std::optional<double> f = ParsePythonFloat(input.str())) return Value(*f);
  }
  return fallback;
}

Value FilterInt(Interpreter&, const Value& input, ArgReader& args) {
  const Value fallback = args.Get(0, "default", Value(0));
  const int64_t base = args.GetInt(1, "base", 10);
  if (base < 2 || base > 36) Fail("filter 'int': base must be between 2 and 36");
  if (input.is_undefined()) FailUndefined(input);
  if (input.is_integral()) return Value(input.int_value());
  auto from_float = [&](double f) {
    if (!std::isfinite(f) || std::fabs(f) >= 9.2e18) Fail("filter 'int': {} is out of range", f);
    return Value(static_cast<int64_t>(f));
  };
  if (input.is_float()) return from_float(input.number());
  if (input.is_string()) {
    if (std::optional<int64_t> i = ParsePythonInt(input.str(), static_cast<int>(base)))
      return Value(*i);
    if (std::optional<double> f = ParsePythonFloat(input.str())) return from_float(*f);
  }
  return fallback;
}

Value FilterFormat(Interpreter& interpreter, const Value& input, ArgReader& args) {
  const Args& raw = args.raw();
  if (!raw.keyword.empty()) Fail("filter 'format': keyword arguments are not supported");
  const std::vector<Value> values = args.Rest(0);
  return ApplyBinary(BinaryOp::kMod, Value(ToStr(input)), Value::MakeArray(values, true),
                     interpreter.budget());
}

Value FilterIndent(Interpreter& interpreter, const Value& input, ArgReader& args) {
  const Value width = args.Get(0, "width", Value(4));
  const bool first = args.GetBool(1, "first", false);
  const bool blank = args.GetBool(2, "blank", false);
  if (input.is_undefined()) FailUndefined(input);
  std::string indent;
  if (width.is_string()) {
    indent = width.str();
  } else if (width.is_integral()) {
    const int64_t spaces = std::max<int64_t>(width.int_value(), 0);
    interpreter.budget().CheckStringSize(static_cast<uint64_t>(spaces));
    indent.assign(static_cast<size_t>(spaces), ' ');
  } else {
    Fail("filter 'indent': width must be a number or a string");
  }
  // Jinja appends a newline before splitting, so a trailing newline survives.
  const std::vector<std::string> lines = PythonSplitLines(Text(input, interpreter) + "\n");
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out += '\n';
    if (i == 0 ? first : (blank || !lines[i].empty())) out += indent;
    out += lines[i];
    interpreter.budget().CheckStringSize(out.size());
  }
  return Value(std::move(out));
}

Value FilterReplace(Interpreter& interpreter, const Value& input, ArgReader& args) {
  const std::string old = ToStr(args.Require(0, "old"));
  const std::string replacement = ToStr(args.Require(1, "new"));
  const int64_t count = args.GetInt(2, "count", -1);
  return Value(
      PythonReplace(Text(input, interpreter), old, replacement, count, interpreter.budget()));
}

Value FilterRound(Interpreter&, const Value& input, ArgReader& args) {
  const int64_t precision = args.GetInt(0, "precision", 0);
  const std::string method = args.GetString(1, "method", "common");
  if (!input.is_number()) Fail("filter 'round' expects a number, got {}", input.TypeName());
  if (precision < -308 || precision > 308)
    Fail("filter 'round': precision {} is out of range", precision);
  const double x = input.number();
  if (method == "ceil" || method == "floor") {
    const double scale = std::pow(10.0, static_cast<double>(precision));
    return Value((method == "ceil" ? std::ceil(x * scale) : std::floor(x * scale)) / scale);
  }
  if (method != "common") Fail("filter 'round': method must be common, ceil or floor");
  if (input.is_integral() && precision >= 0) return Value(input.int_value());
  if (!std::isfinite(x)) return Value(x);
  if (precision <= 0) {  // round half to even, like Python's round()
    const double scale = std::pow(10.0, static_cast<double>(-precision));
    return Value(std::nearbyint(x / scale) * scale);
  }
  // The decimal digits of x correctly rounded, read back: Python's round(x, n).
  char buffer[512];
  const auto printed = std::to_chars(buffer, buffer + sizeof(buffer), x, std::chars_format::fixed,
                                     static_cast<int>(std::min<int64_t>(precision, 60)));
  double rounded = x;
  if (printed.ec == std::errc()) std::from_chars(buffer, printed.ptr, rounded);
  return Value(rounded);
}

Value FilterString(Interpreter& interpreter, const Value& input, ArgReader&) {
  return Value(Text(input, interpreter));
}

Value FilterCase(Interpreter& interpreter, const Value& input,
                 std::string (*convert)(std::string_view)) {
  return Value(convert(Text(input, interpreter)));
}

// Jinja's title filter capitalizes the words between runs of "-", whitespace, "(", "{", "[", "<".
std::string JinjaTitle(std::string_view s) {
  std::string out;
  bool word_start = true;
  size_t len = 0;
  for (size_t i = 0; i < s.size(); i += len) {
    const char32_t cp = utf8::Decode(s, i, &len);
    const bool delimiter =
        cp == '-' || cp == '(' || cp == '{' || cp == '[' || cp == '<' || utf8::IsSpace(cp);
    if (delimiter) {
      utf8::Append(out, cp);
      word_start = true;
    } else {
      out += word_start ? utf8::Upper(s.substr(i, len)) : utf8::Lower(s.substr(i, len));
      word_start = false;
    }
  }
  return out;
}

Value FilterToJson(Interpreter& interpreter, const Value& input, ArgReader& args) {
  JsonOptions options;
  const Value indent = args.Get(0, "indent", Value::None());
  if (indent.is_integral()) {
    const int64_t spaces = std::max<int64_t>(indent.int_value(), 0);
    interpreter.budget().CheckStringSize(static_cast<uint64_t>(spaces));
    options.indent = std::string(static_cast<size_t>(spaces), ' ');
  } else if (indent.is_string()) {
    options.indent = indent.str();
  } else if (!indent.is_none()) {
    Fail("filter 'tojson': indent must be a number or a string");
  }
  if (options.indent) options.item_separator = ",";
  options.ensure_ascii = args.GetBool(SIZE_MAX, "ensure_ascii", false);
  options.sort_keys = args.GetBool(SIZE_MAX, "sort_keys", false);
  const Value separators = args.Get(SIZE_MAX, "separators", Value::None());
  if (separators.is_array() && separators.array().items.size() == 2 &&
      separators.array().items[0].is_string() && separators.array().items[1].is_string()) {
    options.item_separator = separators.array().items[0].str();
    options.key_separator = separators.array().items[1].str();
  } else if (!separators.is_none()) {
    Fail("filter 'tojson': separators must be a pair of strings");
  }
  std::string json = ToJson(input, options);
  interpreter.budget().CheckStringSize(json.size());
  interpreter.budget().Charge(json.size());
  return Value(std::move(json));
}

Value FilterTrim(Interpreter& interpreter, const Value& input, ArgReader& args) {
  const Value chars = args.Get(0, "chars", Value::None());
  const std::string text = Text(input, interpreter);
  return Value(
      std::string(utf8::Strip(text, true, true, chars.is_string() ? &chars.str() : nullptr)));
}

Value FilterWordcount(Interpreter& interpreter, const Value& input, ArgReader&) {
  const std::string text = Text(input, interpreter);
  int64_t words = 0;
  bool in_word = false;
  size_t len = 0;
  for (size_t i = 0; i < text.size(); i += len) {
    const char32_t cp = utf8::Decode(text, i, &len);
    const bool word_char = utf8::IsAlpha(cp) || utf8::IsDigit(cp) || cp == '_';
    if (word_char && !in_word) ++words;
    in_word = word_char;
  }
  return Value(words);
}

}  // namespace

FilterFn FindTextFilter(std::string_view name) {
  static constexpr std::pair<std::string_view, FilterFn> kFilters[] = {
      {"abs", FilterAbs},
      {"attr", FilterAttr},
      {"capitalize", [](Interpreter& i, const Value& v,
                        ArgReader&) { return FilterCase(i, v, utf8::Capitalize); }},
      {"center", FilterCenter},
      {"d", FilterDefault},
      {"default", FilterDefault},
      {"e", FilterEscape},
      {"escape", FilterEscape},
      {"float", FilterFloat},
      {"format", FilterFormat},
      {"indent", FilterIndent},
      {"int", FilterInt},
      {"lower",
       [](Interpreter& i, const Value& v, ArgReader&) { return FilterCase(i, v, utf8::Lower); }},
      {"replace", FilterReplace},
      {"round", FilterRound},
      {"safe", [](Interpreter&, const Value& v, ArgReader&) { return v; }},
      {"string", FilterString},
      {"title",
       [](Interpreter& i, const Value& v, ArgReader&) { return FilterCase(i, v, JinjaTitle); }},
      {"tojson", FilterToJson},
      {"trim", FilterTrim},
      {"upper",
       [](Interpreter& i, const Value& v, ArgReader&) { return FilterCase(i, v, utf8::Upper); }},
      {"wordcount", FilterWordcount},
  };
  for (const auto& [filter_name, filter] : kFilters) {
    if (filter_name == name) return filter;
  }
  return nullptr;
}

}  // namespace densing::jinja
