// MatMul over the traits table: convert activations once, then split output rows across workers.
#include "kernels/matmul.h"

#include "base/error.h"

namespace densing {

int64_t MatMulScratchBytes(DType w, int64_t k, int64_t n_tok) {
  const DType a = Traits(w).vec_dot_type;
  return RowBytes(a, k) * n_tok;
}

void MatMul(const TensorView& w, const float* x, int64_t n_tok, float* y, uint8_t* scratch,
            ThreadPool& pool) {
  const DTypeTraits& wt = Traits(w.type);
  const DTypeTraits& at = Traits(wt.vec_dot_type);
  const int64_t k = w.ne[0];
  const int64_t n_out = w.ne[1];
  const int64_t a_row = RowBytes(at.type, k);
  const uint8_t* xa = reinterpret_cast<const uint8_t*>(x);
  if (at.type != DType::kF32) {
    for (int64_t t = 0; t < n_tok; ++t) at.from_float(x + t * k, scratch + t * a_row, k);
    xa = scratch;
  }
  constexpr int64_t kRowsPerTask = 16;
  const int64_t n_tasks = (n_out + kRowsPerTask - 1) / kRowsPerTask;
  const int64_t w_row = w.row_bytes();
  pool.ParallelFor(n_tasks, [&](int64_t task, int) {
    const int64_t r0 = task * kRowsPerTask;
    const int64_t r1 = std::min(n_out, r0 + kRowsPerTask);
    for (int64_t t = 0; t < n_tok; ++t) {
      const uint8_t* xt = xa + t * a_row;
      float* yt = y + t * n_out;
      for (int64_t r = r0; r < r1; ++r) yt[r] = wt.vec_dot(k, w.data + r * w_row, xt);
    }
  });
}

}  // namespace densing
