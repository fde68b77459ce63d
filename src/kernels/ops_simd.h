// Highway versions of the row operations that weigh in the forward pass: one attention head over
// its cached keys and values, and SwiGLU. Their scalar references are built from ops.h (same
// arithmetic, element by element); ops_simd_test compares the two.
#pragma once

#include <cstdint>

#include "tensor/dtype.h"

namespace densing {

// One head of one query: out[hd] = Σ_j p_j v_j with p = softmax(cap(scale · q·k_j)) over the
// n_keys rows k_j = k + j·stride, v_j = v + j·stride (cap: softcap > 0 only; stride in
// elements). Keys and values are F32 or F16, as the KV cache holds them.
struct HeadAttention {
  const float* q;
  const void* k;
  const void* v;
  DType k_type = DType::kF32;
  DType v_type = DType::kF32;
  int64_t stride;
  int64_t n_keys;
  int64_t head_dim;
  float scale;
  float softcap;
};
// The scalar reference (ops.h's Dot, SoftCap, Softmax, AddScaled); scores: n_keys floats.
// With F16 keys or values, the reference engine's flash attention over an F16 cache, key by key:
// q rounded to F16 when the keys are; the running sum of values kept in F16 when they are F16
// (rounded after every step), else in F32; out = that sum / Σ p.
void AttendHeadReference(const HeadAttention& a, float* scores, float* out);

// The query heads that share one KV head (grouped-query attention), all over the same keys:
// n_heads rows of q (row i at q + i·q_stride) into n_heads rows of out. Each key and value row
// is read once for up to four heads, and the softmax runs online over blocks of keys, so no
// buffer of n_keys scores is needed. Same result as AttendHeadReference per head, up to
// rounding (F32 keys and values; with F16 ones, the reference's key-by-key rounding, vectorized
// over the head's dimensions).
struct GroupAttention {
  HeadAttention head;  // q: the first head's row
  int64_t n_heads;
  int64_t q_stride;
  float* out;
  int64_t out_stride;
};
void AttendGroup(const GroupAttention& a);

// y[i] = silu(gate[i]) · up[i]; y may alias up. Reference: SwiGlu in ops.h.
void SwiGluSimd(const float* gate, const float* up, int64_t n, float* y);

}  // namespace densing
