// TensorView: a typed, non-owning view of a tensor's bytes (usually inside a mapped GGUF file).
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "tensor/dtype.h"

namespace densing {

// Dimensions follow GGUF: ne[0] is the contiguous (row) length, ne[1] the number of rows,
// ne[2] a stack of matrices (experts).
struct TensorView {
  std::string name;
  DType type = DType::kF32;
  std::array<int64_t, 4> ne = {1, 1, 1, 1};
  int n_dims = 0;
  const uint8_t* data = nullptr;
  int64_t n_bytes = 0;

  int64_t n_elements() const { return ne[0] * ne[1] * ne[2] * ne[3]; }
  int64_t row_bytes() const { return RowBytes(type, ne[0]); }
  int64_t n_rows() const { return ne[1] * ne[2] * ne[3]; }
  const uint8_t* row(int64_t i) const { return data + i * row_bytes(); }
  // The i-th matrix of a stack (an expert of a [k, rows, n_expert] tensor).
  TensorView matrix(int64_t i) const;
};

// Dequantizes row `i` of `t` into out[0, t.ne[0]).
void DequantizeRow(const TensorView& t, int64_t i, float* out);

}  // namespace densing
