// Jinja's filters, the right-hand side of `value | name(args)`, split by what they work on.
#pragma once

#include <string_view>

#include "chat/jinja/call_args.h"
#include "chat/jinja/value.h"

namespace densing::jinja {

class Interpreter;

using FilterFn = Value (*)(Interpreter& interpreter, const Value& input, ArgReader& args);

// Each returns null for a name it does not own.
FilterFn FindTextFilter(std::string_view name);      // filters_text.cc
FilterFn FindSequenceFilter(std::string_view name);  // filters_sequence.cc

bool IsFilterName(std::string_view name);

// Follows a dotted attribute path like "function.name" or "items.0", as filters' attribute=
// arguments do.
Value AttributePath(const Value& value, std::string_view path, Interpreter& interpreter);

}  // namespace densing::jinja
