// Global functions a template can call: range(), namespace(), dict(), joiner(), and the two
// transformers adds for chat templates, raise_exception() and strftime_now().
#pragma once

#include <optional>
#include <string_view>

#include "base/error.h"
#include "chat/jinja/value.h"

namespace densing::jinja {

class Interpreter;

// What raise_exception(message) throws: its message is the template's own, so the renderer
// passes it on without adding a line number.
class TemplateRaised : public Error {
 public:
  using Error::Error;
};

std::optional<Value> LookupBuiltin(std::string_view name, Interpreter& interpreter);

}  // namespace densing::jinja
