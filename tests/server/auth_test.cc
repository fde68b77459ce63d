// API keys: Bearer tokens only, every key of a key file, and clear errors for a bad file.
#include "server/auth.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "base/error.h"

namespace densing::server {
namespace {

TEST(Auth, BearerTokenMustMatchAKey) {
  const std::vector<std::string> keys = {"sk-one", "sk-two"};
  EXPECT_TRUE(Authorized(keys, "Bearer sk-one"));
  EXPECT_TRUE(Authorized(keys, "Bearer sk-two "));
  EXPECT_FALSE(Authorized(keys, "Bearer sk-on"));
  EXPECT_FALSE(Authorized(keys, "Bearer sk-one1"));
  EXPECT_FALSE(Authorized(keys, "sk-one"));
  EXPECT_FALSE(Authorized(keys, "Basic sk-one"));
  EXPECT_FALSE(Authorized(keys, ""));
  EXPECT_FALSE(Authorized(keys, "Bearer "));
}

TEST(Auth, KeyFile) {
  const std::string path = ::testing::TempDir() + "/densing_keys_" + std::to_string(::getpid()) + ".txt";
  std::ofstream(path) << "# keys\n\n  sk-a  \nsk-b\r\n";
  EXPECT_EQ(ReadApiKeyFile(path), (std::vector<std::string>{"sk-a", "sk-b"}));
  std::ofstream(path) << "# only a comment\n";
  EXPECT_THROW(ReadApiKeyFile(path), Error);
  EXPECT_THROW(ReadApiKeyFile(path + ".missing"), Error);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace densing::server
