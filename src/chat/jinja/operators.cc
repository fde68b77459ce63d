// Operators with Python's rules: int overflow is an Error (Python has big ints; templates never
// need them), // and % round toward negative infinity, / always gives a float.
#include "chat/jinja/operators.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string_view>

#include "base/error.h"
#include "chat/jinja/utf8.h"
#include "chat/jinja/value_format.h"

namespace densing::jinja {

namespace {

const char* OpSymbol(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd:
      return "+";
    case BinaryOp::kSub:
      return "-";
    case BinaryOp::kMul:
      return "*";
    case BinaryOp::kDiv:
      return "/";
    case BinaryOp::kFloorDiv:
      return "//";
    case BinaryOp::kMod:
      return "%";
    case BinaryOp::kPow:
      return "**";
    case BinaryOp::kConcat:
      return "~";
    case BinaryOp::kEq:
      return "==";
    case BinaryOp::kNe:
      return "!=";
    case BinaryOp::kLt:
      return "<";
    case BinaryOp::kLe:
      return "<=";
    case BinaryOp::kGt:
      return ">";
    case BinaryOp::kGe:
      return ">=";
    case BinaryOp::kIn:
      return "in";
    case BinaryOp::kNotIn:
      return "not in";
  }
  return "?";
}

[[noreturn]] void FailOperands(BinaryOp op, const Value& a, const Value& b) {
  Fail("unsupported operand type(s) for {}: '{}' and '{}'", OpSymbol(op), a.TypeName(),
       b.TypeName());
}

void CheckOverflow(bool overflow) {
  if (overflow) Fail("integer overflow in template arithmetic");
}

Value Repeat(const Value& sequence, int64_t count, Budget& budget) {
  const int64_t n = std::max<int64_t>(count, 0);
  if (sequence.is_string()) {
    const size_t size = sequence.str().size();
    if (size != 0 && static_cast<uint64_t>(n) > budget.limits().max_output_bytes / size) {
      budget.CheckStringSize(budget.limits().max_output_bytes + 1);
    }
    const size_t total = size * static_cast<size_t>(n);
    budget.Charge(total);
    std::string out;
    out.reserve(total);
    if (total > 0) out = sequence.str();
    while (out.size() < total) out.append(out, 0, std::min(out.size(), total - out.size()));
    return Value(std::move(out));
  }
  const Array& array = sequence.array();
  if (!array.items.empty() &&
      static_cast<uint64_t>(n) > budget.limits().max_loop_iterations / array.items.size()) {
    Fail("list repetition of {} x {} items is too large", n, array.items.size());
  }
  budget.Charge(array.items.size() * n);
  std::vector<Value> items;
  for (int64_t i = 0; i < n; ++i) items.insert(items.end(), array.items.begin(), array.items.end());
  return Value::MakeArray(std::move(items), array.tuple);
}

Value Arithmetic(BinaryOp op, const Value& a, const Value& b) {
  if (!a.is_number() || !b.is_number()) FailOperands(op, a, b);
  const bool ints = a.is_integral() && b.is_integral();
  if (op == BinaryOp::kDiv) {
    if (b.number() == 0) Fail("division by zero");
    return Value(a.number() / b.number());
  }
  if (ints) {
    const int64_t x = a.int_value(), y = b.int_value();
    int64_t r = 0;
    switch (op) {
      case BinaryOp::kAdd:
        CheckOverflow(__builtin_add_overflow(x, y, &r));
        return Value(r);
      case BinaryOp::kSub:
        CheckOverflow(__builtin_sub_overflow(x, y, &r));
        return Value(r);
      case BinaryOp::kMul:
        CheckOverflow(__builtin_mul_overflow(x, y, &r));
        return Value(r);
      case BinaryOp::kFloorDiv:
      case BinaryOp::kMod: {
        if (y == 0) Fail("integer division or modulo by zero");
        if (x == INT64_MIN && y == -1) Fail("integer overflow in template arithmetic");
        int64_t q = x / y, m = x % y;
        if (m != 0 && ((m < 0) != (y < 0))) --q, m += y;
        return Value(op == BinaryOp::kMod ? m : q);
      }
      case BinaryOp::kPow: {
        if (y < 0) return Value(std::pow(static_cast<double>(x), static_cast<double>(y)));
        int64_t result = 1;
        for (int64_t i = 0; i < y; ++i) {
          CheckOverflow(__builtin_mul_overflow(result, x, &result));
          if (result == 0 || result == 1) break;  // stays there, however large y is
        }
        if (result == 1 && x == -1 && (y & 1)) result = -1;
        return Value(result);
      }
      default:
        break;
    }
  }
  const double x = a.number(), y = b.number();
  switch (op) {
    case BinaryOp::kAdd:
      return Value(x + y);
    case BinaryOp::kSub:
      return Value(x - y);
    case BinaryOp::kMul:
      return Value(x * y);
    case BinaryOp::kFloorDiv:
    case BinaryOp::kMod: {
      if (y == 0) Fail("float division or modulo by zero");
      double m = std::fmod(x, y);
      double q = (x - m) / y;
      if (m != 0 && ((m < 0) != (y < 0))) m += y, q -= 1;
      return Value(op == BinaryOp::kMod ? m : std::floor(q));
    }
    case BinaryOp::kPow:
      return Value(std::pow(x, y));
    default:
      FailOperands(op, a, b);
  }
}

// One %-conversion of printf-style formatting: flags, width, precision and the conversion.
std::string FormatOne(const std::string& flags, int width, int precision, char conversion,
                      const Value& arg) {
  if (conversion == 's' || conversion == 'r') {
    std::string text = conversion == 's' ? ToStr(arg) : Repr(arg);
    if (precision >= 0) {
      const std::vector<size_t> offsets = utf8::Offsets(text);
      if (static_cast<size_t>(precision) + 1 < offsets.size()) text.resize(offsets[precision]);
    }
    const size_t length = utf8::Length(text);
    if (static_cast<size_t>(width) > length) {
      const std::string pad(width - length, ' ');
      text = flags.find('-') != std::string::npos ? text + pad : pad + text;
    }
    return text;
  }
  if (arg.is_undefined()) FailUndefined(arg);
  if (!arg.is_number()) {
    Fail("%{} format: a real number is required, not {}", conversion, arg.TypeName());
  }
  std::string spec = "%" + flags + (width > 0 ? std::to_string(width) : "") +
                     (precision >= 0 ? "." + std::to_string(precision) : "");
  char buffer[1024];  // widths and precisions are at most 400
  if (conversion == 'd' || conversion == 'i' || conversion == 'x' || conversion == 'X' ||
      conversion == 'o') {
    if (!arg.is_integral() && conversion != 'd' && conversion != 'i') {
      Fail("%{} format: an integer is required, not {}", conversion, arg.TypeName());
    }
    const double f = arg.number();
    if (arg.is_float() && !(std::fabs(f) < 9.2e18))
      Fail("%{} format: {} is out of range", conversion, f);
    const long long value = arg.is_float() ? static_cast<long long>(f) : arg.int_value();
    spec += std::string("ll") + (conversion == 'i' ? 'd' : conversion);
    std::snprintf(buffer, sizeof(buffer), spec.c_str(), value);
  } else {
    spec += conversion;
    std::snprintf(buffer, sizeof(buffer), spec.c_str(), arg.number());
  }
  return buffer;
}

// "%s" % value: printf-style formatting (Python's, without %(name)s mappings).
Value PercentFormat(const std::string& format, const Value& values, Budget& budget) {
  std::vector<Value> args;
  if (values.is_array() && values.array().tuple) {
    args = values.array().items;
  } else {
    args.push_back(values);
  }
  std::string out;
  size_t next = 0;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') {
      out += format[i];
      continue;
    }
    ++i;
    std::string flags;
    while (i < format.size() &&
           std::string_view("-+ 0#").find(format[i]) != std::string_view::npos) {
      flags += format[i++];
    }
    auto number = [&](int fallback) {
      if (i >= format.size() || !std::isdigit(static_cast<unsigned char>(format[i])))
        return fallback;
      int n = 0;
      while (i < format.size() && std::isdigit(static_cast<unsigned char>(format[i]))) {
        n = n * 10 + (format[i++] - '0');
        if (n > 400) Fail("'%' formatting: width or precision over 400");
      }
      return n;
    };
    const int width = number(0);
    int precision = -1;
    if (i < format.size() && format[i] == '.') {
      ++i;
      precision = number(0);
    }
    if (i >= format.size()) Fail("incomplete format in '%' formatting");
    const char conversion = format[i];
    if (conversion == '%') {
      out += '%';
      continue;
    }
    if (std::string_view("srdixXofFeEgG").find(conversion) == std::string_view::npos) {
      Fail("unsupported format character '{}' in '%' formatting", conversion);
    }
    if (next >= args.size()) Fail("not enough arguments for format string");
    out += FormatOne(flags, width, precision, conversion, args[next++]);
    budget.CheckStringSize(out.size());
  }
  if (next < args.size()) Fail("not all arguments converted during string formatting");
  return Value(std::move(out));
}

}  // namespace

void FailUndefined(const Value& value) {
  Fail("{}", value.undefined_hint().empty() ? "value is undefined" : value.undefined_hint());
}

Value ApplyBinary(BinaryOp op, const Value& a, const Value& b, Budget& budget) {
  switch (op) {
    case BinaryOp::kConcat: {
      std::string out = ToStr(a) + ToStr(b);
      budget.CheckStringSize(out.size());
      budget.Charge(out.size());
      return Value(std::move(out));
    }
    case BinaryOp::kEq:
      return Value(Equals(a, b));
    case BinaryOp::kNe:
      return Value(!Equals(a, b));
    case BinaryOp::kIn:
      return Value(Contains(b, a));
    case BinaryOp::kNotIn:
      return Value(!Contains(b, a));
    case BinaryOp::kLt:
      return Value(LessThan(a, b));
    case BinaryOp::kGt:
      return Value(LessThan(b, a));
    case BinaryOp::kLe:
      return Value(LessThan(a, b) || Equals(a, b));
    case BinaryOp::kGe:
      return Value(LessThan(b, a) || Equals(a, b));
    default:
      break;
  }
  if (a.is_undefined()) FailUndefined(a);
  if (b.is_undefined()) FailUndefined(b);
  if (op == BinaryOp::kAdd) {
    if (a.is_string() && b.is_string()) {
      budget.CheckStringSize(a.str().size() + b.str().size());
      budget.Charge(a.str().size() + b.str().size());
      return Value(a.str() + b.str());
    }
    if (a.is_array() && b.is_array() && a.array().tuple == b.array().tuple) {
      std::vector<Value> items = a.array().items;
      items.insert(items.end(), b.array().items.begin(), b.array().items.end());
      budget.Charge(items.size());
      return Value::MakeArray(std::move(items), a.array().tuple);
    }
  }
  if (op == BinaryOp::kMul) {
    if ((a.is_string() || a.is_array()) && b.is_integral()) return Repeat(a, b.int_value(), budget);
    if (a.is_integral() && (b.is_string() || b.is_array())) return Repeat(b, a.int_value(), budget);
  }
  if (op == BinaryOp::kMod && a.is_string()) return PercentFormat(a.str(), b, budget);
  return Arithmetic(op, a, b);
}

Value ApplyUnary(const Value& value, bool negative) {
  if (value.is_undefined()) FailUndefined(value);
  if (!value.is_number()) {
    Fail("bad operand type for unary {}: '{}'", negative ? "-" : "+", value.TypeName());
  }
  if (value.is_float()) return Value(negative ? -value.number() : value.number());
  const int64_t i = value.int_value();
  if (negative && i == INT64_MIN) Fail("integer overflow in template arithmetic");
  return Value(negative ? -i : i);
}

bool LessThan(const Value& a, const Value& b) {
  if (a.is_undefined()) FailUndefined(a);
  if (b.is_undefined()) FailUndefined(b);
  if (a.is_number() && b.is_number()) {
    if (a.is_integral() && b.is_integral()) return a.int_value() < b.int_value();
    return a.number() < b.number();
  }
  if (a.is_string() && b.is_string()) return a.str() < b.str();
  if (a.is_array() && b.is_array()) {
    const auto& x = a.array().items;
    const auto& y = b.array().items;
    for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
      if (!Equals(x[i], y[i])) return LessThan(x[i], y[i]);
    }
    return x.size() < y.size();
  }
  Fail("'<' not supported between instances of '{}' and '{}'", a.TypeName(), b.TypeName());
}

bool Contains(const Value& container, const Value& item) {
  switch (container.kind()) {
    case Value::Kind::kUndefined:
      return false;
    case Value::Kind::kString:
      if (!item.is_string()) {
        Fail("'in <string>' requires string as left operand, not {}", item.TypeName());
      }
      return container.str().find(item.str()) != std::string::npos;
    case Value::Kind::kArray:
      for (const Value& element : container.array().items) {
        if (Equals(element, item)) return true;
      }
      return false;
    case Value::Kind::kObject:
      return item.is_string() && container.object().Find(item.str()) != nullptr;
    case Value::Kind::kNamespace:
      return item.is_string() && container.ns().attrs.Find(item.str()) != nullptr;
    default:
      Fail("argument of type '{}' is not iterable", container.TypeName());
  }
}

std::vector<Value> Iterate(const Value& value, Budget& budget) {
  std::vector<Value> items;
  switch (value.kind()) {
    case Value::Kind::kUndefined:
      break;
    case Value::Kind::kString: {
      const std::string& s = value.str();
      size_t len = 0;
      for (size_t i = 0; i < s.size(); i += len) {
        utf8::Decode(s, i, &len);
        items.emplace_back(s.substr(i, len));
      }
      break;
    }
    case Value::Kind::kArray:
      items = value.array().items;
      break;
    case Value::Kind::kObject:
      for (const auto& entry : value.object().entries()) items.emplace_back(entry.first);
      break;
    default:
      Fail("'{}' object is not iterable", value.TypeName());
  }
  budget.Charge(items.size());
  return items;
}

}  // namespace densing::jinja
