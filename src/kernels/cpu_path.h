// The CPU path: which instruction sets the kernels use. The best this CPU has, or a lower level
// named by the environment variable DENSING_CPU, so that every path can be tested and measured on
// any machine that has it.
#pragma once

#include <cstdint>
#include <string>

namespace densing {

// In increasing order; a path allows every lower one. x86: avx2 (with FMA), avx512 (F/BW/DQ/VL),
// avx512vnni (+ VNNI, VBMI: Highway's AVX3_DL), amx (+ AMX-INT8 tiles). ARM: neon, dotprod
// (+ SDOT, for the quantized tiles), i8mm (+ SMMLA, for prompt batches), sve (+ Highway's SVE or
// SVE2 target for the float kernels and ops, on a CPU that has I8MM too).
enum class CpuPath : uint8_t { kScalar, kAvx2, kAvx512, kAvx512Vnni, kAmx, kNeon, kDotprod, kI8mm, kSve };

const char* CpuPathName(CpuPath path);
// The paths this build knows on this architecture, lowest first: "scalar, avx2, …".
std::string KnownCpuPaths();
// The best path this CPU and operating system allow.
CpuPath BestCpuPath();
// The path in use: DENSING_CPU's, read once, or the best. Restricts Highway's dispatch to it on
// the first call. Throws Error naming the variable for an unknown path or one this CPU lacks.
CpuPath ActiveCpuPath();
// The Highway target that dispatch runs now (HWY_AVX2, ...): the path's best.
int64_t DispatchedTarget();
// "avx512vnni (Highway AVX3_DL)": the path and the Highway target its kernels run.
std::string DescribeCpuPath();

}  // namespace densing

// HWY_DYNAMIC_DISPATCH after the path's restriction is in force.
#define DENSING_DISPATCH(fn) (::densing::ActiveCpuPath(), HWY_DYNAMIC_DISPATCH(fn))
