// TensorView slicing and row dequantization.
#include "tensor/tensor_view.h"

#include "base/error.h"

namespace densing {

TensorView TensorView::matrix(int64_t i) const {
  DENSING_CHECK(i >= 0 && i < ne[2] && ne[3] == 1);
  TensorView m = *this;
  m.ne[2] = 1;
  m.n_dims = 2;
  m.n_bytes = row_bytes() * ne[1];
  m.data = data + i * m.n_bytes;
  return m;
}

void DequantizeRow(const TensorView& t, int64_t i, float* out) {
  DENSING_CHECK(i >= 0 && i < t.n_rows());
  Traits(t.type).to_float(t.row(i), out, t.ne[0]);
}

}  // namespace densing
