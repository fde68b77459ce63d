#include "base/csv.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace densing {
namespace {

using Fields = std::vector<std::string>;

TEST(Csv, QuotesCommasNewlinesAndLineNumbers) {
  const auto r = ParseCsv("a,b\n\"x, y\",\"say \"\"hi\"\"\"\n\n\"two\nlines\",z\r\nlast");
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].fields, (Fields{"a", "b"}));
  EXPECT_EQ(r[1].fields, (Fields{"x, y", "say \"hi\""}));
  EXPECT_EQ(r[2].line, 4);
  EXPECT_EQ(r[2].fields[0], "two\nlines");
  EXPECT_EQ(r[3].line, 6);
  EXPECT_EQ(r[3].fields, (Fields{"last"}));
  for (const auto& rec : r) {
    EXPECT_TRUE(rec.error.empty());
    EXPECT_TRUE(rec.irregular.empty());
  }
}

TEST(Csv, EmptyFieldsAndTrailingComma) {
  const auto r = ParseCsv("a,,c,\n\"\",x\n");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].fields, (Fields{"a", "", "c", ""}));
  EXPECT_EQ(r[1].fields, (Fields{"", "x"}));
}

TEST(Csv, ByteOrderMarkAndSpaceOnlyLinesAreSkipped) {
  const auto r = ParseCsv("\xEF\xBB\xBFh1,h2\n   \n1,2\n");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].fields, (Fields{"h1", "h2"}));
  EXPECT_EQ(r[1].line, 3);
}

TEST(Csv, SpacesAroundAQuotedFieldAreDropped) {
  const auto r = ParseCsv("  \"a,b\"  ,c\n");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].fields, (Fields{"a,b", "c"}));
  EXPECT_TRUE(r[0].irregular.empty());
}

TEST(Csv, AnOpenQuoteAtTheEndIsAnError) {
  const auto r = ParseCsv("ok,1\n\"never closed,2\n");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_TRUE(r[0].error.empty());
  EXPECT_EQ(r[1].error, "a quoted field is not closed before the end of the file");
  EXPECT_EQ(r[1].line, 2);
}

// What Python's csv module accepts but RFC 4180 does not: read the same way, and flagged.
TEST(Csv, IrregularQuotesAreReadAsPythonDoesAndFlagged) {
  const auto stray = ParseCsv("ab\"c,d\n");
  ASSERT_EQ(stray.size(), 1u);
  EXPECT_EQ(stray[0].fields, (Fields{"ab\"c", "d"}));
  EXPECT_EQ(stray[0].irregular, "a quote inside an unquoted field");
  EXPECT_TRUE(stray[0].error.empty());

  const auto after = ParseCsv("\"ab\"cd,e\n");
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].fields, (Fields{"abcd", "e"}));
  EXPECT_EQ(after[0].irregular, "text after a closing quote");
}

TEST(Csv, NoTrailingNewlineAndEmptyText) {
  EXPECT_TRUE(ParseCsv("").empty());
  EXPECT_TRUE(ParseCsv("\n\r\n").empty());
  const auto r = ParseCsv("x");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].fields, (Fields{"x"}));
  const auto q = ParseCsv("\"\"");
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0].fields, (Fields{""}));
}

}  // namespace
}  // namespace densing
