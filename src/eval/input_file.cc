// File reading with every failure named: missing file, read error, corrupt or oversized bzip2.
#include "eval/input_file.h"

#include <bzlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "base/error.h"

namespace densing::eval {
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

FilePtr Open(const std::string& path) {
  FilePtr f(std::fopen(path.c_str(), "rb"));
  if (!f) Fail("{}: cannot open ({})", path, std::strerror(errno));
  return f;
}

}  // namespace

std::string ReadWholeFile(const std::string& path, uint64_t max_bytes) {
  FilePtr f = Open(path);
  std::string out;
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f.get())) > 0) {
    if (out.size() + n > max_bytes) Fail("{}: larger than {} bytes", path, max_bytes);
    out.append(buf, n);
  }
  if (std::ferror(f.get())) Fail("{}: read error", path);
  return out;
}

std::string ReadBzip2File(const std::string& path, uint64_t max_bytes) {
  const std::string packed = ReadWholeFile(path);
  if (packed.empty()) Fail("{}: empty file, expected bzip2 data", path);
  std::string out;
  char buf[1 << 16];
  size_t pos = 0;  // input consumed by the streams finished so far (pbzip2 writes several)
  while (pos < packed.size()) {
    bz_stream s;
    std::memset(&s, 0, sizeof(s));
    if (BZ2_bzDecompressInit(&s, 0, 0) != BZ_OK) Fail("{}: cannot start bzip2 decompression", path);
    size_t fed = pos;
    auto feed = [&] {
      const size_t more = std::min<size_t>(packed.size() - fed, size_t{1} << 30);
      s.next_in = const_cast<char*>(packed.data() + fed);
      s.avail_in = static_cast<unsigned>(more);
      fed += more;
    };
    feed();
    while (true) {
      s.next_out = buf;
      s.avail_out = sizeof(buf);
      const int rc = BZ2_bzDecompress(&s);
      const size_t got = sizeof(buf) - s.avail_out;
      const char* error = nullptr;
      if (out.size() + got > max_bytes) error = "decompresses to too many bytes";
      if (rc != BZ_OK && rc != BZ_STREAM_END) error = "corrupt bzip2 data";
      if (rc == BZ_OK && s.avail_in == 0 && got == 0) {
        if (fed < packed.size()) {
          feed();
          continue;
        }
        error = "truncated bzip2 data";
      }
      if (error != nullptr) {
        BZ2_bzDecompressEnd(&s);
        Fail("{}: {} (at most {} bytes accepted; libbz2 code {})", path, error, max_bytes, rc);
      }
      out.append(buf, got);
      if (rc == BZ_STREAM_END) {
        pos = fed - s.avail_in;
        BZ2_bzDecompressEnd(&s);
        break;
      }
    }
  }
  return out;
}

}  // namespace densing::eval
