// Jinja's tests, the right-hand side of `value is name(args)`.
#include <algorithm>
#include <array>

#include "base/error.h"
#include "chat/jinja/call_args.h"
#include "chat/jinja/filters.h"
#include "chat/jinja/interpreter.h"
#include "chat/jinja/operators.h"
#include "chat/jinja/utf8.h"

namespace densing::jinja {

namespace {

constexpr std::array<std::string_view, 36> kTests = {
    "defined",  "undefined", "none",   "boolean", "false",       "true",
    "integer",  "float",     "number", "string",  "mapping",     "iterable",
    "sequence", "callable",  "odd",    "even",    "divisibleby", "eq",
    "equalto",  "==",        "ne",     "!=",      "lt",          "lessthan",
    "<",        "le",        "<=",     "gt",      "greaterthan", ">",
    "ge",       ">=",        "in",     "lower",   "upper",       "sameas"};

bool IsTestName(std::string_view name) {
  return std::find(kTests.begin(), kTests.end(), name) != kTests.end() || name == "escaped" ||
         name == "filter" || name == "test";
}

int64_t IntegerOperand(const Value& value, std::string_view test) {
  if (value.is_undefined()) FailUndefined(value);
  if (!value.is_integral()) Fail("test '{}' expects an integer, got {}", test, value.TypeName());
  return value.int_value();
}

bool AllCase(const std::string& s, bool lower) {
  return lower ? utf8::Lower(s) == s : utf8::Upper(s) == s;
}

}  // namespace

bool Interpreter::ApplyTest(std::string_view name, const Value& value, Args& args) {
  if (!IsTestName(name)) Fail("no test named '{}'", name);
  ArgReader reader(fmt::format("test '{}'", name), args);
  auto other = [&] { return reader.Require(0, "other"); };
  bool result = false;
  if (name == "defined") {
    result = !value.is_undefined();
  } else if (name == "undefined") {
    result = value.is_undefined();
  } else if (name == "none") {
    result = value.is_none();
  } else if (name == "boolean") {
    result = value.is_bool();
  } else if (name == "false" || name == "true") {
    result = value.is_bool() && value.bool_value() == (name == "true");
  } else if (name == "integer") {
    result = value.is_int();
  } else if (name == "float") {
    result = value.is_float();
  } else if (name == "number") {
    result = value.is_number();
  } else if (name == "string") {
    result = value.is_string();
  } else if (name == "mapping") {
    result = value.is_object();
  } else if (name == "iterable") {  // Jinja's undefined is iterable (it yields nothing)
    result = value.is_string() || value.is_array() || value.is_object() || value.is_undefined();
  } else if (name == "sequence") {  // so is undefined, as in Jinja
    result = value.is_string() || value.is_array() || value.is_object() || value.is_undefined();
  } else if (name == "callable") {
    result = value.is_function();
  } else if (name == "odd" || name == "even") {
    result = (IntegerOperand(value, name) % 2 != 0) == (name == "odd");
  } else if (name == "divisibleby") {
    const int64_t divisor = IntegerOperand(reader.Require(0, "num"), name);
    if (divisor == 0) Fail("test 'divisibleby': division by zero");
    result = divisor == -1 || IntegerOperand(value, name) % divisor == 0;
  } else if (name == "eq" || name == "equalto" || name == "==") {
    result = Equals(value, other());
  } else if (name == "ne" || name == "!=") {
    result = !Equals(value, other());
  } else if (name == "lt" || name == "lessthan" || name == "<") {
    result = LessThan(value, other());
  } else if (name == "le" || name == "<=") {
    const Value b = other();
    result = LessThan(value, b) || Equals(value, b);
  } else if (name == "gt" || name == "greaterthan" || name == ">") {
    result = LessThan(other(), value);
  } else if (name == "ge" || name == ">=") {
    const Value b = other();
    result = LessThan(b, value) || Equals(value, b);
  } else if (name == "in") {
    result = Contains(reader.Require(0, "seq"), value);
  } else if (name == "lower" || name == "upper") {
    result = value.is_string() && AllCase(value.str(), name == "lower");
  } else if (name == "sameas") {
    const Value b = other();
    if (value.kind() != b.kind()) {
      result = false;
    } else if (value.is_array()) {
      result = &value.array() == &b.array();
    } else if (value.is_object()) {
      result = &value.object() == &b.object();
    } else {
      result = Equals(value, b);
    }
  } else if (name == "escaped") {
    result = false;
  } else if (name == "filter") {
    result = value.is_string() && IsFilterName(value.str());
  } else if (name == "test") {
    result = value.is_string() && IsTestName(value.str());
  }
  reader.Done();
  return result;
}

}  // namespace densing::jinja
