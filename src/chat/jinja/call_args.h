// ArgReader: binds the arguments of a filter, test, method or global function by position or
// keyword, Python style, and rejects the ones nobody asked for.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "chat/jinja/value.h"

namespace densing::jinja {

class ArgReader {
 public:
  // `what` names the callee in messages, e.g. "filter 'join'".
  ArgReader(std::string what, const Args& args) : what_(std::move(what)), args_(args) {}

  // The argument at `index` or named `name`; null when absent. An argument given both ways is
  // an Error.
  const Value* Find(size_t index, std::string_view name);
  Value Get(size_t index, std::string_view name, Value fallback = Value());
  // Like Get, but absence is an Error.
  Value Require(size_t index, std::string_view name);
  std::string GetString(size_t index, std::string_view name, std::string fallback);
  int64_t GetInt(size_t index, std::string_view name, int64_t fallback);
  bool GetBool(size_t index, std::string_view name, bool fallback);
  // Positional arguments from `index` on, e.g. the arguments a filter passes to a test.
  std::vector<Value> Rest(size_t index);
  // Throws unless every argument was read.
  void Done();

  const std::string& what() const { return what_; }
  const Args& raw() const { return args_; }

 private:
  std::string what_;
  const Args& args_;
  size_t positional_used_ = 0;
  std::vector<std::string_view> keywords_used_;
};

}  // namespace densing::jinja
