// Value construction, truthiness and Python-style equality.
#include "chat/jinja/value.h"

#include <algorithm>

#include "base/error.h"

namespace densing::jinja {

namespace {

constexpr size_t kIndexThreshold = 16;

void CheckDepth(int depth) {
  if (depth > kMaxValueDepth) Fail("value nested deeper than {} levels", kMaxValueDepth);
}

}  // namespace

Object::Object(std::vector<std::pair<std::string, Value>> entries) : entries_(std::move(entries)) {
  if (entries_.size() > kIndexThreshold) {
    for (size_t i = 0; i < entries_.size(); ++i) index_.emplace(entries_[i].first, i);
  }
}

const Value* Object::Find(std::string_view key) const {
  if (!index_.empty()) {
    auto it = index_.find(std::string(key));
    return it == index_.end() ? nullptr : &entries_[it->second].second;
  }
  for (const auto& [k, v] : entries_) {
    if (k == key) return &v;
  }
  return nullptr;
}

void Object::Set(std::string key, Value value) {
  if (index_.empty()) {
    for (auto& [k, v] : entries_) {
      if (k == key) {
        v = std::move(value);
        return;
      }
    }
  } else if (auto it = index_.find(key); it != index_.end()) {
    entries_[it->second].second = std::move(value);
    return;
  }
  entries_.emplace_back(std::move(key), std::move(value));
  if (entries_.size() > kIndexThreshold) {
    if (index_.empty()) {
      for (size_t i = 0; i < entries_.size(); ++i) index_.emplace(entries_[i].first, i);
    } else {
      index_.emplace(entries_.back().first, entries_.size() - 1);
    }
  }
}

Value Value::Undefined(std::string hint) {
  Value v;
  v.data_ = UndefinedData{std::move(hint)};
  return v;
}

Value Value::None() {
  Value v;
  v.data_ = NoneData{};
  return v;
}

Value Value::MakeArray(std::vector<Value> items, bool tuple) {
  Value v;
  int depth = 0;
  for (const Value& item : items) {
    depth = std::max(depth, item.depth_);
    v.holds_namespace_ |= item.holds_namespace_;
  }
  v.depth_ = depth + 1;
  CheckDepth(v.depth_);
  v.data_ = std::make_shared<const Array>(Array{std::move(items), tuple});
  return v;
}

Value Value::MakeObject(Object object) {
  Value v;
  int depth = 0;
  for (const auto& [key, item] : object.entries()) {
    depth = std::max(depth, item.depth_);
    v.holds_namespace_ |= item.holds_namespace_;
  }
  v.depth_ = depth + 1;
  CheckDepth(v.depth_);
  v.data_ = std::make_shared<const Object>(std::move(object));
  return v;
}

Value Value::MakeNamespace(Object attrs) {
  Value v;
  int depth = 0;
  for (const auto& [key, item] : attrs.entries()) {
    if (item.holds_namespace_) Fail("namespace attribute '{}' cannot hold a namespace", key);
    depth = std::max(depth, item.depth_);
  }
  v.depth_ = depth + 1;
  CheckDepth(v.depth_);
  v.holds_namespace_ = true;
  v.data_ = std::make_shared<Namespace>(Namespace{std::move(attrs)});
  return v;
}

Value Value::MakeFunction(std::string name, std::function<Value(Args&)> call, const Value* bound_to,
                          bool holds_namespace) {
  Value v;
  v.holds_namespace_ = holds_namespace;
  if (bound_to != nullptr) {
    v.depth_ = bound_to->depth_;
    v.holds_namespace_ |= bound_to->holds_namespace_;
  }
  v.data_ = std::make_shared<const Function>(Function{std::move(name), std::move(call)});
  return v;
}

int64_t Value::int_value() const {
  return is_bool() ? static_cast<int64_t>(bool_value()) : std::get<int64_t>(data_);
}

double Value::number() const {
  return is_float() ? std::get<double>(data_) : static_cast<double>(int_value());
}

bool Value::Truthy() const {
  switch (kind()) {
    case Kind::kUndefined:
    case Kind::kNone:
      return false;
    case Kind::kBool:
      return bool_value();
    case Kind::kInt:
      return int_value() != 0;
    case Kind::kFloat:
      return number() != 0.0;
    case Kind::kString:
      return !str().empty();
    case Kind::kArray:
      return !array().items.empty();
    case Kind::kObject:
      return object().size() != 0;
    case Kind::kNamespace:
    case Kind::kFunction:
      return true;
  }
  return false;
}

const char* Value::TypeName() const {
  switch (kind()) {
    case Kind::kUndefined:
      return "undefined";
    case Kind::kNone:
      return "NoneType";
    case Kind::kBool:
      return "bool";
    case Kind::kInt:
      return "int";
    case Kind::kFloat:
      return "float";
    case Kind::kString:
      return "str";
    case Kind::kArray:
      return array().tuple ? "tuple" : "list";
    case Kind::kObject:
      return "dict";
    case Kind::kNamespace:
      return "Namespace";
    case Kind::kFunction:
      return "function";
  }
  return "?";
}

bool Equals(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_float() || b.is_float()) return a.number() == b.number();
    return a.int_value() == b.int_value();
  }
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Value::Kind::kUndefined:
    case Value::Kind::kNone:
      return true;
    case Value::Kind::kString:
      return a.str() == b.str();
    case Value::Kind::kArray: {
      const Array& x = a.array();
      const Array& y = b.array();
      if (x.tuple != y.tuple || x.items.size() != y.items.size()) return false;
      for (size_t i = 0; i < x.items.size(); ++i) {
        if (!Equals(x.items[i], y.items[i])) return false;
      }
      return true;
    }
    case Value::Kind::kObject: {
      const Object& x = a.object();
      const Object& y = b.object();
      if (x.size() != y.size()) return false;
      for (const auto& [key, value] : x.entries()) {
        const Value* other = y.Find(key);
        if (other == nullptr || !Equals(value, *other)) return false;
      }
      return true;
    }
    case Value::Kind::kNamespace:
      return &a.ns() == &b.ns();
    case Value::Kind::kFunction:
      return &a.function() == &b.function();
    default:
      return false;
  }
}

}  // namespace densing::jinja
