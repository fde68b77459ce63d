// UTF-8 helpers and the GPT-2 byte table.
#include "tokenizer/utf8.h"

#include <gtest/gtest.h>

#include <string>

#include "tokenizer/byte_unicode.h"

namespace densing::tokenizer {
namespace {

TEST(Utf8, Validation) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("a\xC3\xA9\xE2\x82\xAC\xF0\x9F\xA6\x99"));
  EXPECT_FALSE(IsValidUtf8("\xC0\x80"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));          // truncated
}

// llama.cpp's reading for byte-level BPE: the split patterns see `regex`, the words stand for
// `bytes`.
TEST(Utf8, LenientReading) {
  std::string regex, bytes;
  EXPECT_FALSE(ReadUtf8Leniently("a\xC3\xA9\xF0\x9F\xA6\x99", &regex, &bytes));
  auto read = [&](std::string_view s) {
    EXPECT_TRUE(ReadUtf8Leniently(s, &regex, &bytes));
    EXPECT_TRUE(IsValidUtf8(regex));
    EXPECT_EQ(regex.size(), bytes.size());
  };
  const std::string fffd = "\xEF\xBF\xBD";
  // Stray, truncated or never-valid bytes: one U+FFFD each.
  read("a\xFF" "b\xE2\x82");
  EXPECT_EQ(bytes, "a" + fffd + "b" + fffd + fffd);
  EXPECT_EQ(regex, bytes);
  // Overlong forms decode to their code point.
  read(std::string("\xC1\xA5\xC0\x80\xE0\x81\xA1", 7));
  EXPECT_EQ(bytes, std::string("e\0a", 3));
  EXPECT_EQ(regex, bytes);
  // Surrogates stay as bytes; the patterns see a private-use character in their place.
  read("\xED\xA0\x80 \xF0\x8D\xBF\xBF");
  EXPECT_EQ(bytes, "\xED\xA0\x80 \xED\xBF\xBF");
  EXPECT_EQ(regex, "\xEE\x80\x80 \xEE\x9F\xBF");
  // Above U+10FFFF: byte by byte.
  read("\xF4\x90\x80\x80");
  EXPECT_EQ(bytes, fffd + fffd + fffd + fffd);
}

TEST(Utf8, CompletePrefix) {
  EXPECT_EQ(CompleteUtf8Prefix(""), 0u);
  EXPECT_EQ(CompleteUtf8Prefix("ab"), 2u);
  EXPECT_EQ(CompleteUtf8Prefix("a\xF0"), 1u);
  EXPECT_EQ(CompleteUtf8Prefix("a\xF0\x9F\xA6"), 1u);
  EXPECT_EQ(CompleteUtf8Prefix("a\xF0\x9F\xA6\x99"), 5u);
  EXPECT_EQ(CompleteUtf8Prefix("a\xE2\x82"), 1u);
  EXPECT_EQ(CompleteUtf8Prefix("a\xFF"), 2u);      // never valid: not held
  EXPECT_EQ(CompleteUtf8Prefix("a\xE0\x80"), 3u);  // overlong start: not held
  EXPECT_EQ(CompleteUtf8Prefix("\x80\x80"), 2u);   // stray continuations
}

TEST(ByteUnicode, RoundTripsEveryByte) {
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  const std::string mapped = BytesToUnicode(all);
  EXPECT_TRUE(IsValidUtf8(mapped));
  EXPECT_EQ(UnicodeToBytes(mapped), all);
  EXPECT_EQ(ByteToUnicode(' '), "\xC4\xA0");   // Ġ
  EXPECT_EQ(ByteToUnicode('\n'), "\xC4\x8A");  // Ċ
  EXPECT_EQ(ByteToUnicode('a'), "a");
  EXPECT_EQ(UnicodeToBytes("\xE4\xBD\xA0"), "\xE4\xBD\xA0");  // not in the table: copied
}

}  // namespace
}  // namespace densing::tokenizer
