// Serialization mirrors the reader: little-endian scalars, u64-length strings, typed arrays.
#include "gguf/gguf_writer.h"

#include <cerrno>
#include <cstring>

#include "base/error.h"

namespace densing::gguf {
namespace {

constexpr uint32_t kMagic = 0x46554747;

template <typename T>
void Append(std::vector<uint8_t>& out, T v) {
  const size_t at = out.size();
  out.resize(at + sizeof(T));
  std::memcpy(out.data() + at, &v, sizeof(T));
}

void AppendString(std::vector<uint8_t>& out, const std::string& s) {
  Append<uint64_t>(out, s.size());
  out.insert(out.end(), s.begin(), s.end());
}

void AppendValue(std::vector<uint8_t>& out, const Value& v) {
  switch (v.type) {
    case ValueType::kU8: Append(out, static_cast<uint8_t>(std::get<uint64_t>(v.data))); break;
    case ValueType::kU16: Append(out, static_cast<uint16_t>(std::get<uint64_t>(v.data))); break;
    case ValueType::kU32: Append(out, static_cast<uint32_t>(std::get<uint64_t>(v.data))); break;
    case ValueType::kU64: Append(out, std::get<uint64_t>(v.data)); break;
    case ValueType::kI8: Append(out, static_cast<int8_t>(std::get<int64_t>(v.data))); break;
    case ValueType::kI16: Append(out, static_cast<int16_t>(std::get<int64_t>(v.data))); break;
    case ValueType::kI32: Append(out, static_cast<int32_t>(std::get<int64_t>(v.data))); break;
    case ValueType::kI64: Append(out, std::get<int64_t>(v.data)); break;
    case ValueType::kF32: Append(out, static_cast<float>(std::get<double>(v.data))); break;
    case ValueType::kF64: Append(out, std::get<double>(v.data)); break;
    case ValueType::kBool: Append<uint8_t>(out, std::get<bool>(v.data) ? 1 : 0); break;
    case ValueType::kString: AppendString(out, std::get<std::string>(v.data)); break;
    case ValueType::kArray: {
      const Array& a = std::get<Array>(v.data);
      Append(out, static_cast<uint32_t>(a.elem_type));
      Append<uint64_t>(out, a.items.size());
      for (const Value& item : a.items) {
        if (item.type != a.elem_type) Fail("array element of type {} in an array of {}",
                                           ValueTypeName(item.type), ValueTypeName(a.elem_type));
        AppendValue(out, item);
      }
      break;
    }
  }
}

}  // namespace

Writer::Writer(std::string path, uint64_t alignment)
    : path_(std::move(path)), tmp_path_(path_ + ".tmp"), alignment_(alignment) {
  if (alignment_ == 0 || (alignment_ & (alignment_ - 1)) != 0) Fail("alignment {} is not a power of two", alignment_);
  out_ = std::fopen(tmp_path_.c_str(), "wb");
  if (out_ == nullptr) Fail("{}: cannot create: {}", tmp_path_, std::strerror(errno));
}

Writer::~Writer() {
  if (out_ != nullptr) {  // not finished: leave nothing behind
    std::fclose(out_);
    std::remove(tmp_path_.c_str());
  }
}

void Writer::AddKeyValue(std::string key, Value value) {
  DENSING_CHECK(!header_done_);
  for (const KeyValue& kv : kv_) {
    if (kv.key == key) Fail("{}: metadata key '{}' added twice", path_, key);
  }
  kv_.push_back({std::move(key), std::move(value)});
}

void Writer::AddTensor(std::string name, DType type, std::span<const int64_t> ne) {
  DENSING_CHECK(!header_done_);
  if (ne.empty() || ne.size() > 4) Fail("{}: tensor '{}' has {} dimensions", path_, name, ne.size());
  TensorInfo t;
  t.name = std::move(name);
  t.type = type;
  t.n_dims = static_cast<int>(ne.size());
  int64_t n = 1;
  for (size_t i = 0; i < ne.size(); ++i) {
    t.ne[i] = ne[i];
    n *= ne[i];
  }
  t.n_bytes = static_cast<uint64_t>(RowBytes(type, t.ne[0]) * (n / t.ne[0]));
  uint64_t offset = 0;
  if (!tensors_.empty()) {
    const TensorInfo& last = tensors_.back();
    offset = (last.offset + last.n_bytes + alignment_ - 1) / alignment_ * alignment_;
  }
  t.offset = offset;
  tensors_.push_back(std::move(t));
}

void Writer::Bytes(const void* p, size_t n) {
  if (n > 0 && std::fwrite(p, 1, n, out_) != n) Fail("{}: write failed: {}", tmp_path_, std::strerror(errno));
  written_ += n;
}

void Writer::Pad() {
  static const uint8_t kZeros[64] = {};
  while (written_ % alignment_ != 0) Bytes(kZeros, std::min<uint64_t>(64, alignment_ - written_ % alignment_));
}

void Writer::WriteHeader() {
  std::vector<uint8_t> h;
  Append(h, kMagic);
  Append<uint32_t>(h, 3);
  Append<uint64_t>(h, tensors_.size());
  Append<uint64_t>(h, kv_.size());
  for (const KeyValue& kv : kv_) {
    AppendString(h, kv.key);
    Append(h, static_cast<uint32_t>(kv.value.type));
    AppendValue(h, kv.value);
  }
  for (const TensorInfo& t : tensors_) {
    AppendString(h, t.name);
    Append<uint32_t>(h, static_cast<uint32_t>(t.n_dims));
    for (int i = 0; i < t.n_dims; ++i) Append<uint64_t>(h, static_cast<uint64_t>(t.ne[i]));
    Append(h, static_cast<uint32_t>(t.type));
    Append<uint64_t>(h, t.offset);
  }
  Bytes(h.data(), h.size());
  Pad();
  header_done_ = true;
}

void Writer::WriteTensorData(std::span<const uint8_t> bytes) {
  if (!header_done_) WriteHeader();
  while (!bytes.empty()) {
    if (current_ >= tensors_.size()) Fail("{}: more tensor data than tensors declared", path_);
    const TensorInfo& t = tensors_[current_];
    const uint64_t take = std::min<uint64_t>(bytes.size(), t.n_bytes - current_written_);
    Bytes(bytes.data(), take);
    bytes = bytes.subspan(take);
    current_written_ += take;
    if (current_written_ == t.n_bytes) {
      ++current_;
      current_written_ = 0;
      if (current_ < tensors_.size()) Pad();
    }
  }
}

void Writer::Finish() {
  if (!header_done_) WriteHeader();
  if (current_ != tensors_.size()) {
    Fail("{}: tensor '{}' has no data yet", path_, tensors_[current_].name);
  }
  if (std::fclose(out_) != 0) {
    out_ = nullptr;
    std::remove(tmp_path_.c_str());
    Fail("{}: write failed: {}", tmp_path_, std::strerror(errno));
  }
  out_ = nullptr;
  if (std::rename(tmp_path_.c_str(), path_.c_str()) != 0) {
    Fail("{}: cannot rename from {}: {}", path_, tmp_path_, std::strerror(errno));
  }
}

void CopyFile(const File& file, const std::string& path) {
  Writer w(path, file.alignment());
  for (const KeyValue& kv : file.metadata()) w.AddKeyValue(kv.key, kv.value);
  for (const TensorInfo& t : file.tensors()) w.AddTensor(t.name, t.type, std::span(t.ne.data(), t.n_dims));
  for (const TensorInfo& t : file.tensors()) {
    const TensorView v = file.View(t);
    w.WriteTensorData({v.data, static_cast<size_t>(v.n_bytes)});
  }
  w.Finish();
}

}  // namespace densing::gguf
