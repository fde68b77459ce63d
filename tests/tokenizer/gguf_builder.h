// GgufBuilder: writes a metadata-only GGUF v3 file in memory, for tokenizer tests.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace densing::testing {

class GgufBuilder {
 public:
  GgufBuilder& Str(const std::string& key, const std::string& value) {
    Key(key, 8);
    Text(value);
    return Count();
  }
  GgufBuilder& U32(const std::string& key, uint32_t value) {
    Key(key, 4);
    Pod(value);
    return Count();
  }
  GgufBuilder& I32(const std::string& key, int32_t value) {
    Key(key, 5);
    Pod(value);
    return Count();
  }
  GgufBuilder& F32(const std::string& key, float value) {
    Key(key, 6);
    Pod(value);
    return Count();
  }
  GgufBuilder& Bool(const std::string& key, bool value) {
    Key(key, 7);
    Pod(static_cast<uint8_t>(value));
    return Count();
  }
  GgufBuilder& StrArray(const std::string& key, const std::vector<std::string>& values) {
    ArrayHeader(key, 8, values.size());
    for (const std::string& v : values) Text(v);
    return Count();
  }
  GgufBuilder& F32Array(const std::string& key, const std::vector<float>& values) {
    ArrayHeader(key, 6, values.size());
    for (float v : values) Pod(v);
    return Count();
  }
  GgufBuilder& I32Array(const std::string& key, const std::vector<int32_t>& values) {
    ArrayHeader(key, 5, values.size());
    for (int32_t v : values) Pod(v);
    return Count();
  }

  std::vector<uint8_t> Build() const {
    std::vector<uint8_t> out;
    auto put = [&out](const void* p, size_t n) {
      const auto* b = static_cast<const uint8_t*>(p);
      out.insert(out.end(), b, b + n);
    };
    const uint32_t magic = 0x46554747;  // "GGUF"
    const uint32_t version = 3;
    const uint64_t n_tensors = 0;
    put(&magic, 4);
    put(&version, 4);
    put(&n_tensors, 8);
    put(&n_kv_, 8);
    out.insert(out.end(), body_.begin(), body_.end());
    return out;
  }

 private:
  template <typename T>
  void Pod(T value) {
    uint8_t bytes[sizeof(T)];
    std::memcpy(bytes, &value, sizeof(T));
    body_.insert(body_.end(), bytes, bytes + sizeof(T));
  }
  void Text(const std::string& s) {
    Pod(static_cast<uint64_t>(s.size()));
    body_.insert(body_.end(), s.begin(), s.end());
  }
  void Key(const std::string& key, uint32_t type) {
    Text(key);
    Pod(type);
  }
  void ArrayHeader(const std::string& key, uint32_t elem_type, size_t n) {
    Key(key, 9);
    Pod(elem_type);
    Pod(static_cast<uint64_t>(n));
  }
  GgufBuilder& Count() {
    ++n_kv_;
    return *this;
  }

  std::vector<uint8_t> body_;
  uint64_t n_kv_ = 0;
};

}  // namespace densing::testing
