// The Python methods templates call on strings, dicts and lists: 'a'.strip(), d.items(), ...
#pragma once

#include <string_view>

#include "chat/jinja/limits.h"
#include "chat/jinja/value.h"

namespace densing::jinja {

// Whether values of obj's type have this method. Mutating methods (append, update, ...) are
// absent, as in transformers' immutable sandbox.
bool HasMethod(const Value& obj, std::string_view name);
// Calls a method that HasMethod() reported.
Value CallMethod(const Value& obj, std::string_view name, const Args& args, Budget& budget);

}  // namespace densing::jinja
