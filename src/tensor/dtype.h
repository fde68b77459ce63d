// DType and its traits table: block layout, reference (de)quantization and dot product per type.
#pragma once

#include <cstdint>
#include <string_view>

namespace densing {

// Type ids as stored in GGUF tensor infos (ggml's numbering).
enum class DType : uint32_t {
  kF32 = 0,
  kF16 = 1,
  kQ4_0 = 2,
  kQ4_1 = 3,
  kQ5_0 = 6,
  kQ5_1 = 7,
  kQ8_0 = 8,
  kQ8_1 = 9,
  kQ2_K = 10,
  kQ3_K = 11,
  kQ4_K = 12,
  kQ5_K = 13,
  kQ6_K = 14,
  kQ8_K = 15,
  kBF16 = 30,
};

// Everything here works on whole rows: n is a multiple of block_size.
struct DTypeTraits {
  DType type;
  const char* name;     // as llama.cpp prints it: "F32", "Q4_K", ...
  int64_t block_size;   // elements per block
  int64_t block_bytes;  // bytes per block
  // Scalar reference dequantization.
  void (*to_float)(const void* src, float* dst, int64_t n);
  // Reference quantizer (round to the nearest representable block), as the reference engine's
  // quantize_row_*_ref; used for activations and by `densing quantize`.
  void (*from_float)(const float* src, void* dst, int64_t n);
  // The type activations are converted to before a dot product with a row of this type.
  DType vec_dot_type;
  // Scalar reference dot product: w in this type, x in vec_dot_type.
  float (*vec_dot)(int64_t n, const void* w, const void* x);
};

// nullptr when the id is not a type densing can read.
const DTypeTraits* FindDType(uint32_t id);
const DTypeTraits& Traits(DType type);
// The type whose name is `name` ("Q4_K", case-insensitive); nullptr if none.
const DTypeTraits* FindDTypeByName(std::string_view name);

// Bytes of one row of n elements; throws Error when block_size does not divide n.
int64_t RowBytes(DType type, int64_t n);

}  // namespace densing
