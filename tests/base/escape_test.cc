#include "base/escape.h"

#include <gtest/gtest.h>

namespace densing {
namespace {

TEST(EscapeMarkup, TheFiveCharactersAsMarkupSafeWritesThem) {
  EXPECT_EQ(EscapeMarkup("<a href=\"x\">&'</a>"),
            "&lt;a href=&#34;x&#34;&gt;&amp;&#39;&lt;/a&gt;");
}

TEST(EscapeMarkup, OtherBytesPassUnchanged) {
  const std::string text = "caf\xC3\xA9 \x01\t\n plain";
  EXPECT_EQ(EscapeMarkup(text), text);
  EXPECT_EQ(EscapeMarkup(""), "");
}

}  // namespace
}  // namespace densing
