// Typed metadata getters: a missing key or a value of the wrong type names the key and the type.
#include <limits>

#include "base/error.h"
#include "gguf/gguf_file.h"

namespace densing::gguf {
namespace {

[[noreturn]] void WrongType(const std::string& file, std::string_view key, const char* expected,
                            const Value& v) {
  Fail("{}: metadata key '{}' should be {} but is {}", file, key, expected, ValueTypeName(v.type));
}

std::optional<int64_t> AsInt(const Value& v) {
  if (const auto* u = std::get_if<uint64_t>(&v.data)) {
    if (*u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
    return static_cast<int64_t>(*u);
  }
  if (const auto* i = std::get_if<int64_t>(&v.data)) return *i;
  return std::nullopt;
}

}  // namespace

int64_t File::GetInt(std::string_view key) const {
  const Value* v = Find(key);
  if (v == nullptr) Fail("{}: metadata key '{}' (an integer) is missing", name_, key);
  std::optional<int64_t> i = AsInt(*v);
  if (!i) WrongType(name_, key, "an integer", *v);
  return *i;
}

int64_t File::GetIntOr(std::string_view key, int64_t fallback) const {
  return Has(key) ? GetInt(key) : fallback;
}

double File::GetFloat(std::string_view key) const {
  const Value* v = Find(key);
  if (v == nullptr) Fail("{}: metadata key '{}' (a number) is missing", name_, key);
  if (const auto* d = std::get_if<double>(&v->data)) return *d;
  if (std::optional<int64_t> i = AsInt(*v)) return static_cast<double>(*i);
  WrongType(name_, key, "a number", *v);
}

double File::GetFloatOr(std::string_view key, double fallback) const {
  return Has(key) ? GetFloat(key) : fallback;
}

bool File::GetBool(std::string_view key) const {
  const Value* v = Find(key);
  if (v == nullptr) Fail("{}: metadata key '{}' (a bool) is missing", name_, key);
  if (const auto* b = std::get_if<bool>(&v->data)) return *b;
  WrongType(name_, key, "a bool", *v);
}

bool File::GetBoolOr(std::string_view key, bool fallback) const {
  return Has(key) ? GetBool(key) : fallback;
}

const std::string& File::GetString(std::string_view key) const {
  const Value* v = Find(key);
  if (v == nullptr) Fail("{}: metadata key '{}' (a string) is missing", name_, key);
  if (const auto* s = std::get_if<std::string>(&v->data)) return *s;
  WrongType(name_, key, "a string", *v);
}

std::string File::GetStringOr(std::string_view key, const std::string& fallback) const {
  return Has(key) ? GetString(key) : fallback;
}

const Array& File::GetArray(std::string_view key) const {
  const Value* v = Find(key);
  if (v == nullptr) Fail("{}: metadata key '{}' (an array) is missing", name_, key);
  if (const auto* a = std::get_if<Array>(&v->data)) return *a;
  WrongType(name_, key, "an array", *v);
}

std::vector<std::string> File::GetStringArray(std::string_view key) const {
  const Array& a = GetArray(key);
  if (a.elem_type != ValueType::kString) {
    Fail("{}: metadata key '{}' should be an array of string but holds {}", name_, key,
         ValueTypeName(a.elem_type));
  }
  std::vector<std::string> out;
  out.reserve(a.items.size());
  for (const Value& v : a.items) out.push_back(std::get<std::string>(v.data));
  return out;
}

std::vector<float> File::GetFloatArray(std::string_view key) const {
  const Array& a = GetArray(key);
  std::vector<float> out;
  out.reserve(a.items.size());
  for (const Value& v : a.items) {
    if (const auto* d = std::get_if<double>(&v.data)) {
      out.push_back(static_cast<float>(*d));
    } else if (std::optional<int64_t> i = AsInt(v)) {
      out.push_back(static_cast<float>(*i));
    } else {
      Fail("{}: metadata key '{}' should be an array of numbers but holds {}", name_, key,
           ValueTypeName(a.elem_type));
    }
  }
  return out;
}

std::vector<int64_t> File::GetIntArray(std::string_view key) const {
  const Array& a = GetArray(key);
  std::vector<int64_t> out;
  out.reserve(a.items.size());
  for (const Value& v : a.items) {
    std::optional<int64_t> i = AsInt(v);
    if (!i) {
      Fail("{}: metadata key '{}' should be an array of integers but holds {}", name_, key,
           ValueTypeName(a.elem_type));
    }
    out.push_back(*i);
  }
  return out;
}

}  // namespace densing::gguf
