// CSV records with line numbers, and release dates on the trend's time axis.
#include <gtest/gtest.h>

#include "base/error.h"
#include "density/csv.h"
#include "density/date.h"

namespace densing::density {
namespace {

std::string ErrorOf(auto&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Csv, QuotedFieldsCommasAndDoubledQuotes) {
  const CsvTable t = CsvTable::Parse("a,b\n\"x, y\",\"say \"\"hi\"\"\"\n", "t.csv");
  ASSERT_EQ(t.records().size(), 1u);
  EXPECT_EQ(t.records()[0].fields[0], "x, y");
  EXPECT_EQ(t.records()[0].fields[1], "say \"hi\"");
  EXPECT_EQ(t.records()[0].line, 2);
}

TEST(Csv, LineNumbersCountNewlinesInsideQuotesAndBlankLines) {
  const CsvTable t = CsvTable::Parse("a,b\r\n\"two\nlines\",1\n\n3,4\n", "t.csv");
  ASSERT_EQ(t.records().size(), 2u);
  EXPECT_EQ(t.records()[0].line, 2);
  EXPECT_EQ(t.records()[1].line, 5);
}

TEST(Csv, WrongFieldCountNamesTheLine) {
  EXPECT_EQ(ErrorOf([] { CsvTable::Parse("a,b\n1,2\n1,2,3\n", "t.csv"); }),
            "t.csv:3: 3 fields, the header has 2");
}

TEST(Csv, UnclosedQuoteAndStrayQuoteFail) {
  EXPECT_NE(ErrorOf([] { CsvTable::Parse("a\n\"open\n", "t.csv"); }).find("not closed"),
            std::string::npos);
  EXPECT_NE(ErrorOf([] { CsvTable::Parse("a\nab\"c\n", "t.csv"); }).find("t.csv:2:"),
            std::string::npos);
}

TEST(Csv, ColumnsAreFoundCaseInsensitively) {
  const CsvTable t = CsvTable::Parse("Model, MMLU \nx,1\n", "t.csv");
  EXPECT_EQ(t.Find("mmlu"), 1u);
  EXPECT_FALSE(t.Find("release").has_value());
  EXPECT_EQ(ErrorOf([&] { t.Require("release"); }), "t.csv:1: no column 'release' in the header");
}

TEST(Csv, NumbersMustFillTheCell) {
  EXPECT_EQ(ParseNumberCell(" 12.5 ", "f", 3, "c"), 12.5);
  EXPECT_FALSE(ParseNumberCell("  ", "f", 3, "c").has_value());
  EXPECT_EQ(ErrorOf([] { ParseNumberCell("12 (est)", "f", 3, "c"); }),
            "f:3: column c: '12 (est)' is not a number");
  EXPECT_NE(ErrorOf([] { ParseNumberCell("nan", "f", 3, "c"); }), "(no error)");
}

TEST(Date, ParsesMonthsAndDays) {
  auto d = ParseDate("2024-02-29");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->ToString(), "2024-02-29");
  EXPECT_EQ(ParseDate("2024-02")->ToString(), "2024-02");
  for (const char* bad : {"2023-02-29", "2024-13", "2024-00", "24-02", "2024/02", "2024-2-1",
                          "2024-02-00", "1900-01", ""}) {
    EXPECT_FALSE(ParseDate(bad)) << bad;
  }
}

TEST(Date, TrendAxisStartsAtLlama1) {
  EXPECT_EQ(DaysSinceTrendEpoch(*ParseDate("2023-02-24")), 0);
  EXPECT_EQ(DaysSinceTrendEpoch(*ParseDate("2024-02-24")), 365);
  EXPECT_EQ(DaysSinceTrendEpoch(*ParseDate("2022-11-30")), -86);
  // A month-only date stands for the 15th.
  EXPECT_EQ(DaysSinceTrendEpoch(*ParseDate("2023-03")), 19);
}

}  // namespace
}  // namespace densing::density
