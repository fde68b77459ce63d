// Where the tests find ../shared (models, fixtures, tokenizer vectors) and the densing binary.
#pragma once

#include <string>

namespace densing::testing {

// The shared/ folder beside the repository; DENSING_SHARED overrides it.
std::string SharedDir();
// True when SharedDir() exists; otherwise the caller should GTEST_SKIP() with SharedMissing().
bool HaveShared();
std::string SharedMissing();
std::string DensingBinary();
// Whether the tests run under an emulator (scripts/test --arm64: qemu-aarch64), where the few
// tests that take minutes natively would take far longer than CTest's timeout.
bool UnderEmulation();
std::string ReadFile(const std::string& path);
// A path in the test temporary folder that no other test process uses (CTest runs in parallel);
// the file is removed when the test process exits.
std::string TempPath(const std::string& name);

}  // namespace densing::testing

#define DENSING_REQUIRE_SHARED()                                         \
  do {                                                                   \
    if (!::densing::testing::HaveShared()) GTEST_SKIP() << ::densing::testing::SharedMissing(); \
  } while (0)
