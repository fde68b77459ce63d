// Price table, the cheapest-price trend, and the SVG trend plot.
#include <gtest/gtest.h>

#include <cmath>

#include "base/error.h"
#include "density/prices.h"
#include "density/svg.h"
#include "density/trend_plot.h"
#include "xml_check.h"

namespace densing::density {
namespace {

TEST(Prices, BuiltinLoadsAndResolvesAThresholdByModel) {
  const PriceTable t = BuiltinPrices("mmlu");
  EXPECT_EQ(t.entries.size(), 25u);
  EXPECT_DOUBLE_EQ(ResolveThreshold(t, "GPT-3.5"), 64.8);
  EXPECT_DOUBLE_EQ(ResolveThreshold(t, "70"), 70.0);
  EXPECT_THROW(ResolveThreshold(t, "no such model"), Error);
}

TEST(Prices, CheapestPriceHalvingOnAHandTable) {
  // Above 60: $8 → $4 → $1 at t = 0, 100, 300 (halving every 100 days); the rest is dearer or
  // scores too low.
  const PriceTable t = ParsePrices(
      "model,date,price_usd_per_mtok,mmlu\n"
      "a,2023-02-24,8,70\n"
      "weak,2023-03-01,0.01,40\n"
      "b,2023-06-04,4,65\n"
      "dear,2023-07-01,30,90\n"
      "c,2023-12-21,1,61\n",
      "p.csv", "mmlu");
  const auto pts = CheapestAtThreshold(t, 60.0);
  EXPECT_EQ(pts.size(), 4u);
  const TrendFit f = FitTrend(pts, TrendOptions{false}, "prices");
  EXPECT_EQ(f.envelope.size(), 3u);
  EXPECT_NEAR(f.doubling_days, 100.0, 1e-9);  // of tokens per dollar: the price's halving time
}

TEST(Prices, BadRowsNameTheirLine) {
  auto error_of = [](const char* text) -> std::string {
    try {
      ParsePrices(text, "p.csv", "mmlu");
    } catch (const Error& e) {
      return e.what();
    }
    return "(no error)";
  };
  EXPECT_EQ(error_of("model,date,price_usd_per_mtok,mmlu\na,2023-02,0,70\n"),
            "p.csv:2: price_usd_per_mtok must be a positive number");
  EXPECT_EQ(error_of("model,date,price_usd_per_mtok,mmlu\na,2023-02,1,70\nb,May 2024,1,70\n"),
            "p.csv:3: date: 'May 2024' is not a date (YYYY-MM or YYYY-MM-DD)");
  EXPECT_EQ(
      error_of("model,date,price_usd_per_mtok,price_usd_per_mtok_source,mmlu\na,2023-02,1,,70\n"),
      "p.csv:2: price_usd_per_mtok has a value but price_usd_per_mtok_source is empty");
}

TEST(Svg, EscapesText) {
  EXPECT_EQ(XmlEscape("a<b & \"c\"\x01 'd'>"), "a&lt;b &amp; &#34;c&#34; &#39;d&#39;&gt;");
  Svg svg(10, 10);
  svg.Text(1, 1, "R&D <fast>");
  svg.Comment("a -- b");
  const auto x = xmlcheck::CheckXml(svg.str());
  EXPECT_EQ(x.error, "");
  EXPECT_NE(x.text.find("R&D <fast>"), std::string::npos);
}

TEST(Svg, CheckerRejectsBrokenXml) {
  EXPECT_NE(xmlcheck::CheckXml("<svg><g></svg>").error, "");
  EXPECT_NE(xmlcheck::CheckXml("<svg a=1/>").error, "");
  EXPECT_NE(xmlcheck::CheckXml("<svg>a & b</svg>").error, "");
  EXPECT_EQ(xmlcheck::CheckXml("<svg><g a=\"1\"/></svg>").error, "");
}

TEST(TrendPlot, IsWellFormedXmlWithEveryPoint) {
  std::vector<TrendPoint> pts;
  for (int i = 0; i < 12; ++i) {
    pts.push_back({fmt::format("Model <{}> & co", i), Date{2023, 1 + i, 1 + i},
                   std::exp(0.3 * i) * (i % 3 == 0 ? 1.0 : 0.5)});
  }
  const TrendFit f = FitTrend(pts, TrendOptions{}, "plot");
  TrendPlotLabels labels{"Density \u03c1 trend", "doubling every 70 days", "\u03c1 (log)"};
  const std::string svg = TrendPlotSvg(f, labels);
  const auto x = xmlcheck::CheckXml(svg);
  ASSERT_EQ(x.error, "");
  EXPECT_EQ(x.elements.at("svg"), 1);
  EXPECT_EQ(x.elements.at("circle"), 12 + 2);  // every model, plus two legend markers
  EXPECT_EQ(x.elements.at("title"), 12);
  for (const auto& p : pts) EXPECT_NE(x.text.find(p.model), std::string::npos) << p.model;
  EXPECT_NE(x.text.find("doubling every 70 days"), std::string::npos);
  EXPECT_GE(x.elements.at("polyline"), 2);  // envelope and fit
}

}  // namespace
}  // namespace densing::density
