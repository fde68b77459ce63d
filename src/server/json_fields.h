// JsonFields: typed, range-checked reads of a request object's optional fields; every error is a
// 400 that names the field.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "base/json_nesting.h"

namespace densing::server {

// Parses a request body; malformed JSON, a body nested deeper than kMaxJsonDepth or one that is
// not an object is a 400.
nlohmann::json ParseJsonObject(std::string_view body);

class JsonFields {
 public:
  // `body` must be an object and outlive this reader.
  explicit JsonFields(const nlohmann::json& body) : body_(body) {}

  // nullptr when the field is absent or null (OpenAI treats both as "not given").
  const nlohmann::json* Get(const char* name) const;

  std::optional<double> Number(const char* name, double lo, double hi) const;
  std::optional<int64_t> Integer(const char* name, int64_t lo, int64_t hi) const;
  std::optional<bool> Bool(const char* name) const;
  std::optional<std::string> String(const char* name) const;

 private:
  const nlohmann::json& body_;
};

// An integer, also when written as a float with no fraction (5.0); nullopt otherwise.
std::optional<int64_t> AsInteger(const nlohmann::json& v);
// "number", "string", ...: for messages that say what was found.
std::string JsonTypeName(const nlohmann::json& v);

}  // namespace densing::server
