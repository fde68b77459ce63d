// src/base: Error messages as formatted, failed checks naming file, line and expression, a mapped
// file's bytes and its errors, and the progress bar (drawn on a terminal, silent otherwise).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "base/error.h"
#include "base/mapped_file.h"
#include "base/progress.h"

namespace densing {
namespace {

std::string Thrown(auto&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "(nothing thrown)";
}

TEST(Error, FailFormatsItsMessage) {
  EXPECT_EQ(Thrown([] { Fail("tensor '{}' at offset {}: expected {} bytes", "blk.0.attn_q", 4096, 12); }),
            "tensor 'blk.0.attn_q' at offset 4096: expected 12 bytes");
}

TEST(Error, CheckNamesFileLineAndExpression) {
  const int n = 3;
  const int line = __LINE__ + 1;
  const std::string m = Thrown([&] { DENSING_CHECK(n == 4); });
  EXPECT_EQ(m, "internal error: check failed at " + std::string(__FILE__) + ":" + std::to_string(line) + ": n == 4");
  EXPECT_NO_THROW(DENSING_CHECK(n == 3));
}

// A file in the test's temporary folder with the given bytes, removed with the object.
struct TempFile {
  TempFile(const std::string& name, const std::string& content)
      : path(::testing::TempDir() + "/" + name + "_" + std::to_string(::getpid())) {
    std::ofstream(path, std::ios::binary) << content;
  }
  ~TempFile() { std::remove(path.c_str()); }
  operator const std::string&() const { return path; }
  const std::string path;
};

TEST(MappedFile, MapsTheBytesAndAnEmptyFile) {
  const std::string content("GGUF\0\x01\xff", 7);
  const MappedFile f(TempFile("mapped", content));
  ASSERT_EQ(f.bytes().size(), 7u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(f.bytes().data()), 7), content);
  const MappedFile empty(TempFile("empty", ""));
  EXPECT_TRUE(empty.bytes().empty());
}

TEST(MappedFile, ErrorsNameThePath) {
  EXPECT_EQ(Thrown([] { MappedFile("/nonexistent/x.gguf"); }), "/nonexistent/x.gguf: cannot open: No such file or directory");
  const std::string dir = ::testing::TempDir();
  EXPECT_EQ(Thrown([&] { MappedFile{dir}; }), dir + ": not a regular file");
}

// Runs fn with stderr on a new pseudo-terminal and returns what was drawn.
std::string DrawnOnATerminal(auto&& fn) {
  const int master = ::posix_openpt(O_RDWR | O_NOCTTY);
  EXPECT_GE(master, 0);
  EXPECT_EQ(::grantpt(master), 0);
  EXPECT_EQ(::unlockpt(master), 0);
  const int slave = ::open(::ptsname(master), O_RDWR | O_NOCTTY);
  EXPECT_GE(slave, 0);
  std::fflush(stderr);
  const int saved = ::dup(STDERR_FILENO);
  ::dup2(slave, STDERR_FILENO);
  fn();
  std::fflush(stderr);
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  ::close(slave);
  std::string out;
  ::fcntl(master, F_SETFL, O_NONBLOCK);
  char buf[4096];
  for (ssize_t n; (n = ::read(master, buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  ::close(master);
  return out;
}

TEST(ProgressBar, DrawsOnATerminalOncePerStep) {
  const std::string out = DrawnOnATerminal([] {
    ProgressBar bar("load", 200);
    bar.Update(100);
    bar.Update(100);  // the same 0.1%: not drawn again
    bar.Update(500);  // past the end: full
  });
  // The terminal turns "\n" into "\r\n".
  const std::string half = "\rload [###############               ]  50.0%";
  const std::string full = "\rload [##############################] 100.0%";
  ASSERT_NE(out.find(half), std::string::npos) << out;
  EXPECT_EQ(out.find(half, out.find(half) + 1), std::string::npos) << "drawn twice: " << out;
  ASSERT_NE(out.find(full), std::string::npos) << out;
  EXPECT_GT(out.find(full), out.find(half));
  EXPECT_EQ(out.substr(out.size() - 2), "\r\n") << "the line is finished";
}

TEST(ProgressBar, SilentWhenStderrIsNotATerminal) {
  const TempFile file("progress", "");
  const std::string& path = file.path;
  std::fflush(stderr);
  const int saved = ::dup(STDERR_FILENO);
  const int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC);
  ::dup2(fd, STDERR_FILENO);
  {
    ProgressBar bar("load", 10);
    for (int i = 0; i <= 10; ++i) bar.Update(i);
  }
  std::fflush(stderr);
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  ::close(fd);
  std::ifstream in(path);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "");
}

}  // namespace
}  // namespace densing
