// How deep JSON text nests, found without parsing it. nlohmann-json copies, prints and compares
// values recursively, so text from a stranger (a request body, a model's output) is checked
// before it becomes a value.
#pragma once

#include <string_view>

namespace densing {

// Deepest nesting of arrays and objects that untrusted JSON may have.
inline constexpr int kMaxJsonDepth = 128;

// Whether the text opens more than max_depth arrays or objects inside each other (strings and
// their escapes skipped; the text need not be valid JSON).
bool NestedDeeperThan(std::string_view json, int max_depth);

}  // namespace densing
