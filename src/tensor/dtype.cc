// The traits table. Float types live here; each quantized family has its own file (quant_*.cc)
// and registers its row functions in the table below.
#include "tensor/dtype.h"

#include <array>
#include <cctype>
#include <string>

#include "base/error.h"
#include "tensor/half.h"

namespace densing {
namespace {

void F32ToFloat(const void* src, float* dst, int64_t n) {
  std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
}
void F32FromFloat(const float* src, void* dst, int64_t n) {
  std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
}
float F32Dot(int64_t n, const void* w, const void* x) {
  const float* a = static_cast<const float*>(w);
  const float* b = static_cast<const float*>(x);
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(a[i]) * b[i];
  return static_cast<float>(sum);
}

void F16ToFloat(const void* src, float* dst, int64_t n) {
  const uint16_t* s = static_cast<const uint16_t*>(src);
  for (int64_t i = 0; i < n; ++i) dst[i] = F16ToF32(s[i]);
}
void F16FromFloat(const float* src, void* dst, int64_t n) {
  uint16_t* d = static_cast<uint16_t*>(dst);
  for (int64_t i = 0; i < n; ++i) d[i] = F32ToF16(src[i]);
}
float F16Dot(int64_t n, const void* w, const void* x) {
  const uint16_t* a = static_cast<const uint16_t*>(w);
  const uint16_t* b = static_cast<const uint16_t*>(x);
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(F16ToF32(a[i])) * F16ToF32(b[i]);
  return static_cast<float>(sum);
}

void BF16ToFloat(const void* src, float* dst, int64_t n) {
  const uint16_t* s = static_cast<const uint16_t*>(src);
  for (int64_t i = 0; i < n; ++i) dst[i] = BF16ToF32(s[i]);
}
void BF16FromFloat(const float* src, void* dst, int64_t n) {
  uint16_t* d = static_cast<uint16_t*>(dst);
  for (int64_t i = 0; i < n; ++i) d[i] = F32ToBF16(src[i]);
}
float BF16Dot(int64_t n, const void* w, const void* x) {
  const uint16_t* a = static_cast<const uint16_t*>(w);
  const uint16_t* b = static_cast<const uint16_t*>(x);
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(BF16ToF32(a[i])) * BF16ToF32(b[i]);
  return static_cast<float>(sum);
}

constexpr DTypeTraits kTable[] = {
    {DType::kF32, "F32", 1, 4, F32ToFloat, F32FromFloat, DType::kF32, F32Dot},
    {DType::kF16, "F16", 1, 2, F16ToFloat, F16FromFloat, DType::kF16, F16Dot},
    {DType::kBF16, "BF16", 1, 2, BF16ToFloat, BF16FromFloat, DType::kBF16, BF16Dot},
};

}  // namespace

const DTypeTraits* FindDType(uint32_t id) {
  for (const DTypeTraits& t : kTable) {
    if (static_cast<uint32_t>(t.type) == id) return &t;
  }
  return nullptr;
}

const DTypeTraits& Traits(DType type) {
  const DTypeTraits* t = FindDType(static_cast<uint32_t>(type));
  DENSING_CHECK(t != nullptr);
  return *t;
}

const DTypeTraits* FindDTypeByName(std::string_view name) {
  for (const DTypeTraits& t : kTable) {
    std::string_view n = t.name;
    if (n.size() != name.size()) continue;
    bool same = true;
    for (size_t i = 0; i < n.size() && same; ++i) {
      same = std::toupper(static_cast<unsigned char>(name[i])) == n[i];
    }
    if (same) return &t;
  }
  return nullptr;
}

int64_t RowBytes(DType type, int64_t n) {
  const DTypeTraits& t = Traits(type);
  if (n < 0 || n % t.block_size != 0) {
    Fail("a row of {} elements is not a whole number of {} blocks of {}", n, t.name, t.block_size);
  }
  return n / t.block_size * t.block_bytes;
}

}  // namespace densing
