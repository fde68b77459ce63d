// API key checks.
#include "server/auth.h"

#include <algorithm>
#include <fstream>

#include "base/error.h"

namespace densing::server {
namespace {

std::string_view Trim(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

// Time depends on the lengths only, not on where the first difference is.
bool SameBytes(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  const size_t n = std::max(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= x ^ y;
  }
  return diff == 0;
}

}  // namespace

std::vector<std::string> ReadApiKeyFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) Fail("cannot read the API key file {}", path);
  std::vector<std::string> keys;
  std::string line;
  while (std::getline(in, line)) {
    const std::string_view key = Trim(line);
    if (!key.empty() && key.front() != '#') keys.emplace_back(key);
  }
  if (keys.empty()) Fail("the API key file {} holds no key", path);
  return keys;
}

bool Authorized(const std::vector<std::string>& keys, std::string_view authorization) {
  authorization = Trim(authorization);
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.substr(0, kBearer.size()) != kBearer) return false;
  const std::string_view given = Trim(authorization.substr(kBearer.size()));
  bool ok = false;
  for (const std::string& key : keys) ok |= SameBytes(key, given);
  return ok;
}

}  // namespace densing::server
