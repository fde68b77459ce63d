// MatMul: convert activations once to the weight's vec_dot_type, then hand (rows × tokens)
// tiles to the thread pool. One kernel dispatch per call; nothing allocated.
#include "kernels/matmul.h"

#include <algorithm>

#include "base/error.h"
#include "kernels/dot_tile.h"

namespace densing {
namespace {

constexpr int64_t kTokChunk = 32;  // tokens per task: each weight tile is reused this often

int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Rows per task: small enough that every worker gets ~8 tasks (tasks are handed out from a
// shared counter, so the workers finish within one small task of each other), large enough
// that handing one out costs little next to streaming its weights.
int64_t RowChunk(int64_t n_out, int64_t n_tok_tasks, int n_threads) {
  const int64_t want_tasks = 8 * static_cast<int64_t>(n_threads);
  const int64_t row_tasks = std::max<int64_t>(1, CeilDiv(want_tasks, n_tok_tasks));
  const int64_t rows = CeilDiv(n_out, row_tasks);
  return std::clamp<int64_t>(CeilDiv(rows, 4) * 4, 4, 256);
}

}  // namespace

int64_t MatMulScratchBytes(DType w, int64_t k, int64_t n_tok) {
  const DType a = Traits(w).vec_dot_type;
  if (a == DType::kF32) return 0;
  return RowBytes(a, k) * n_tok;
}

void MatMul(const TensorView& w, const float* x, int64_t n_tok, float* y, uint8_t* scratch,
            ThreadPool& pool) {
  const DTypeTraits& wt = Traits(w.type);
  const DTypeTraits& at = Traits(wt.vec_dot_type);
  const int64_t k = w.ne[0];
  const int64_t n_out = w.ne[1];
  if (w.ne[2] != 1 || w.ne[3] != 1) {
    Fail("MatMul: {} is not a matrix ({}x{}x{}x{})", w.name, w.ne[0], w.ne[1], w.ne[2], w.ne[3]);
  }
  if (n_tok <= 0 || n_out <= 0) return;

  const int64_t a_row = RowBytes(at.type, k);
  const uint8_t* xa = reinterpret_cast<const uint8_t*>(x);
  if (at.type != DType::kF32) {
    DENSING_CHECK(scratch != nullptr);
    if (n_tok == 1) {
      at.from_float(x, scratch, k);
    } else {
      pool.ParallelFor(n_tok,
                       [&](int64_t t, int) { at.from_float(x + t * k, scratch + t * a_row, k); });
    }
    xa = scratch;
  }

  MatTile m;
  m.w_type = w.type;
  m.w = w.data;
  m.w_row_bytes = w.row_bytes();
  m.x = xa;
  m.x_row_bytes = a_row;
  m.k = k;
  m.y = y;
  m.y_stride = n_out;
  const MatTileFn tile = FindMatTile(w.type);

  const int64_t n_tok_tasks = CeilDiv(n_tok, kTokChunk);
  const int64_t rows = RowChunk(n_out, n_tok_tasks, pool.n_threads());
  const int64_t n_row_tasks = CeilDiv(n_out, rows);
  pool.ParallelFor(n_row_tasks * n_tok_tasks, [&](int64_t task, int) {
    const int64_t r0 = (task % n_row_tasks) * rows;
    const int64_t t0 = (task / n_row_tasks) * kTokChunk;
    tile(m, r0, std::min(n_out, r0 + rows), t0, std::min(n_tok, t0 + kTokChunk));
  });
}

}  // namespace densing
