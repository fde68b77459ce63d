// ApiError: an Error that the server answers with an HTTP status and OpenAI's error body.
#pragma once

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <string>

#include "base/error.h"

namespace densing::server {

class ApiError : public Error {
 public:
  // `param` and `code` may be empty: they are then null in the body.
  ApiError(int status, std::string message, std::string type, std::string param, std::string code);

  int status() const { return status_; }
  const std::string& type() const { return type_; }
  const std::string& param() const { return param_; }
  const std::string& code() const { return code_; }

  // {"error": {"message", "type", "param", "code"}}
  nlohmann::json Body() const;

 private:
  int status_;
  std::string type_;
  std::string param_;
  std::string code_;
};

// A 400 invalid_request_error naming the request field at fault.
template <typename... Args>
[[noreturn]] void FailParam(const std::string& param, fmt::format_string<Args...> format,
                            Args&&... args) {
  throw ApiError(400, fmt::format(format, std::forward<Args>(args)...), "invalid_request_error",
                 param, "");
}

// The same with an error code ("context_length_exceeded", "model_not_found", ...).
template <typename... Args>
[[noreturn]] void FailCode(const std::string& param, const std::string& code,
                           fmt::format_string<Args...> format, Args&&... args) {
  throw ApiError(400, fmt::format(format, std::forward<Args>(args)...), "invalid_request_error",
                 param, code);
}

// Serializes for the wire; invalid UTF-8 (a token that is half a character) becomes U+FFFD
// instead of an exception.
std::string Dump(const nlohmann::json& j);

}  // namespace densing::server
