// Running the densing binary for tests: each call uses files of its own, since CTest runs tests
// as parallel processes.
#include "testing/run_densing.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "testing/shared_dir.h"

namespace densing::testing {
namespace {

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

}  // namespace

Result Densing(const std::vector<std::string>& args, const std::string& stdin_text) {
  // CTest runs tests in parallel processes: every call gets its own files.
  static int calls = 0;
  const std::string tag = std::to_string(::getpid()) + "_" + std::to_string(calls++);
  const std::string err_path = ::testing::TempDir() + "/densing_stderr_" + tag + ".txt";
  std::string cmd = Quote(DensingBinary());
  for (const std::string& a : args) cmd += " " + Quote(a);
  const std::string in_path = ::testing::TempDir() + "/densing_stdin_" + tag + ".txt";
  {
    std::ofstream in(in_path, std::ios::binary);
    in << stdin_text;
  }
  cmd += " 2>" + Quote(err_path) + " <" + Quote(in_path);
  Result r;
  FILE* p = popen(cmd.c_str(), "r");
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.err = ReadFile(err_path);
  std::filesystem::remove(err_path);
  std::filesystem::remove(in_path);
  return r;
}

void ExpectOneLineError(const Result& r, const std::string& contains) {
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.rfind("densing: error: ", 0), 0u) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find(contains), std::string::npos) << r.err;
}

}  // namespace densing::testing
