// MatMul: y = x · Wᵀ for a weight matrix of any dtype, the hot operation of the forward pass.
#pragma once

#include <cstdint>
#include <vector>

#include "tensor/tensor_view.h"
#include "threading/thread_pool.h"

namespace densing {

// Bytes of scratch MatMul needs to convert n_tok activation rows of length k for weight type w.
int64_t MatMulScratchBytes(DType w, int64_t k, int64_t n_tok);

// y[t * n_out + r] = Σ_i W[r, i] · x[t * k + i] for t < n_tok and r < n_out = w.ne[1], k = w.ne[0].
// Activations are first converted to the weight type's vec_dot_type (8-bit blocks for quantized
// weights, F16 for F16, ...), as the reference engine does. `scratch` must hold
// MatMulScratchBytes(w.type, k, n_tok) bytes; nothing is allocated here.
void MatMul(const TensorView& w, const float* x, int64_t n_tok, float* y, uint8_t* scratch,
            ThreadPool& pool);

}  // namespace densing
