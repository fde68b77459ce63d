// `densing bench` as a user meets it: argument errors are one line with exit code 1, and --json
// prints the objects the issue names. Speeds are only checked to be positive numbers; never
// asserted against a target.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "testing/run_densing.h"
#include "testing/shared_dir.h"

namespace densing {
namespace {

using testing::Densing;
using testing::ExpectOneLineError;
using testing::Result;

std::string Model() { return testing::SharedDir() + "/models/stories260K.gguf"; }

TEST(BenchCommand, ArgumentErrors) {
  ExpectOneLineError(Densing({"bench"}), "-m FILE");
  ExpectOneLineError(Densing({"bench", "-m", "/nonexistent/model.gguf"}), "model");
  ExpectOneLineError(Densing({"bench", "--membw", "-r", "0"}), "repetitions");
  ExpectOneLineError(Densing({"bench", "--membw", "-n", "-3"}), "n-gen");
  ExpectOneLineError(Densing({"bench", "--membw", "--bogus"}), "bogus");
  DENSING_REQUIRE_SHARED();
  ExpectOneLineError(Densing({"bench", "-m", Model(), "--membw"}), "not both");
  ExpectOneLineError(Densing({"bench", "-m", Model(), "-p", "12,abc"}), "n-prompt");
  ExpectOneLineError(Densing({"bench", "-m", Model(), "-p", "100000"}), "prompt length 100000");
}

TEST(BenchCommand, MembwJsonIsOneNumber) {
  const Result r = Densing({"bench", "--membw", "--json", "--membw-mib", "32", "-t", "2"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j.size(), 1u);
  ASSERT_TRUE(j.contains("read_gb_per_s"));
  EXPECT_TRUE(j["read_gb_per_s"].is_number());
  EXPECT_GT(j["read_gb_per_s"].get<double>(), 0.0);
}

TEST(BenchCommand, ModelJsonHasEveryTest) {
  DENSING_REQUIRE_SHARED();
  const Result r = Densing({"bench", "-m", Model(), "-p", "8,16", "-n", "4", "-r", "2", "-t", "2",
                            "--json", "--membw-mib", "32"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_TRUE(j.is_array());
  std::set<std::string> tests;
  for (const auto& o : j) {
    ASSERT_TRUE(o.contains("test") && o["test"].is_string()) << o.dump();
    ASSERT_TRUE(o.contains("tokens_per_s") && o["tokens_per_s"].is_number()) << o.dump();
    EXPECT_GT(o["tokens_per_s"].get<double>(), 0.0) << o.dump();
    const std::string test = o["test"];
    tests.insert(test);
    if (test.rfind("tg", 0) == 0) {
      ASSERT_TRUE(o.contains("gb_per_s") && o["gb_per_s"].is_number()) << o.dump();
      EXPECT_GT(o["gb_per_s"].get<double>(), 0.0);
      EXPECT_TRUE(o["share_of_read_bandwidth"].is_number());
      EXPECT_EQ(o["samples_tokens_per_s"].size(), 2u);
    }
    if (test.rfind("pp", 0) == 0) {
      EXPECT_FALSE(o.contains("gb_per_s")) << o.dump();
    }
  }
  EXPECT_EQ(tests, (std::set<std::string>{"pp8", "pp16", "tg4", "ttft512"}));
}

TEST(BenchCommand, TheCacheTypeIsChosenAndReported) {
  DENSING_REQUIRE_SHARED();
  const Result r = Densing({"bench", "-m", Model(), "-p", "8", "-n", "4", "-r", "1", "-t", "1", "--json",
                            "--membw-mib", "32", "-ctk", "f16", "-ctv", "f16"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_GE(j.size(), 2u);
  EXPECT_EQ(j[0]["type_k"], "f16");
  EXPECT_EQ(j[0]["type_v"], "f16");
  ExpectOneLineError(Densing({"bench", "-m", Model(), "-ctv", "q4_0"}), "cache-type-v");
}

TEST(BenchCommand, TableNamesTheTests) {
  DENSING_REQUIRE_SHARED();
  const Result r = Densing({"bench", "-m", Model(), "-p", "8", "-n", "4", "-r", "1", "-t", "1",
                            "--membw-mib", "32"});
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* s : {"pp8", "tg4", "tokens/s", "GB/s", "time to first token", "read bandwidth"}) {
    EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
  }
}

}  // namespace
}  // namespace densing
