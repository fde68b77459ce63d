// DENSING_CPU restricts the kernels to a path: Highway dispatches to no target above it, and AMX
// tiles are found only on the amx path.
#include "kernels/cpu_path.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "kernels/amx_matmul.h"
#include "tensor/dtype.h"

namespace densing {
namespace {

TEST(CpuPath, TheActivePathIsTheOneAskedForAndDispatchFollowsIt) {
  const char* want = std::getenv("DENSING_CPU");
  const CpuPath active = ActiveCpuPath();
  if (want != nullptr && *want != '\0') {
    EXPECT_EQ(std::string(CpuPathName(active)), want);
  } else {
    EXPECT_EQ(active, BestCpuPath());
  }
  EXPECT_LE(active, BestCpuPath());
  const std::string described = DescribeCpuPath();  // "avx2 (Highway AVX2)"
  EXPECT_EQ(described.rfind(CpuPathName(active), 0), 0u) << described;
  const std::string target = described.substr(described.find("Highway ") + 8);
  switch (active) {
    case CpuPath::kScalar: EXPECT_TRUE(target == "EMU128)" || target == "SCALAR)") << target; break;  // as compiled
    case CpuPath::kAvx2: EXPECT_EQ(target, "AVX2)"); break;
    case CpuPath::kAvx512: EXPECT_EQ(target, "AVX3)"); break;
    case CpuPath::kAvx512Vnni:
    case CpuPath::kAmx: EXPECT_EQ(target, "AVX3_DL)"); break;
    default: break;
  }
  EXPECT_EQ(FindAmxTile(DType::kQ8_0) != nullptr, active == CpuPath::kAmx);
}

TEST(CpuPath, NamesRoundTrip) {
  const std::string known = KnownCpuPaths();
  EXPECT_EQ(known.rfind("scalar", 0), 0u) << known;
  EXPECT_NE(known.find(CpuPathName(BestCpuPath())), std::string::npos) << known;
}

}  // namespace
}  // namespace densing
