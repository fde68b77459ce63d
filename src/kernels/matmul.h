// MatMul: y = x · Wᵀ for a weight matrix of any dtype, the hot operation of the forward pass.
#pragma once

#include <cstdint>
#include <span>

#include "tensor/tensor_view.h"
#include "threading/thread_pool.h"

namespace densing {

// Bytes of scratch MatMul needs to convert n_tok activation rows of length k for weight type w.
int64_t MatMulScratchBytes(DType w, int64_t k, int64_t n_tok);

// y[t * n_out + r] = Σ_i W[r, i] · x[t * k + i] for t < n_tok and r < n_out = w.ne[1], k = w.ne[0].
// Activations are first converted to 8-bit blocks for quantized weights (the reference engine's
// vec_dot_type values, in whatever layout the chosen kernel reads), F16 for F16, ... `scratch`
// must hold MatMulScratchBytes(w.type, k, n_tok) bytes; nothing is allocated here.
void MatMul(const TensorView& w, const float* x, int64_t n_tok, float* y, uint8_t* scratch,
            ThreadPool& pool);

// One weight matrix of a MatMulShared and where its output goes ([n_tok, w->ne[1]]).
struct MatMulOut {
  const TensorView* w;
  float* y;
};

// Several matrices applied to the same input (Q, K and V; gate and up): the activations are
// converted once when the matrices' kernels read the same layout, and all rows of all matrices
// are split over the pool in one ParallelFor. scratch: the largest MatMulScratchBytes of them.
void MatMulShared(std::span<const MatMulOut> outs, const float* x, int64_t n_tok, uint8_t* scratch,
                  ThreadPool& pool);

// The kernel families, for tests and benchmarks that compare them; kBest is what MatMul uses.
enum class MatMulKernel : uint8_t {
  kBest,
  kReference,  // the traits' scalar vec_dot
  kNative,     // Highway tiles on the reference's activation blocks (dot_float/legacy/kquant)
  kLanes,      // AVX-512 VNNI tiles on the lanes layout (dot_lanes.cc)
  kAmx,        // AMX tiles for prompt batches (amx_matmul.cc)
  kPanel,      // AVX2 / AVX-512 int8 panel tiles for prompt batches (dot_panel.cc)
  kDecode,     // what kBest picks for one token, at every batch size: each token of a batch
               // gets the sum decoding it alone gives, bit for bit (speculative verification)
};
// Whether `kernel` has a kernel of its own for weight type w on this CPU (else MatMulUsing
// falls back to the next family down: kAmx → kLanes → kNative → kReference; kPanel → kNative).
bool HasMatMulKernel(MatMulKernel kernel, DType w);
void MatMulUsing(MatMulKernel kernel, std::span<const MatMulOut> outs, const float* x,
                 int64_t n_tok, uint8_t* scratch, ThreadPool& pool);

}  // namespace densing
