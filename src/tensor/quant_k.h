// Row functions of the k-quants Q2_K .. Q6_K and their activation type Q8_K (super-blocks of
// 256): scalar reference dequantization, the reference quantizers (quant_k_quantize.cc), and
// dot products with Q8_K activations in the reference engine's integer arithmetic.
#pragma once

#include <cstdint>

namespace densing {

void Q2_KToFloat(const void* src, float* dst, int64_t n);
void Q2_KFromFloat(const float* src, void* dst, int64_t n);
float Q2_KDotQ8_K(int64_t n, const void* w, const void* x);

void Q3_KToFloat(const void* src, float* dst, int64_t n);
void Q3_KFromFloat(const float* src, void* dst, int64_t n);
float Q3_KDotQ8_K(int64_t n, const void* w, const void* x);

void Q4_KToFloat(const void* src, float* dst, int64_t n);
void Q4_KFromFloat(const float* src, void* dst, int64_t n);
float Q4_KDotQ8_K(int64_t n, const void* w, const void* x);

void Q5_KToFloat(const void* src, float* dst, int64_t n);
void Q5_KFromFloat(const float* src, void* dst, int64_t n);
float Q5_KDotQ8_K(int64_t n, const void* w, const void* x);

void Q6_KToFloat(const void* src, float* dst, int64_t n);
void Q6_KFromFloat(const float* src, void* dst, int64_t n);
float Q6_KDotQ8_K(int64_t n, const void* w, const void* x);

void Q8_KToFloat(const void* src, float* dst, int64_t n);
void Q8_KFromFloat(const float* src, void* dst, int64_t n);
float Q8_KDotQ8_K(int64_t n, const void* w, const void* x);

}  // namespace densing
