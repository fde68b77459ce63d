// What the density commands build on: reference choice, chance scores, tables, the built-in trend.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "base/error.h"
#include "density/density.h"
#include "density/reference_choice.h"
#include "density/text_table.h"
#include "density/trend.h"

namespace densing::density {
namespace {

std::string WriteTemp(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / ("densing_density_" + name);
  std::ofstream(path) << text;
  return path.string();
}

TEST(ReferenceChoice, MinimalCatalogFallsBackToTheBuiltinFamily) {
  const Catalog mine =
      ParseCatalog("model,release,params_active_B,mmlu\nA,2024-01,2,50\n", "m.csv");
  auto ref = MakeReference(ReferenceChoice{}, mine, "mmlu", ParamKind::kActive, 25.0);
  EXPECT_NE(ref->Describe().find("Qwen1.5 family"), std::string::npos);
  EXPECT_NE(ref->Describe().find("built-in catalog"), std::string::npos);
  ReferenceChoice half;
  half.loss_file = "loss.csv";
  EXPECT_THROW(MakeReference(half, mine, "mmlu", ParamKind::kActive, 25.0), Error);
  ReferenceChoice missing;
  missing.family = "NoSuchFamily";
  EXPECT_THROW(MakeReference(missing, mine, "mmlu", ParamKind::kActive, 25.0), Error);
}

TEST(ReferenceChoice, ChanceIsKnownOrMustBeGiven) {
  EXPECT_EQ(ChanceFor("mmlu", std::nullopt), 25.0);
  EXPECT_EQ(ChanceFor("winogrande", 50.0), 50.0);
  EXPECT_THROW(ChanceFor("winogrande", std::nullopt), Error);
  EXPECT_THROW(ChanceFor("mmlu", 100.0), Error);
}

TEST(ReferenceChoice, LossFileErrorsNameTheLine) {
  const std::string path = WriteTemp("loss.csv", "N,D,L\n1e7,1e8,3\n1e7,-5,3\n");
  try {
    LoadLossPoints(path);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), path + ":3: column D must be positive, not -5");
  }
  std::remove(path.c_str());
}

TEST(TextTable, AlignsNumbersRightAndTextLeft) {
  TextTable t({"model", "release", "rho"});
  t.AddRow({"A", "2024-01", "1.5"});
  t.AddRow({"Long, name", "2024-02-03", "12"});
  EXPECT_EQ(t.Render(),
            "model       release     rho\n"
            "A           2024-01     1.5\n"
            "Long, name  2024-02-03   12\n");
  EXPECT_EQ(t.Csv(), "model,release,rho\nA,2024-01,1.5\n\"Long, name\",2024-02-03,12\n");
}

TEST(BuiltinTrend, EffectiveDensityRisesOverTheCatalog) {
  const Catalog& c = BuiltinCatalog();
  auto ref = MakeReference(ReferenceChoice{}, c, "mmlu", ParamKind::kActive, 25.0);
  DensityOptions o;
  o.reference = ref.get();
  std::vector<std::string> skipped;
  const auto pts = TrendPointsOf(CatalogDensities(c, o, nullptr), TrendSelection{}, &skipped);
  const TrendFit f = FitTrend(pts, TrendOptions{}, "built-in");
  EXPECT_GT(f.line.slope, 0);
  EXPECT_GE(f.envelope.size(), 4u);
  EXPECT_GT(f.line.r2, 0.5);
  // The estimated-parameter row is left out by default, with its reason.
  bool estimate_skipped = false;
  for (const auto& s : skipped) estimate_skipped |= s.rfind("GPT-4o mini: parameter count", 0) == 0;
  EXPECT_TRUE(estimate_skipped);
}

}  // namespace
}  // namespace densing::density
