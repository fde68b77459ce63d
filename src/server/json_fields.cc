// Typed reads of request fields.
#include "server/json_fields.h"

#include <cmath>

#include "base/json_nesting.h"
#include "server/api_error.h"

namespace densing::server {

nlohmann::json ParseJsonObject(std::string_view body) {
  // The library builds, copies and prints values recursively: a body nested a hundred thousand
  // levels deep would overflow the stack.
  if (NestedDeeperThan(body, kMaxJsonDepth)) {
    throw ApiError(400, fmt::format("the request body is nested deeper than {} levels", kMaxJsonDepth),
                   "invalid_request_error", "", "invalid_json");
  }
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    throw ApiError(400, "the request body is not valid JSON", "invalid_request_error", "",
                   "invalid_json");
  }
  if (!j.is_object()) {
    throw ApiError(400,
                   fmt::format("the request body must be a JSON object, not {}", JsonTypeName(j)),
                   "invalid_request_error", "", "invalid_json");
  }
  return j;
}

std::string JsonTypeName(const nlohmann::json& v) {
  if (v.is_number_integer()) return "an integer";
  if (v.is_number()) return "a number";
  if (v.is_string()) return "a string";
  if (v.is_boolean()) return "a boolean";
  if (v.is_array()) return "an array";
  if (v.is_object()) return "an object";
  return "null";
}

std::optional<int64_t> AsInteger(const nlohmann::json& v) {
  if (v.is_number_unsigned()) {
    const uint64_t u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<int64_t>(u);
  }
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_float()) {
    const double d = v.get<double>();
    // 2^63 itself does not fit, hence the strict bound.
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.2e18) {
      return static_cast<int64_t>(d);
    }
  }
  return std::nullopt;
}

const nlohmann::json* JsonFields::Get(const char* name) const {
  auto it = body_.find(name);
  if (it == body_.end() || it->is_null()) return nullptr;
  return &*it;
}

std::optional<double> JsonFields::Number(const char* name, double lo, double hi) const {
  const nlohmann::json* v = Get(name);
  if (!v) return std::nullopt;
  if (!v->is_number()) FailParam(name, "'{}' must be a number, not {}", name, JsonTypeName(*v));
  const double d = v->get<double>();
  if (!(d >= lo && d <= hi)) FailParam(name, "'{}' must be in [{}, {}], not {}", name, lo, hi, d);
  return d;
}

std::optional<int64_t> JsonFields::Integer(const char* name, int64_t lo, int64_t hi) const {
  const nlohmann::json* v = Get(name);
  if (!v) return std::nullopt;
  const std::optional<int64_t> i = AsInteger(*v);
  if (!i) FailParam(name, "'{}' must be an integer, not {}", name, JsonTypeName(*v));
  if (*i < lo || *i > hi) FailParam(name, "'{}' must be in [{}, {}], not {}", name, lo, hi, *i);
  return i;
}

std::optional<bool> JsonFields::Bool(const char* name) const {
  const nlohmann::json* v = Get(name);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) FailParam(name, "'{}' must be a boolean, not {}", name, JsonTypeName(*v));
  return v->get<bool>();
}

std::optional<std::string> JsonFields::String(const char* name) const {
  const nlohmann::json* v = Get(name);
  if (!v) return std::nullopt;
  if (!v->is_string()) FailParam(name, "'{}' must be a string, not {}", name, JsonTypeName(*v));
  return v->get<std::string>();
}

}  // namespace densing::server
