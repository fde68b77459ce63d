// API keys: "Authorization: Bearer KEY", compared in constant time.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace densing::server {

// Keys from a file, one per line (blank lines and lines starting with '#' skipped). Throws Error
// naming the file when it cannot be read or holds no key.
std::vector<std::string> ReadApiKeyFile(const std::string& path);

// Whether an Authorization header value carries one of `keys`.
bool Authorized(const std::vector<std::string>& keys, std::string_view authorization);

}  // namespace densing::server
