// obj.name, obj[key] and obj[a:b:c].
#include "chat/jinja/access.h"

#include <algorithm>

#include "base/error.h"
#include "chat/jinja/methods.h"
#include "chat/jinja/utf8.h"
#include "chat/jinja/value_format.h"

namespace densing::jinja {

namespace {

std::string Owner(const Value& obj) {
  return obj.is_none() ? "None" : fmt::format("'{} object'", obj.TypeName());
}

Value Missing(const Value& obj, const std::string& name) {
  return Value::Undefined(fmt::format("{} has no attribute '{}'", Owner(obj), name));
}

Value BoundMethod(const Value& obj, const std::string& name, Budget& budget) {
  return Value::MakeFunction(
      name, [obj, name, &budget](Args& args) { return CallMethod(obj, name, args, budget); }, &obj);
}

// Python's index normalization: negative counts from the end; out of range is -1.
int64_t NormalizeIndex(int64_t index, size_t size) {
  const auto n = static_cast<int64_t>(size);
  if (index < 0) index += n;
  return index >= 0 && index < n ? index : -1;
}

}  // namespace

Value GetAttr(const Value& obj, const std::string& name, Budget& budget) {
  if (HasMethod(obj, name)) return BoundMethod(obj, name, budget);
  if (obj.is_object()) {
    const Value* value = obj.object().Find(name);
    return value != nullptr ? *value : Missing(obj, name);
  }
  if (obj.is_namespace()) {
    const Value* value = obj.ns().attrs.Find(name);
    return value != nullptr ? *value : Missing(obj, name);
  }
  return Missing(obj, name);
}

Value GetItem(const Value& obj, const Value& key, Budget& budget) {
  if (obj.is_object() && key.is_string()) {
    if (const Value* value = obj.object().Find(key.str())) return *value;
  } else if (obj.is_namespace() && key.is_string()) {
    if (const Value* value = obj.ns().attrs.Find(key.str())) return *value;
  } else if (obj.is_array() && key.is_integral()) {
    const auto& items = obj.array().items;
    const int64_t i = NormalizeIndex(key.int_value(), items.size());
    if (i >= 0) return items[i];
    return Value::Undefined(fmt::format("{} has no element {}", Owner(obj), key.int_value()));
  } else if (obj.is_string() && key.is_integral()) {
    const std::vector<size_t> offsets = utf8::Offsets(obj.str());
    const int64_t i = NormalizeIndex(key.int_value(), offsets.size() - 1);
    if (i >= 0) return Value(obj.str().substr(offsets[i], offsets[i + 1] - offsets[i]));
    return Value::Undefined(fmt::format("{} has no element {}", Owner(obj), key.int_value()));
  }
  if (key.is_string()) {
    if (HasMethod(obj, key.str())) return BoundMethod(obj, key.str(), budget);
    return Missing(obj, key.str());
  }
  return Value::Undefined(fmt::format("{} has no element {}", Owner(obj), Repr(key)));
}

Value GetSlice(const Value& obj, const Value* start, const Value* stop, const Value* step,
               Budget& budget) {
  auto bound = [](const Value* v) { return v == nullptr || v->is_none() || v->is_integral(); };
  if (!bound(start) || !bound(stop) || !bound(step) || !(obj.is_array() || obj.is_string())) {
    return Value::Undefined(fmt::format("{} cannot be sliced that way", Owner(obj)));
  }
  std::vector<size_t> offsets;
  size_t length = 0;
  if (obj.is_string()) {
    offsets = utf8::Offsets(obj.str());
    length = offsets.size() - 1;
  } else {
    length = obj.array().items.size();
  }
  // CPython's PySlice_AdjustIndices.
  const auto n = static_cast<int64_t>(length);
  const int64_t stride = step != nullptr && !step->is_none() ? step->int_value() : 1;
  if (stride == 0) Fail("slice step cannot be zero");
  auto adjust = [&](const Value* v, int64_t fallback) {
    if (v == nullptr || v->is_none()) return fallback;
    int64_t i = v->int_value();
    if (i < 0) {
      i += n;
      if (i < 0) i = stride < 0 ? -1 : 0;
    } else if (i >= n) {
      i = stride < 0 ? n - 1 : n;
    }
    return i;
  };
  const int64_t first = adjust(start, stride < 0 ? n - 1 : 0);
  const int64_t last = adjust(stop, stride < 0 ? -1 : n);
  int64_t count = 0;  // computed without stepping past the ends, so huge steps cannot overflow
  if (stride > 0 && last > first) count = (last - first - 1) / stride + 1;
  if (stride < 0 && first > last) count = (first - last - 1) / -std::max(stride, -INT64_MAX) + 1;
  std::vector<int64_t> picked;
  for (int64_t k = 0; k < count; ++k) picked.push_back(first + k * stride);
  budget.Charge(picked.size());
  if (obj.is_string()) {
    std::string out;
    for (int64_t i : picked) out.append(obj.str(), offsets[i], offsets[i + 1] - offsets[i]);
    return Value(std::move(out));
  }
  std::vector<Value> items;
  items.reserve(picked.size());
  for (int64_t i : picked) items.push_back(obj.array().items[i]);
  return Value::MakeArray(std::move(items), obj.array().tuple);
}

}  // namespace densing::jinja
