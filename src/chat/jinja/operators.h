// Python semantics of Jinja's operators: arithmetic, comparison, membership and iteration.
#pragma once

#include <vector>

#include "chat/jinja/ast.h"
#include "chat/jinja/limits.h"
#include "chat/jinja/value.h"

namespace densing::jinja {

// Throws the Error that using an undefined value in an operation gives.
[[noreturn]] void FailUndefined(const Value& value);

Value ApplyBinary(BinaryOp op, const Value& a, const Value& b, Budget& budget);
// Unary minus (negative) or plus.
Value ApplyUnary(const Value& value, bool negative);
// Python's a < b for numbers, strings and sequences; anything else is an Error.
bool LessThan(const Value& a, const Value& b);
// Python's `item in container`.
bool Contains(const Value& container, const Value& item);
// What `for x in value` visits: list items, dict keys, string characters; nothing for undefined.
std::vector<Value> Iterate(const Value& value, Budget& budget);

}  // namespace densing::jinja
