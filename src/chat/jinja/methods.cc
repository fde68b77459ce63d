// Method dispatch: str methods (string_methods.cc), dict.items()/keys()/values()/get(),
// list.count()/index().
#include "chat/jinja/methods.h"

#include "base/error.h"
#include "chat/jinja/call_args.h"
#include "chat/jinja/string_methods.h"

namespace densing::jinja {

namespace {

bool IsDictMethod(std::string_view name) {
  return name == "items" || name == "keys" || name == "values" || name == "get";
}

bool IsListMethod(std::string_view name) { return name == "count" || name == "index"; }

Value CallDictMethod(const Object& object, std::string_view name, ArgReader& args, Budget& budget) {
  budget.Charge(object.size());
  if (name == "get") {
    const Value key = args.Require(0, "key");
    const Value fallback = args.Get(1, "default", Value::None());
    const Value* found = key.is_string() ? object.Find(key.str()) : nullptr;
    return found != nullptr ? *found : fallback;
  }
  std::vector<Value> items;
  items.reserve(object.size());
  for (const auto& [key, value] : object.entries()) {
    if (name == "keys") {
      items.emplace_back(key);
    } else if (name == "values") {
      items.push_back(value);
    } else {
      items.push_back(Value::MakeArray({Value(key), value}, /*tuple=*/true));
    }
  }
  return Value::MakeArray(std::move(items));
}

Value CallListMethod(const Array& array, std::string_view name, ArgReader& args, Budget& budget) {
  budget.Charge(array.items.size());
  const Value needle = args.Require(0, "value");
  int64_t count = 0;
  for (size_t i = 0; i < array.items.size(); ++i) {
    if (!Equals(array.items[i], needle)) continue;
    if (name == "index") return Value(static_cast<int64_t>(i));
    ++count;
  }
  if (name == "index") Fail("list.index(x): x not in list");
  return Value(count);
}

}  // namespace

bool HasMethod(const Value& obj, std::string_view name) {
  switch (obj.kind()) {
    case Value::Kind::kString:
      return IsStringMethod(name);
    case Value::Kind::kObject:
      return IsDictMethod(name);
    case Value::Kind::kArray:
      return IsListMethod(name);
    default:
      return false;
  }
}

Value CallMethod(const Value& obj, std::string_view name, const Args& args, Budget& budget) {
  ArgReader reader(fmt::format("{}.{}()", obj.TypeName(), name), args);
  Value result;
  if (obj.is_string()) {
    result = CallStringMethod(obj.str(), name, reader, budget);
    if (name == "format") return result;  // str.format ignores unused arguments
  } else if (obj.is_object()) {
    result = CallDictMethod(obj.object(), name, reader, budget);
  } else if (obj.is_array()) {
    result = CallListMethod(obj.array(), name, reader, budget);
  } else {
    Fail("'{}' object has no method '{}'", obj.TypeName(), name);
  }
  reader.Done();
  return result;
}

}  // namespace densing::jinja
