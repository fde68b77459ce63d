// str(), repr() and json.dumps() of values, with Python's exact spelling of floats and strings.
#include "chat/jinja/value_format.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "base/error.h"
#include "chat/jinja/utf8.h"

namespace densing::jinja {

std::string FormatFloat(double f) {
  if (std::isnan(f)) return "nan";
  if (std::isinf(f)) return f > 0 ? "inf" : "-inf";
  // Shortest round-trip digits in scientific form: "d.ddde+XX".
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), f, std::chars_format::scientific);
  std::string sci(buf, end);
  const size_t e_pos = sci.find('e');
  std::string mantissa = sci.substr(0, e_pos);
  const int exponent = std::stoi(sci.substr(e_pos + 1));
  const bool negative = mantissa[0] == '-';
  if (negative) mantissa.erase(0, 1);
  std::string digits;
  for (char c : mantissa) {
    if (c != '.') digits.push_back(c);
  }
  std::string out = negative ? "-" : "";
  if (exponent < -4 || exponent >= 16) {  // Python's repr switches to exponent form here
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    out += exponent < 0 ? "e-" : "e+";
    const int abs_exp = std::abs(exponent);
    if (abs_exp < 10) out += "0";
    out += std::to_string(abs_exp);
  } else if (exponent < 0) {
    out += "0." + std::string(-exponent - 1, '0') + digits;
  } else if (static_cast<size_t>(exponent) + 1 >= digits.size()) {
    out += digits + std::string(exponent + 1 - digits.size(), '0') + ".0";
  } else {
    out += digits.substr(0, exponent + 1) + "." + digits.substr(exponent + 1);
  }
  return out;
}

namespace {

std::string ReprString(const std::string& s) {
  const bool has_single = s.find('\'') != std::string::npos;
  const bool has_double = s.find('"') != std::string::npos;
  const char quote = has_single && !has_double ? '"' : '\'';
  std::string out(1, quote);
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (ch == quote || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (ch == '\n') {
      out += "\\n";
    } else if (ch == '\r') {
      out += "\\r";
    } else if (ch == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7F) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += ch;
    }
  }
  out += quote;
  return out;
}

std::string ReprItems(const Object& object) {
  std::string out = "{";
  bool first = true;
  for (const auto& [key, item] : object.entries()) {
    if (!first) out += ", ";
    first = false;
    out += ReprString(key) + ": " + Repr(item);
  }
  return out + "}";
}

}  // namespace

std::string ToStr(const Value& value) {
  switch (value.kind()) {
    case Value::Kind::kUndefined:
      return "";
    case Value::Kind::kString:
      return value.str();
    default:
      return Repr(value);
  }
}

std::string Repr(const Value& value) {
  switch (value.kind()) {
    case Value::Kind::kUndefined:
      return "";
    case Value::Kind::kNone:
      return "None";
    case Value::Kind::kBool:
      return value.bool_value() ? "True" : "False";
    case Value::Kind::kInt:
      return std::to_string(value.int_value());
    case Value::Kind::kFloat:
      return FormatFloat(value.number());
    case Value::Kind::kString:
      return ReprString(value.str());
    case Value::Kind::kArray: {
      const Array& array = value.array();
      std::string out = array.tuple ? "(" : "[";
      for (size_t i = 0; i < array.items.size(); ++i) {
        if (i > 0) out += ", ";
        out += Repr(array.items[i]);
      }
      if (array.tuple && array.items.size() == 1) out += ",";
      return out + (array.tuple ? ")" : "]");
    }
    case Value::Kind::kObject:
      return ReprItems(value.object());
    case Value::Kind::kNamespace:
      return "<Namespace " + ReprItems(value.ns().attrs) + ">";
    case Value::Kind::kFunction:
      return "<function " + value.function().name + ">";
  }
  return "";
}

namespace {

void JsonString(const std::string& s, bool ensure_ascii, std::string& out) {
  out += '"';
  size_t len = 0;
  for (size_t i = 0; i < s.size(); i += len) {
    const char32_t cp = utf8::Decode(s, i, &len);
    switch (cp) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      case '\b':
        out += "\\b";
        continue;
      case '\f':
        out += "\\f";
        continue;
      default:
        break;
    }
    if (cp < 0x20 || (ensure_ascii && cp >= 0x80)) {
      if (cp >= 0x10000) {
        const char32_t v = cp - 0x10000;
        out += fmt::format("\\u{:04x}\\u{:04x}", 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF));
      } else {
        out += fmt::format("\\u{:04x}", static_cast<uint32_t>(cp));
      }
    } else {
      out.append(s, i, len);
    }
  }
  out += '"';
}

void JsonValue(const Value& value, const JsonOptions& options, int level, std::string& out);

void JsonNewline(const JsonOptions& options, int level, std::string& out) {
  out += '\n';
  for (int i = 0; i < level; ++i) out += *options.indent;
}

template <typename Items, typename Emit>
void JsonContainer(const Items& items, char open, char close, const JsonOptions& options, int level,
                   std::string& out, Emit emit) {
  out += open;
  if (items.empty()) {
    out += close;
    return;
  }
  bool first = true;
  for (const auto& item : items) {
    if (!first) out += options.item_separator;
    first = false;
    if (options.indent) JsonNewline(options, level + 1, out);
    emit(item);
  }
  if (options.indent) JsonNewline(options, level, out);
  out += close;
}

void JsonObject(const Object& object, const JsonOptions& options, int level, std::string& out) {
  std::vector<const std::pair<std::string, Value>*> entries;
  for (const auto& entry : object.entries()) entries.push_back(&entry);
  if (options.sort_keys) {
    std::sort(entries.begin(), entries.end(),
              [](const auto* a, const auto* b) { return a->first < b->first; });
  }
  JsonContainer(entries, '{', '}', options, level, out, [&](const auto* entry) {
    JsonString(entry->first, options.ensure_ascii, out);
    out += options.key_separator;
    JsonValue(entry->second, options, level + 1, out);
  });
}

void JsonValue(const Value& value, const JsonOptions& options, int level, std::string& out) {
  switch (value.kind()) {
    case Value::Kind::kNone:
      out += "null";
      return;
    case Value::Kind::kBool:
      out += value.bool_value() ? "true" : "false";
      return;
    case Value::Kind::kInt:
      out += std::to_string(value.int_value());
      return;
    case Value::Kind::kFloat: {
      const double f = value.number();
      if (std::isnan(f)) {
        out += "NaN";
      } else if (std::isinf(f)) {
        out += f > 0 ? "Infinity" : "-Infinity";
      } else {
        out += FormatFloat(f);
      }
      return;
    }
    case Value::Kind::kString:
      JsonString(value.str(), options.ensure_ascii, out);
      return;
    case Value::Kind::kArray:
      JsonContainer(value.array().items, '[', ']', options, level, out,
                    [&](const Value& item) { JsonValue(item, options, level + 1, out); });
      return;
    case Value::Kind::kObject:
      JsonObject(value.object(), options, level, out);
      return;
    case Value::Kind::kNamespace:
      JsonObject(value.ns().attrs, options, level, out);
      return;
    case Value::Kind::kUndefined:
      Fail("tojson: {} is undefined",
           value.undefined_hint().empty() ? "value" : "'" + value.undefined_hint() + "'");
    case Value::Kind::kFunction:
      Fail("tojson: a function is not JSON serializable");
  }
}

template <typename Json>
Value FromJsonImpl(const Json& json, int depth) {
  if (depth > kMaxValueDepth) Fail("JSON nested deeper than {} levels", kMaxValueDepth);
  switch (json.type()) {
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded:
      return Value::None();
    case nlohmann::json::value_t::boolean:
      return Value(json.template get<bool>());
    case nlohmann::json::value_t::number_integer:
      return Value(json.template get<int64_t>());
    case nlohmann::json::value_t::number_unsigned: {
      const auto u = json.template get<uint64_t>();
      if (u > static_cast<uint64_t>(INT64_MAX)) return Value(static_cast<double>(u));
      return Value(static_cast<int64_t>(u));
    }
    case nlohmann::json::value_t::number_float:
      return Value(json.template get<double>());
    case nlohmann::json::value_t::string:
      return Value(json.template get<std::string>());
    case nlohmann::json::value_t::array: {
      std::vector<Value> items;
      items.reserve(json.size());
      for (const auto& item : json) items.push_back(FromJsonImpl(item, depth + 1));
      return Value::MakeArray(std::move(items));
    }
    case nlohmann::json::value_t::object: {
      Object object;
      for (auto it = json.begin(); it != json.end(); ++it) {
        object.Set(it.key(), FromJsonImpl(it.value(), depth + 1));
      }
      return Value::MakeObject(std::move(object));
    }
    case nlohmann::json::value_t::binary:
      Fail("JSON binary values are not supported in templates");
  }
  return Value::None();
}

}  // namespace

std::string ToJson(const Value& value, const JsonOptions& options) {
  std::string out;
  JsonValue(value, options, 0, out);
  return out;
}

Value FromJson(const nlohmann::ordered_json& json) { return FromJsonImpl(json, 0); }
Value FromJson(const nlohmann::json& json) { return FromJsonImpl(json, 0); }

}  // namespace densing::jinja
