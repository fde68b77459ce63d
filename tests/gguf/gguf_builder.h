// GgufBuilder: writes GGUF bytes field by field, so tests can build valid and broken files.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace densing::testing {

class GgufBuilder {
 public:
  std::vector<uint8_t> bytes;

  template <typename T>
  GgufBuilder& Put(T v) {
    const size_t at = bytes.size();
    bytes.resize(at + sizeof(T));
    std::memcpy(bytes.data() + at, &v, sizeof(T));
    return *this;
  }
  GgufBuilder& Str(const std::string& s) {
    Put<uint64_t>(s.size());
    bytes.insert(bytes.end(), s.begin(), s.end());
    return *this;
  }
  GgufBuilder& Header(uint64_t n_tensors, uint64_t n_kv, uint32_t version = 3) {
    return Put<uint32_t>(0x46554747).Put<uint32_t>(version).Put<uint64_t>(n_tensors).Put<uint64_t>(n_kv);
  }
  GgufBuilder& KvU32(const std::string& key, uint32_t v) { return Str(key).Put<uint32_t>(4).Put(v); }
  GgufBuilder& KvF32(const std::string& key, float v) { return Str(key).Put<uint32_t>(6).Put(v); }
  GgufBuilder& KvStr(const std::string& key, const std::string& v) {
    return Str(key).Put<uint32_t>(8).Str(v);
  }
  // A tensor info: name, dims, type, offset.
  GgufBuilder& Tensor(const std::string& name, std::vector<uint64_t> ne, uint32_t type, uint64_t offset) {
    Str(name).Put<uint32_t>(static_cast<uint32_t>(ne.size()));
    for (uint64_t n : ne) Put(n);
    return Put(type).Put(offset);
  }
  // Pads to `alignment` and appends n zero bytes of tensor data.
  GgufBuilder& Data(size_t n, size_t alignment = 32) {
    while (bytes.size() % alignment != 0) bytes.push_back(0);
    bytes.resize(bytes.size() + n);
    return *this;
  }
};

}  // namespace densing::testing
