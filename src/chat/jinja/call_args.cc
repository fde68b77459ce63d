// Argument binding for the interpreter's built-in callables.
#include "chat/jinja/call_args.h"

#include <algorithm>

#include "base/error.h"

namespace densing::jinja {

const Value* ArgReader::Find(size_t index, std::string_view name) {
  const Value* found = nullptr;
  if (index < args_.positional.size()) {
    found = &args_.positional[index];
    positional_used_ = std::max(positional_used_, index + 1);
  }
  for (const auto& [key, value] : args_.keyword) {
    if (key != name) continue;
    if (found != nullptr) Fail("{} got multiple values for argument '{}'", what_, name);
    found = &value;
    keywords_used_.push_back(key);
  }
  return found;
}

Value ArgReader::Get(size_t index, std::string_view name, Value fallback) {
  const Value* value = Find(index, name);
  return value != nullptr ? *value : std::move(fallback);
}

Value ArgReader::Require(size_t index, std::string_view name) {
  const Value* value = Find(index, name);
  if (value == nullptr) Fail("{} is missing its argument '{}'", what_, name);
  return *value;
}

std::string ArgReader::GetString(size_t index, std::string_view name, std::string fallback) {
  const Value* value = Find(index, name);
  if (value == nullptr || value->is_none()) return fallback;
  if (!value->is_string()) {
    Fail("{} expects a string for '{}', got {}", what_, name, value->TypeName());
  }
  return value->str();
}

int64_t ArgReader::GetInt(size_t index, std::string_view name, int64_t fallback) {
  const Value* value = Find(index, name);
  if (value == nullptr || value->is_none()) return fallback;
  if (!value->is_integral()) {
    Fail("{} expects an integer for '{}', got {}", what_, name, value->TypeName());
  }
  return value->int_value();
}

bool ArgReader::GetBool(size_t index, std::string_view name, bool fallback) {
  const Value* value = Find(index, name);
  return value != nullptr ? value->Truthy() : fallback;
}

std::vector<Value> ArgReader::Rest(size_t index) {
  std::vector<Value> rest;
  for (size_t i = index; i < args_.positional.size(); ++i) rest.push_back(args_.positional[i]);
  positional_used_ = std::max(positional_used_, args_.positional.size());
  return rest;
}

void ArgReader::Done() {
  if (positional_used_ < args_.positional.size()) {
    Fail("{} takes at most {} positional argument(s), got {}", what_, positional_used_,
         args_.positional.size());
  }
  for (const auto& [key, value] : args_.keyword) {
    if (std::find(keywords_used_.begin(), keywords_used_.end(), key) == keywords_used_.end()) {
      Fail("{} got an unexpected keyword argument '{}'", what_, key);
    }
  }
}

}  // namespace densing::jinja
