// gguf::File: a validated, memory-mapped GGUF (v2/v3) file: typed metadata and tensor infos.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/mapped_file.h"
#include "tensor/tensor_view.h"

namespace densing::gguf {

enum class ValueType : uint32_t {
  kU8 = 0,
  kI8 = 1,
  kU16 = 2,
  kI16 = 3,
  kU32 = 4,
  kI32 = 5,
  kF32 = 6,
  kBool = 7,
  kString = 8,
  kArray = 9,
  kU64 = 10,
  kI64 = 11,
  kF64 = 12,
};

const char* ValueTypeName(ValueType t);

struct Value;
struct Array {
  ValueType elem_type = ValueType::kU8;
  std::vector<Value> items;
};

// One metadata value. Integers are widened to 64 bits; `type` remembers what the file said.
struct Value {
  ValueType type = ValueType::kU8;
  std::variant<uint64_t, int64_t, double, bool, std::string, Array> data;

  bool is_integer() const;

  static Value U32(uint32_t v);
  static Value F32(float v);
  static Value Str(std::string v);
  static Value I32(int32_t v);
  static Value Arr(Array v);
  bool is_float() const { return type == ValueType::kF32 || type == ValueType::kF64; }
};

struct TensorInfo {
  std::string name;
  DType type = DType::kF32;
  std::array<int64_t, 4> ne = {1, 1, 1, 1};
  int n_dims = 0;
  uint64_t offset = 0;   // from the start of the data section
  uint64_t n_bytes = 0;
};

struct KeyValue {
  std::string key;
  Value value;
};

class File {
 public:
  // Maps and validates the file; any problem throws Error "PATH: what (at offset N)".
  static std::unique_ptr<File> Open(const std::string& path);
  // Parses bytes that the caller keeps alive (tests, fuzzing). `name` is used in errors.
  static std::unique_ptr<File> FromBytes(std::span<const uint8_t> bytes, const std::string& name);

  const std::string& path() const { return name_; }
  uint32_t version() const { return version_; }
  uint64_t alignment() const { return alignment_; }
  uint64_t data_offset() const { return data_offset_; }
  uint64_t file_size() const { return bytes_.size(); }

  // Metadata in file order.
  const std::vector<KeyValue>& metadata() const { return kv_; }
  const Value* Find(std::string_view key) const;
  bool Has(std::string_view key) const { return Find(key) != nullptr; }

  // Typed getters. A missing key or a value of another type throws Error naming the key and the
  // type expected. Integer getters accept any integer type whose value fits.
  int64_t GetInt(std::string_view key) const;
  int64_t GetIntOr(std::string_view key, int64_t fallback) const;
  double GetFloat(std::string_view key) const;  // F32 or F64 (or an integer)
  double GetFloatOr(std::string_view key, double fallback) const;
  bool GetBool(std::string_view key) const;
  bool GetBoolOr(std::string_view key, bool fallback) const;
  const std::string& GetString(std::string_view key) const;
  std::string GetStringOr(std::string_view key, const std::string& fallback) const;
  const Array& GetArray(std::string_view key) const;
  std::vector<std::string> GetStringArray(std::string_view key) const;
  std::vector<float> GetFloatArray(std::string_view key) const;
  std::vector<int64_t> GetIntArray(std::string_view key) const;

  const std::vector<TensorInfo>& tensors() const { return tensors_; }
  const TensorInfo* FindTensor(std::string_view name) const;
  // A view of the tensor's bytes; throws Error naming the tensor if there is none.
  TensorView Tensor(std::string_view name) const;
  TensorView View(const TensorInfo& info) const;

 private:
  File() = default;
  void Parse();

  std::unique_ptr<MappedFile> mapped_;
  std::span<const uint8_t> bytes_;
  std::string name_;
  uint32_t version_ = 0;
  uint64_t alignment_ = 32;
  uint64_t data_offset_ = 0;
  std::vector<KeyValue> kv_;
  std::map<std::string, size_t, std::less<>> kv_index_;
  std::vector<TensorInfo> tensors_;
  std::map<std::string, size_t, std::less<>> tensor_index_;
};

}  // namespace densing::gguf
