// Choosing the CPU path: Highway's targets above it are disabled before the first dispatch; AMX,
// which Highway does not know, is asked for separately.
// The widest set of targets any kernel file compiles (they define the same before Highway).
#define HWY_WANT_AVX3_DL
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/cpu_path.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace densing {
namespace HWY_NAMESPACE {

// The target the dispatch runs: compiled once per target, called through the dispatch table.
int64_t DispatchedTargetImpl() { return HWY_TARGET; }

}  // namespace HWY_NAMESPACE
}  // namespace densing
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "kernels/cpu_path.h"

#include <cstdlib>
#include <string_view>

#include "base/error.h"

#if defined(__aarch64__) && defined(__linux__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif
#if defined(__x86_64__) && defined(__linux__)
#include <cpuid.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace densing {
namespace {

#if defined(__aarch64__)
// Highway's EMU128 (scalar), NEON, and SVE/SVE2 when this build compiles them (CMakeLists.txt
// does; the path must not be offered in a build without them).
#define DENSING_SVE_COMPILED ((HWY_TARGETS & (HWY_SVE | HWY_SVE2 | HWY_SVE_256 | HWY_SVE2_128)) != 0)
#if DENSING_SVE_COMPILED
constexpr CpuPath kPaths[] = {CpuPath::kScalar, CpuPath::kNeon, CpuPath::kDotprod, CpuPath::kI8mm,
                              CpuPath::kSve};
#else
constexpr CpuPath kPaths[] = {CpuPath::kScalar, CpuPath::kNeon, CpuPath::kDotprod, CpuPath::kI8mm};
#endif
#else
constexpr CpuPath kPaths[] = {CpuPath::kScalar, CpuPath::kAvx2, CpuPath::kAvx512,
                              CpuPath::kAvx512Vnni, CpuPath::kAmx};
#endif

// AMX-TILE and AMX-INT8 in CPUID, and Linux's permission to use the tile data state.
[[maybe_unused]] bool AmxUsable() {
#if defined(__x86_64__) && defined(__linux__)
  static const bool usable = [] {
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d) == 0) return false;
    if ((d & (1u << 24)) == 0 || (d & (1u << 25)) == 0) return false;
    constexpr long kArchReqXcompPerm = 0x1023, kXfeatureXtiledata = 18;
    return syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) == 0;
  }();
  return usable;
#else
  return false;  // AMX is an x86 feature, and the permission call is Linux's
#endif
}

// The ARM extensions the kernels use outside Highway: SDOT (dot_arm_dotprod.cc) and, with it,
// SMMLA (dot_arm_i8mm.cc), as Linux reports them.
[[maybe_unused]] bool ArmHas(CpuPath path) {
#if defined(__aarch64__) && defined(__linux__)
  const bool dotprod = (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0;
  if (path == CpuPath::kDotprod) return dotprod;
  if (path == CpuPath::kI8mm) return dotprod && (getauxval(AT_HWCAP2) & HWCAP2_I8MM) != 0;
#endif
  (void)path;
  return false;
}

// The Highway targets a path may dispatch to.
int64_t AllowedTargets(CpuPath path) {
  int64_t t = HWY_EMU128 | HWY_SCALAR;
#if HWY_ARCH_X86
  if (path >= CpuPath::kAvx2) t |= HWY_SSSE3 | HWY_SSE4 | HWY_AVX2;
  if (path >= CpuPath::kAvx512) t |= HWY_AVX3;
  if (path >= CpuPath::kAvx512Vnni) t |= HWY_AVX3_DL;
#elif HWY_ARCH_ARM_A64
  if (path >= CpuPath::kNeon) t |= HWY_NEON;
  if (path >= CpuPath::kSve) t |= HWY_SVE | HWY_SVE2 | HWY_SVE_256 | HWY_SVE2_128;
#endif
  return t;
}

CpuPath Choose() {
  const CpuPath best = BestCpuPath();
  const char* env = std::getenv("DENSING_CPU");
  if (env == nullptr || *env == '\0') return best;
  const std::string_view want(env);
  for (CpuPath p : kPaths) {
    if (want != CpuPathName(p)) continue;
    if (p > best) {
      Fail("DENSING_CPU={}: this CPU's best path is {} (paths: {})", want, CpuPathName(best),
           KnownCpuPaths());
    }
    hwy::DisableTargets(hwy::SupportedTargets() & ~AllowedTargets(p));
    return p;
  }
  Fail("DENSING_CPU={} is not a path (paths: {})", want, KnownCpuPaths());
}

}  // namespace

const char* CpuPathName(CpuPath path) {
  switch (path) {
    case CpuPath::kScalar: return "scalar";
    case CpuPath::kAvx2: return "avx2";
    case CpuPath::kAvx512: return "avx512";
    case CpuPath::kAvx512Vnni: return "avx512vnni";
    case CpuPath::kAmx: return "amx";
    case CpuPath::kNeon: return "neon";
    case CpuPath::kDotprod: return "dotprod";
    case CpuPath::kI8mm: return "i8mm";
    case CpuPath::kSve: return "sve";
  }
  return "?";
}

std::string KnownCpuPaths() {
  std::string s;
  for (CpuPath p : kPaths) s += (s.empty() ? "" : ", ") + std::string(CpuPathName(p));
  return s;
}

CpuPath BestCpuPath() {
  static const CpuPath best = [] {
    const int64_t t = hwy::SupportedTargets();
    CpuPath b = CpuPath::kScalar;
#if HWY_ARCH_X86
    if (t & HWY_AVX2) b = CpuPath::kAvx2;
    if (t & HWY_AVX3) b = CpuPath::kAvx512;
    if (t & HWY_AVX3_DL) b = CpuPath::kAvx512Vnni;
    if (b == CpuPath::kAvx512Vnni && AmxUsable()) b = CpuPath::kAmx;
#elif HWY_ARCH_ARM_A64
    if (t & HWY_NEON) b = CpuPath::kNeon;
    if (b == CpuPath::kNeon && ArmHas(CpuPath::kDotprod)) b = CpuPath::kDotprod;
    if (b == CpuPath::kDotprod && ArmHas(CpuPath::kI8mm)) b = CpuPath::kI8mm;
#if DENSING_SVE_COMPILED
    // sve allows every path below it, SMMLA included: a CPU with SVE but without I8MM (A64FX)
    // stays on the path its dot-product extensions allow, its float kernels on NEON.
    if (b == CpuPath::kI8mm && (t & (HWY_SVE | HWY_SVE2 | HWY_SVE_256 | HWY_SVE2_128))) b = CpuPath::kSve;
#endif
#endif
    return b;
  }();
  return best;
}

CpuPath ActiveCpuPath() {
  static const CpuPath active = Choose();
  return active;
}

HWY_EXPORT(DispatchedTargetImpl);

int64_t DispatchedTarget() { return DENSING_DISPATCH(DispatchedTargetImpl)(); }

std::string DescribeCpuPath() {
  const CpuPath p = ActiveCpuPath();
  return std::string(CpuPathName(p)) + " (Highway " + hwy::TargetName(DispatchedTarget()) + ")";
}

}  // namespace densing
#endif  // HWY_ONCE
