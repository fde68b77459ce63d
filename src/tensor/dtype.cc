// The traits table. Float types live here; each quantized family has its own file (quant_*.cc)
// and registers its row functions in the table below.
#include "tensor/dtype.h"

#include <array>
#include <cctype>
#include <cstring>
#include <string>

#include "base/error.h"
#include "tensor/half.h"
#include "tensor/quant_k.h"
#include "tensor/quant_legacy.h"

namespace densing {
namespace {

void F32ToFloat(const void* src, float* dst, int64_t n) {
  std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
}
void F32FromFloat(const float* src, void* dst, int64_t n) {
  std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
}

// Rows may sit at any byte offset (tests place them so on purpose): read elements with memcpy.
template <typename T>
T LoadAt(const void* p, int64_t i) {
  T v;
  std::memcpy(&v, static_cast<const uint8_t*>(p) + i * static_cast<int64_t>(sizeof(T)), sizeof(T));
  return v;
}
template <typename T>
void StoreAt(void* p, int64_t i, T v) {
  std::memcpy(static_cast<uint8_t*>(p) + i * static_cast<int64_t>(sizeof(T)), &v, sizeof(T));
}

float F32Dot(int64_t n, const void* w, const void* x) {
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    sum += static_cast<double>(LoadAt<float>(w, i)) * LoadAt<float>(x, i);
  }
  return static_cast<float>(sum);
}

void F16ToFloat(const void* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = F16ToF32(LoadAt<uint16_t>(src, i));
}
void F16FromFloat(const float* src, void* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) StoreAt<uint16_t>(dst, i, F32ToF16(src[i]));
}
float F16Dot(int64_t n, const void* w, const void* x) {
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    sum += static_cast<double>(F16ToF32(LoadAt<uint16_t>(w, i))) * F16ToF32(LoadAt<uint16_t>(x, i));
  }
  return static_cast<float>(sum);
}

void BF16ToFloat(const void* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = BF16ToF32(LoadAt<uint16_t>(src, i));
}
void BF16FromFloat(const float* src, void* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) StoreAt<uint16_t>(dst, i, F32ToBF16(src[i]));
}
float BF16Dot(int64_t n, const void* w, const void* x) {
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    sum +=
        static_cast<double>(BF16ToF32(LoadAt<uint16_t>(w, i))) * BF16ToF32(LoadAt<uint16_t>(x, i));
  }
  return static_cast<float>(sum);
}

constexpr DTypeTraits kTable[] = {
    {DType::kF32, "F32", 1, 4, F32ToFloat, F32FromFloat, DType::kF32, F32Dot},
    {DType::kF16, "F16", 1, 2, F16ToFloat, F16FromFloat, DType::kF16, F16Dot},
    {DType::kBF16, "BF16", 1, 2, BF16ToFloat, BF16FromFloat, DType::kBF16, BF16Dot},
    // Legacy blocks of 32; activations go to Q8_0, or Q8_1 (which carries Σq) for the _1 types.
    {DType::kQ4_0, "Q4_0", 32, 18, Q4_0ToFloat, Q4_0FromFloat, DType::kQ8_0, Q4_0DotQ8_0},
    {DType::kQ4_1, "Q4_1", 32, 20, Q4_1ToFloat, Q4_1FromFloat, DType::kQ8_1, Q4_1DotQ8_1},
    {DType::kQ5_0, "Q5_0", 32, 22, Q5_0ToFloat, Q5_0FromFloat, DType::kQ8_0, Q5_0DotQ8_0},
    {DType::kQ5_1, "Q5_1", 32, 24, Q5_1ToFloat, Q5_1FromFloat, DType::kQ8_1, Q5_1DotQ8_1},
    {DType::kQ8_0, "Q8_0", 32, 34, Q8_0ToFloat, Q8_0FromFloat, DType::kQ8_0, Q8_0DotQ8_0},
    {DType::kQ8_1, "Q8_1", 32, 36, Q8_1ToFloat, Q8_1FromFloat, DType::kQ8_1, Q8_1DotQ8_1},
    // k-quants: super-blocks of 256; activations go to Q8_K.
    {DType::kQ2_K, "Q2_K", 256, 84, Q2_KToFloat, Q2_KFromFloat, DType::kQ8_K, Q2_KDotQ8_K},
    {DType::kQ3_K, "Q3_K", 256, 110, Q3_KToFloat, Q3_KFromFloat, DType::kQ8_K, Q3_KDotQ8_K},
    {DType::kQ4_K, "Q4_K", 256, 144, Q4_KToFloat, Q4_KFromFloat, DType::kQ8_K, Q4_KDotQ8_K},
    {DType::kQ5_K, "Q5_K", 256, 176, Q5_KToFloat, Q5_KFromFloat, DType::kQ8_K, Q5_KDotQ8_K},
    {DType::kQ6_K, "Q6_K", 256, 210, Q6_KToFloat, Q6_KFromFloat, DType::kQ8_K, Q6_KDotQ8_K},
    {DType::kQ8_K, "Q8_K", 256, 292, Q8_KToFloat, Q8_KFromFloat, DType::kQ8_K, Q8_KDotQ8_K},
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
