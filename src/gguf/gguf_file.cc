// Parsing and validation of the GGUF header, metadata and tensor infos. Every count, length and
// offset read from the file is checked against the bytes that remain before it is used.
#include "gguf/gguf_file.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "base/error.h"

namespace densing::gguf {
namespace {

constexpr uint32_t kMagic = 0x46554747;  // "GGUF" little-endian
constexpr int kMaxArrayDepth = 8;
constexpr int kMaxDims = 4;
constexpr uint64_t kMaxStringBytes = uint64_t{1} << 30;

// Bytes an element of each scalar type occupies (0 for string/array: variable).
uint64_t ScalarSize(ValueType t) {
  switch (t) {
    case ValueType::kU8:
    case ValueType::kI8:
    case ValueType::kBool:
      return 1;
    case ValueType::kU16:
    case ValueType::kI16:
      return 2;
    case ValueType::kU32:
    case ValueType::kI32:
    case ValueType::kF32:
      return 4;
    case ValueType::kU64:
    case ValueType::kI64:
    case ValueType::kF64:
      return 8;
    case ValueType::kString:
    case ValueType::kArray:
      return 0;
  }
  return 0;
}

// A bounds-checked cursor over the file's bytes.
class Cursor {
 public:
  Cursor(std::span<const uint8_t> bytes, const std::string& name) : bytes_(bytes), name_(name) {}

  uint64_t offset() const { return pos_; }
  uint64_t remaining() const { return bytes_.size() - pos_; }

  template <typename... Args>
  [[noreturn]] void FailAt(uint64_t at, fmt::format_string<Args...> format, Args&&... args) const {
    throw Error(fmt::format("{}: {} (at offset {})", name_,
                            fmt::format(format, std::forward<Args>(args)...), at));
  }

  template <typename T>
  T Read(const char* what) {
    if (remaining() < sizeof(T)) {
      FailAt(pos_, "file ends inside {} ({} bytes needed, {} left)", what, sizeof(T), remaining());
    }
    T v;
    std::memcpy(&v, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }

  std::string ReadString(const char* what) {
    const uint64_t at = pos_;
    const uint64_t n = Read<uint64_t>(what);
    if (n > remaining() || n > kMaxStringBytes) {
      FailAt(at, "{} has length {} but only {} bytes remain", what, n, remaining());
    }
    std::string s(reinterpret_cast<const char*>(bytes_.data() + pos_), n);
    pos_ += n;
    return s;
  }

 private:
  std::span<const uint8_t> bytes_;
  const std::string& name_;
  uint64_t pos_ = 0;
};

ValueType ReadValueType(Cursor& c, const char* what) {
  const uint64_t at = c.offset();
  const uint32_t t = c.Read<uint32_t>(what);
  if (t > static_cast<uint32_t>(ValueType::kF64)) c.FailAt(at, "{} has unknown value type {}", what, t);
  return static_cast<ValueType>(t);
}

Value ReadValue(Cursor& c, ValueType type, const std::string& key, int depth) {
  Value v;
  v.type = type;
  const char* what = "a metadata value";
  switch (type) {
    case ValueType::kU8: v.data = uint64_t{c.Read<uint8_t>(what)}; break;
    case ValueType::kU16: v.data = uint64_t{c.Read<uint16_t>(what)}; break;
    case ValueType::kU32: v.data = uint64_t{c.Read<uint32_t>(what)}; break;
    case ValueType::kU64: v.data = c.Read<uint64_t>(what); break;
    case ValueType::kI8: v.data = int64_t{c.Read<int8_t>(what)}; break;
    case ValueType::kI16: v.data = int64_t{c.Read<int16_t>(what)}; break;
    case ValueType::kI32: v.data = int64_t{c.Read<int32_t>(what)}; break;
    case ValueType::kI64: v.data = c.Read<int64_t>(what); break;
    case ValueType::kF32: v.data = double{c.Read<float>(what)}; break;
    case ValueType::kF64: v.data = c.Read<double>(what); break;
    case ValueType::kBool: {
      const uint64_t at = c.offset();
      const uint8_t b = c.Read<uint8_t>(what);
      if (b > 1) c.FailAt(at, "key '{}': bool value {} is neither 0 nor 1", key, b);
      v.data = b == 1;
      break;
    }
    case ValueType::kString: v.data = c.ReadString("a string value"); break;
    case ValueType::kArray: {
      const uint64_t at = c.offset();
      if (depth >= kMaxArrayDepth) c.FailAt(at, "key '{}': arrays nested deeper than {}", key, kMaxArrayDepth);
      Array arr;
      arr.elem_type = ReadValueType(c, "an array element type");
      const uint64_t n_at = c.offset();
      const uint64_t n = c.Read<uint64_t>("an array length");
      // Every element takes at least one byte (8 for a string's length, 12 for an array header).
      uint64_t min_size = ScalarSize(arr.elem_type);
      if (arr.elem_type == ValueType::kString) min_size = 8;
      if (arr.elem_type == ValueType::kArray) min_size = 12;
      if (n > c.remaining() / min_size) {
        c.FailAt(n_at, "key '{}': array of {} elements cannot fit in the {} bytes left", key, n,
                 c.remaining());
      }
      arr.items.reserve(n);
      for (uint64_t i = 0; i < n; ++i) arr.items.push_back(ReadValue(c, arr.elem_type, key, depth + 1));
      v.data = std::move(arr);
      break;
    }
  }
  return v;
}

bool CheckedMul(int64_t a, int64_t b, int64_t* out) { return !__builtin_mul_overflow(a, b, out); }

}  // namespace

const char* ValueTypeName(ValueType t) {
  static constexpr const char* kNames[] = {"u8",  "i8",     "u16",   "i16", "u32", "i32", "f32",
                                           "bool", "string", "array", "u64", "i64", "f64"};
  const auto i = static_cast<uint32_t>(t);
  return i < std::size(kNames) ? kNames[i] : "unknown";
}

Value Value::U32(uint32_t v) { return {ValueType::kU32, uint64_t{v}}; }
Value Value::F32(float v) { return {ValueType::kF32, double{v}}; }
Value Value::Str(std::string v) { return {ValueType::kString, std::move(v)}; }
Value Value::I32(int32_t v) { return {ValueType::kI32, int64_t{v}}; }
Value Value::Arr(Array v) { return {ValueType::kArray, std::move(v)}; }

bool Value::is_integer() const {
  return std::holds_alternative<uint64_t>(data) || std::holds_alternative<int64_t>(data);
}

std::unique_ptr<File> File::Open(const std::string& path) {
  std::unique_ptr<File> f(new File());
  f->mapped_ = std::make_unique<MappedFile>(path);
  f->bytes_ = f->mapped_->bytes();
  f->name_ = path;
  f->Parse();
  return f;
}

std::unique_ptr<File> File::FromBytes(std::span<const uint8_t> bytes, const std::string& name) {
  std::unique_ptr<File> f(new File());
  f->bytes_ = bytes;
  f->name_ = name;
  f->Parse();
  return f;
}

void File::Parse() {
  Cursor c(bytes_, name_);
  const uint32_t magic = c.Read<uint32_t>("the magic number");
  if (magic != kMagic) c.FailAt(0, "not a GGUF file (magic 0x{:08x}, expected 0x{:08x})", magic, kMagic);
  version_ = c.Read<uint32_t>("the version");
  if (version_ != 2 && version_ != 3) {
    c.FailAt(4, "GGUF version {} is not supported (expected 2 or 3)", version_);
  }
  const uint64_t n_tensors = c.Read<uint64_t>("the tensor count");
  const uint64_t n_kv_at = c.offset();
  const uint64_t n_kv = c.Read<uint64_t>("the metadata count");
  // A key-value pair takes at least 13 bytes (key length, type, one byte); a tensor info 28.
  if (n_kv > c.remaining() / 13) {
    c.FailAt(n_kv_at, "metadata count {} cannot fit in the {} bytes left", n_kv, c.remaining());
  }
  if (n_tensors > c.remaining() / 28) {
    c.FailAt(8, "tensor count {} cannot fit in the {} bytes left", n_tensors, c.remaining());
  }

  kv_.reserve(n_kv);
  for (uint64_t i = 0; i < n_kv; ++i) {
    const uint64_t at = c.offset();
    std::string key = c.ReadString("a metadata key");
    if (key.empty()) c.FailAt(at, "metadata key {} is empty", i);
    if (kv_index_.count(key)) c.FailAt(at, "metadata key '{}' appears twice", key);
    const ValueType type = ReadValueType(c, "a metadata value type");
    Value value = ReadValue(c, type, key, 0);
    kv_index_.emplace(key, kv_.size());
    kv_.push_back({std::move(key), std::move(value)});
  }

  if (const Value* a = Find("general.alignment")) {
    const auto* u = std::get_if<uint64_t>(&a->data);
    if (a->type != ValueType::kU32 || u == nullptr || *u == 0 || (*u & (*u - 1)) != 0) {
      Fail("{}: general.alignment must be a power of two stored as u32", name_);
    }
    alignment_ = *u;
  }

  tensors_.reserve(n_tensors);
  for (uint64_t i = 0; i < n_tensors; ++i) {
    const uint64_t at = c.offset();
    TensorInfo t;
    t.name = c.ReadString("a tensor name");
    if (t.name.empty()) c.FailAt(at, "tensor {} has an empty name", i);
    if (tensor_index_.count(t.name)) c.FailAt(at, "tensor '{}' appears twice", t.name);
    const uint64_t dims_at = c.offset();
    const uint32_t n_dims = c.Read<uint32_t>("a tensor's dimension count");
    if (n_dims == 0 || n_dims > kMaxDims) {
      c.FailAt(dims_at, "tensor '{}' has {} dimensions (expected 1 to {})", t.name, n_dims, kMaxDims);
    }
    t.n_dims = static_cast<int>(n_dims);
    int64_t n_elements = 1;
    for (uint32_t d = 0; d < n_dims; ++d) {
      const uint64_t d_at = c.offset();
      const uint64_t ne = c.Read<uint64_t>("a tensor dimension");
      if (ne == 0 || ne > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ||
          !CheckedMul(n_elements, static_cast<int64_t>(ne), &n_elements)) {
        c.FailAt(d_at, "tensor '{}' dimension {} is {}: zero, or the element count overflows",
                 t.name, d, ne);
      }
      t.ne[d] = static_cast<int64_t>(ne);
    }
    const uint64_t type_at = c.offset();
    const uint32_t type_id = c.Read<uint32_t>("a tensor type");
    const DTypeTraits* traits = FindDType(type_id);
    if (traits == nullptr) c.FailAt(type_at, "tensor '{}' has unknown or unsupported type {}", t.name, type_id);
    t.type = traits->type;
    if (t.ne[0] % traits->block_size != 0) {
      c.FailAt(type_at, "tensor '{}': row length {} is not a multiple of the {} block size {}",
               t.name, t.ne[0], traits->name, traits->block_size);
    }
    int64_t n_bytes = 0;
    if (!CheckedMul(n_elements / traits->block_size, traits->block_bytes, &n_bytes)) {
      c.FailAt(type_at, "tensor '{}' size overflows", t.name);
    }
    t.n_bytes = static_cast<uint64_t>(n_bytes);
    const uint64_t offset_at = c.offset();
    t.offset = c.Read<uint64_t>("a tensor data offset");
    if (t.offset % alignment_ != 0) {
      c.FailAt(offset_at, "tensor '{}' data offset {} is not a multiple of the alignment {}",
               t.name, t.offset, alignment_);
    }
    tensor_index_.emplace(t.name, tensors_.size());
    tensors_.push_back(std::move(t));
  }

  const uint64_t header_end = c.offset();
  data_offset_ = (header_end + alignment_ - 1) / alignment_ * alignment_;
  if (n_tensors > 0 && data_offset_ > bytes_.size()) {
    c.FailAt(header_end, "file ends before the tensor data section");
  }
  const uint64_t data_size = bytes_.size() > data_offset_ ? bytes_.size() - data_offset_ : 0;

  // Bounds and overlap: sort by offset, then each tensor must end before the next begins.
  std::vector<const TensorInfo*> order;
  order.reserve(tensors_.size());
  for (const TensorInfo& t : tensors_) order.push_back(&t);
  std::sort(order.begin(), order.end(),
            [](const TensorInfo* a, const TensorInfo* b) { return a->offset < b->offset; });
  for (size_t i = 0; i < order.size(); ++i) {
    const TensorInfo& t = *order[i];
    if (t.offset > data_size || t.n_bytes > data_size - t.offset) {
      Fail("{}: tensor '{}' ({} bytes at data offset {}) runs past the end of the file (at offset {})",
           name_, t.name, t.n_bytes, t.offset, data_offset_ + t.offset);
    }
    if (i + 1 < order.size() && t.offset + t.n_bytes > order[i + 1]->offset) {
      Fail("{}: tensors '{}' and '{}' overlap (at offset {})", name_, t.name, order[i + 1]->name,
           data_offset_ + order[i + 1]->offset);
    }
  }
}

const Value* File::Find(std::string_view key) const {
  auto it = kv_index_.find(key);
  return it == kv_index_.end() ? nullptr : &kv_[it->second].value;
}

const TensorInfo* File::FindTensor(std::string_view name) const {
  auto it = tensor_index_.find(name);
  return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

TensorView File::View(const TensorInfo& info) const {
  TensorView v;
  v.name = info.name;
  v.type = info.type;
  v.ne = info.ne;
  v.n_dims = info.n_dims;
  v.data = bytes_.data() + data_offset_ + info.offset;
  v.n_bytes = static_cast<int64_t>(info.n_bytes);
  return v;
}

TensorView File::Tensor(std::string_view name) const {
  const TensorInfo* info = FindTensor(name);
  if (info == nullptr) Fail("{}: tensor '{}' not found", name_, name);
  return View(*info);
}

}  // namespace densing::gguf
