// Python's str methods, for methods.cc: 'a b'.split(), 'x'.startswith('y'), ...
#pragma once

#include <string>
#include <string_view>

#include "chat/jinja/call_args.h"
#include "chat/jinja/limits.h"
#include "chat/jinja/value.h"

namespace densing::jinja {

bool IsStringMethod(std::string_view name);
Value CallStringMethod(const std::string& s, std::string_view name, ArgReader& args,
                       Budget& budget);

// Python's str.split(sep, maxsplit) (whitespace runs when sep is null); from the right for
// rsplit.
std::vector<std::string> PythonSplit(std::string_view s, const std::string* sep, int64_t maxsplit,
                                     bool from_right);
// Python's str.splitlines().
std::vector<std::string> PythonSplitLines(std::string_view s);
// Python's str.replace(old, new, count).
std::string PythonReplace(std::string_view s, std::string_view old, std::string_view replacement,
                          int64_t count, Budget& budget);

}  // namespace densing::jinja
