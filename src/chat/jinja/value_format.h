// Turning values into text the way Python does (str(), repr(), json.dumps()) and JSON into values.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "chat/jinja/value.h"

namespace densing::jinja {

// Python's repr() of a float: shortest round-trip digits, "1.0", "1e+16", "inf", "nan".
std::string FormatFloat(double f);
// Python's str(): what {{ value }} prints. Undefined prints as "".
std::string ToStr(const Value& value);
// Python's repr(): strings quoted, as inside a printed list.
std::string Repr(const Value& value);

struct JsonOptions {
  std::optional<std::string> indent;  // json.dumps(indent=...): a number of spaces or a string
  std::string item_separator = ", ";  // ", " without indent, "," with indent, as Python picks
  std::string key_separator = ": ";
  bool sort_keys = false;
  bool ensure_ascii = false;  // transformers' tojson passes ensure_ascii=False
};
// Python's json.dumps(); undefined values and functions are an Error.
std::string ToJson(const Value& value, const JsonOptions& options);

Value FromJson(const nlohmann::ordered_json& json);
Value FromJson(const nlohmann::json& json);

}  // namespace densing::jinja
