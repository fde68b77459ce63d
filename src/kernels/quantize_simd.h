// Activation quantizers in Highway, bit-exact with the reference's (tensor/quant_legacy.cc
// Q8_0FromFloat, tensor/quant_k_quantize.cc Q8_KFromFloat): the same float operations lane by
// lane, so the kernels see exactly the activations the reference dot products see.
#pragma once

#include <cstdint>

namespace densing {

// n_blocks blocks of 32 floats → q[32·n_blocks] and each block's scale as its f16 value.
void QuantizeQ8_0(const float* x, int64_t n_blocks, int8_t* q, float* d);
// The same through the reference quantizer (for tests).
void QuantizeQ8_0Reference(const float* x, int64_t n_blocks, int8_t* q, float* d);

// n_blocks super-blocks of 256 floats → BlockQ8_K blocks, as Q8_KFromFloat writes them.
void QuantizeQ8_K(const float* x, int64_t n_blocks, void* blocks);

}  // namespace densing
