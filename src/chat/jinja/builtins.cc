// Global functions.
#include "chat/jinja/builtins.h"

#include <ctime>
#include <memory>

#include "chat/jinja/call_args.h"
#include "chat/jinja/interpreter.h"
#include "chat/jinja/value_format.h"

namespace densing::jinja {

namespace {

Value Range(Args& args, Budget& budget) {
  ArgReader reader("range()", args);
  for (const Value& arg : args.positional) {
    if (!arg.is_integral()) Fail("range() expects integers, got {}", arg.TypeName());
  }
  int64_t start = 0, stop = 0, step = 1;
  if (args.positional.size() == 1) {
    stop = reader.GetInt(0, "stop", 0);
  } else {
    start = reader.GetInt(0, "start", 0);
    stop = reader.GetInt(1, "stop", 0);
    step = reader.GetInt(2, "step", 1);
  }
  reader.Done();
  if (args.positional.empty()) Fail("range() expects at least 1 argument");
  if (step == 0) Fail("range() arg 3 must not be zero");
  // Count without overflow: the distance may not fit in int64.
  const __int128 distance = static_cast<__int128>(stop) - start;
  __int128 count = 0;
  if (step > 0 && distance > 0) count = (distance - 1) / step + 1;
  if (step < 0 && distance < 0) count = (-distance - 1) / -static_cast<__int128>(step) + 1;
  if (count > static_cast<__int128>(budget.limits().max_loop_iterations)) {
    Fail("range() of {} items exceeds the template loop limit of {}", static_cast<double>(count),
         budget.limits().max_loop_iterations);
  }
  budget.Charge(static_cast<uint64_t>(count));
  std::vector<Value> items;
  items.reserve(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) items.emplace_back(start + i * step);
  return Value::MakeArray(std::move(items));
}

// dict(mapping, **kwargs) and namespace(mapping, **kwargs).
Object Mapping(std::string_view what, Args& args) {
  if (args.positional.size() > 1) Fail("{}() takes at most 1 positional argument", what);
  Object object;
  if (!args.positional.empty()) {
    const Value& source = args.positional[0];
    if (source.is_object()) {
      object = source.object();
    } else if (source.is_array()) {
      for (const Value& pair : source.array().items) {
        if (!pair.is_array() || pair.array().items.size() != 2 ||
            !pair.array().items[0].is_string()) {
          Fail("{}(): expected (key, value) pairs with string keys", what);
        }
        object.Set(pair.array().items[0].str(), pair.array().items[1]);
      }
    } else {
      Fail("{}() expects a mapping, got {}", what, source.TypeName());
    }
  }
  for (auto& [key, value] : args.keyword) object.Set(key, value);
  return object;
}

Value StrftimeNow(Args& args) {
  ArgReader reader("strftime_now()", args);
  const std::string format = reader.GetString(0, "format", "");
  reader.Done();
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  for (size_t size = 64 + format.size() * 4; size <= (1u << 16); size *= 4) {
    std::string buffer(size, '\0');
    const size_t n = std::strftime(buffer.data(), buffer.size(), format.c_str(), &local);
    if (n > 0 || format.empty()) return Value(buffer.substr(0, n));
  }
  Fail("strftime_now(): format '{}' gives no text", format);
}

Value Joiner(Args& args) {
  ArgReader reader("joiner()", args);
  const std::string separator = reader.GetString(0, "sep", ", ");
  reader.Done();
  auto used = std::make_shared<bool>(false);
  return Value::MakeFunction("joiner", [separator, used](Args&) {
    if (!*used) {
      *used = true;
      return Value("");
    }
    return Value(separator);
  });
}

}  // namespace

std::optional<Value> LookupBuiltin(std::string_view name, Interpreter& interpreter) {
  Budget& budget = interpreter.budget();
  if (name == "range") {
    return Value::MakeFunction("range", [&budget](Args& args) { return Range(args, budget); });
  }
  if (name == "namespace") {
    return Value::MakeFunction(
        "namespace", [](Args& args) { return Value::MakeNamespace(Mapping("namespace", args)); });
  }
  if (name == "dict") {
    return Value::MakeFunction("dict",
                               [](Args& args) { return Value::MakeObject(Mapping("dict", args)); });
  }
  if (name == "raise_exception") {
    return Value::MakeFunction("raise_exception", [](Args& args) -> Value {
      ArgReader reader("raise_exception()", args);
      const Value message = reader.Get(0, "message", Value(""));
      reader.Done();
      throw TemplateRaised(ToStr(message));
    });
  }
  if (name == "strftime_now") return Value::MakeFunction("strftime_now", StrftimeNow);
  if (name == "joiner") return Value::MakeFunction("joiner", Joiner);
  return std::nullopt;
}

}  // namespace densing::jinja
