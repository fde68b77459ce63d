// Value: what a Jinja expression evaluates to (Python's None, bool, int, float, str, list, dict,
// plus Jinja's undefined, namespaces and callables).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

namespace densing::jinja {

class Value;

// Containers deeper than this are refused, so that every recursive walk (printing, comparing,
// destroying) stays shallow whatever a template or its context does.
inline constexpr int kMaxValueDepth = 200;

struct Array {
  std::vector<Value> items;
  bool tuple = false;  // prints as (a, b) instead of [a, b]
};

// A dict with string keys that keeps insertion order, like Python's.
class Object {
 public:
  Object() = default;
  // Entries with distinct keys, taken as they are.
  explicit Object(std::vector<std::pair<std::string, Value>> entries);

  const Value* Find(std::string_view key) const;
  void Set(std::string key, Value value);
  const std::vector<std::pair<std::string, Value>>& entries() const { return entries_; }
  size_t size() const;  // defined below Value: clang needs the element type complete

 private:
  std::vector<std::pair<std::string, Value>> entries_;
  std::unordered_map<std::string, size_t> index_;  // only for larger objects
};

// Arguments of a call: f(a, b, key=c).
struct Args {
  std::vector<Value> positional;
  std::vector<std::pair<std::string, Value>> keyword;
};

struct Function {
  std::string name;
  std::function<Value(Args&)> call;
};

// The object made by namespace(): the one mutable value, shared by every copy.
struct Namespace {
  Object attrs;
};

class Value {
 public:
  enum class Kind : uint8_t {
    kUndefined,
    kNone,
    kBool,
    kInt,
    kFloat,
    kString,
    kArray,
    kObject,
    kNamespace,
    kFunction,
  };

  Value() = default;  // undefined
  Value(bool b) : data_(b) {}
  Value(int i) : data_(static_cast<int64_t>(i)) {}
  Value(int64_t i) : data_(i) {}
  Value(double f) : data_(f) {}
  Value(std::string s) : data_(std::move(s)) {}
  Value(const char* s) : data_(std::string(s)) {}

  // An undefined value remembers what was looked up, for error messages.
  static Value Undefined(std::string hint);
  static Value None();
  static Value MakeArray(std::vector<Value> items, bool tuple = false);
  static Value MakeObject(Object object);
  static Value MakeNamespace(Object attrs);
  // bound_to: the object a bound method holds, if any; holds_namespace: whether the function
  // otherwise keeps a namespace alive (a closure).
  static Value MakeFunction(std::string name, std::function<Value(Args&)> call,
                            const Value* bound_to = nullptr, bool holds_namespace = false);

  Kind kind() const { return static_cast<Kind>(data_.index()); }
  bool is_undefined() const { return kind() == Kind::kUndefined; }
  bool is_none() const { return kind() == Kind::kNone; }
  bool is_bool() const { return kind() == Kind::kBool; }
  bool is_int() const { return kind() == Kind::kInt; }
  bool is_float() const { return kind() == Kind::kFloat; }
  bool is_string() const { return kind() == Kind::kString; }
  bool is_array() const { return kind() == Kind::kArray; }
  bool is_object() const { return kind() == Kind::kObject; }
  bool is_namespace() const { return kind() == Kind::kNamespace; }
  bool is_function() const { return kind() == Kind::kFunction; }
  // Python's bool is an int: True + 1 == 2.
  bool is_integral() const { return is_int() || is_bool(); }
  bool is_number() const { return is_integral() || is_float(); }

  bool bool_value() const { return std::get<bool>(data_); }
  int64_t int_value() const;  // bool or int
  double number() const;      // bool, int or float
  const std::string& str() const { return std::get<std::string>(data_); }
  const Array& array() const { return *std::get<std::shared_ptr<const Array>>(data_); }
  const Object& object() const { return *std::get<std::shared_ptr<const Object>>(data_); }
  Namespace& ns() const { return *std::get<std::shared_ptr<Namespace>>(data_); }
  const Function& function() const { return *std::get<std::shared_ptr<const Function>>(data_); }
  const std::string& undefined_hint() const { return std::get<UndefinedData>(data_).hint; }

  bool Truthy() const;
  // Container nesting: 0 for scalars, 1 for a flat list.
  int depth() const { return depth_; }
  // Whether a namespace is reachable from this value; a namespace may not hold such a value, so
  // that no value ever contains itself.
  bool holds_namespace() const { return holds_namespace_; }
  // Python's type name for messages: 'str', 'int', 'list', 'dict', 'NoneType', ...
  const char* TypeName() const;

 private:
  struct UndefinedData {
    std::string hint;
  };
  struct NoneData {};
  std::variant<UndefinedData, NoneData, bool, int64_t, double, std::string,
               std::shared_ptr<const Array>, std::shared_ptr<const Object>,
               std::shared_ptr<Namespace>, std::shared_ptr<const Function>>
      data_;
  int depth_ = 0;
  bool holds_namespace_ = false;
};

inline size_t Object::size() const { return entries_.size(); }

// Python's ==: numbers by value (1 == 1.0 == True), containers deeply, dicts ignoring order.
bool Equals(const Value& a, const Value& b);

}  // namespace densing::jinja
