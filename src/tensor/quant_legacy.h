// Row functions of the legacy block types Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1 (blocks of 32):
// scalar reference dequantization, the reference quantizers, and dot products with the 8-bit
// activation blocks, in the reference engine's integer arithmetic.
#pragma once

#include <cstdint>

namespace densing {

void Q4_0ToFloat(const void* src, float* dst, int64_t n);
void Q4_0FromFloat(const float* src, void* dst, int64_t n);
float Q4_0DotQ8_0(int64_t n, const void* w, const void* x);

void Q4_1ToFloat(const void* src, float* dst, int64_t n);
void Q4_1FromFloat(const float* src, void* dst, int64_t n);
float Q4_1DotQ8_1(int64_t n, const void* w, const void* x);

void Q5_0ToFloat(const void* src, float* dst, int64_t n);
void Q5_0FromFloat(const float* src, void* dst, int64_t n);
float Q5_0DotQ8_0(int64_t n, const void* w, const void* x);

void Q5_1ToFloat(const void* src, float* dst, int64_t n);
void Q5_1FromFloat(const float* src, void* dst, int64_t n);
float Q5_1DotQ8_1(int64_t n, const void* w, const void* x);

void Q8_0ToFloat(const void* src, float* dst, int64_t n);
void Q8_0FromFloat(const float* src, void* dst, int64_t n);
float Q8_0DotQ8_0(int64_t n, const void* w, const void* x);

void Q8_1ToFloat(const void* src, float* dst, int64_t n);
void Q8_1FromFloat(const float* src, void* dst, int64_t n);
float Q8_1DotQ8_1(int64_t n, const void* w, const void* x);

}  // namespace densing
