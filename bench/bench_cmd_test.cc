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

#include "testing/shared_dir.h"

namespace densing {
namespace {

struct Result {
  int code;
  std::string out;
  std::string err;
};

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

Result Densing(const std::vector<std::string>& args) {
  // CTest runs tests as parallel processes: a file name of this process's own.
  static int calls = 0;
  const std::string err_path = ::testing::TempDir() + "/densing_bench_stderr." +
                               std::to_string(getpid()) + "." + std::to_string(++calls) + ".txt";
  std::string cmd = Quote(testing::DensingBinary());
  for (const std::string& a : args) cmd += " " + Quote(a);
  cmd += " 2>" + Quote(err_path) + " </dev/null";
  Result r;
  FILE* p = popen(cmd.c_str(), "r");
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.err = testing::ReadFile(err_path);
  std::remove(err_path.c_str());
  return r;
}

std::string Model() { return testing::SharedDir() + "/models/stories260K.gguf"; }

void ExpectOneLineError(const Result& r, const std::string& contains) {
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_EQ(r.err.rfind("densing: error: ", 0), 0u) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find(contains), std::string::npos) << r.err;
}

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
