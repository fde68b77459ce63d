// Filter dispatch.
#include "chat/jinja/filters.h"

#include <charconv>

#include "base/error.h"
#include "chat/jinja/access.h"
#include "chat/jinja/interpreter.h"

namespace densing::jinja {

bool IsFilterName(std::string_view name) {
  return FindTextFilter(name) != nullptr || FindSequenceFilter(name) != nullptr;
}

Value AttributePath(const Value& value, std::string_view path, Interpreter& interpreter) {
  Value current = value;
  size_t start = 0;
  while (start <= path.size()) {
    const size_t dot = std::min(path.find('.', start), path.size());
    const std::string_view part = path.substr(start, dot - start);
    if (current.is_undefined()) return current;
    int64_t index = 0;
    const auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), index);
    if (!part.empty() && ec == std::errc() && ptr == part.data() + part.size()) {
      current = GetItem(current, Value(index), interpreter.budget());
    } else {
      current = GetItem(current, Value(std::string(part)), interpreter.budget());
    }
    start = dot + 1;
  }
  return current;
}

Value Interpreter::ApplyFilter(std::string_view name, const Value& input, Args& args) {
  FilterFn filter = FindTextFilter(name);
  if (filter == nullptr) filter = FindSequenceFilter(name);
  if (filter == nullptr) Fail("no filter named '{}'", name);
  ArgReader reader(fmt::format("filter '{}'", name), args);
  Value result = filter(*this, input, reader);
  reader.Done();
  return result;
}

}  // namespace densing::jinja
