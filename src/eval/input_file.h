// Reading a data file whole: plain text, or bzip2-compressed (HellaSwag ships that way).
#pragma once

#include <cstdint>
#include <string>

namespace densing::eval {

// Both throw Error naming the path when it cannot be read, is corrupt, or would decompress to more
// than max_bytes.
std::string ReadWholeFile(const std::string& path, uint64_t max_bytes = uint64_t{1} << 32);
std::string ReadBzip2File(const std::string& path, uint64_t max_bytes = uint64_t{1} << 31);

}  // namespace densing::eval
