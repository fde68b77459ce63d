// Every test binary runs on the CPU path DENSING_CPU names (CTest runs the kernel and golden tests
// once per path); a path this CPU lacks skips the binary, saying so, instead of failing it, and
// so does its best path, which the run without DENSING_CPU already covers.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "kernels/cpu_path.h"

namespace densing::testing {
namespace {

class CpuPathEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    const char* want = std::getenv("DENSING_CPU");
    if (want == nullptr || *want == '\0') return;
    for (int p = 0; p <= static_cast<int>(CpuPath::kSve); ++p) {
      const auto path = static_cast<CpuPath>(p);
      if (std::string(want) != CpuPathName(path)) continue;
      if (path > BestCpuPath()) {
        GTEST_SKIP() << "DENSING_CPU=" << want << ": this CPU's best path is "
                     << CpuPathName(BestCpuPath());
      }
      if (path == BestCpuPath()) {
        GTEST_SKIP() << "DENSING_CPU=" << want << ": the run without it covers it (this CPU's "
                     << "best path is " << want << ")";
      }
    }
    ActiveCpuPath();  // an unknown name throws here, before any test
  }
};

[[maybe_unused]] ::testing::Environment* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new CpuPathEnvironment);

}  // namespace
}  // namespace densing::testing
