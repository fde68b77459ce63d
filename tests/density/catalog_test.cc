// The catalog loader: the built-in data/catalog.csv, a minimal user file, and planted errors.
#include "density/catalog.h"

#include <gtest/gtest.h>

#include "base/error.h"
#include "density/builtin_data.h"
#include "density/csv.h"

namespace densing::density {
namespace {

std::string ErrorOf(std::string_view text) {
  try {
    ParseCatalog(text, "c.csv");
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

const char kHeader[] =
    "model,family,release,release_source,params_total_B,params_total_source,params_active_B,"
    "params_active_source,mmlu,mmlu_source\n";

TEST(Catalog, BuiltinLoadsWithTheResearchModels) {
  const Catalog& c = BuiltinCatalog();
  EXPECT_EQ(c.entries.size(), 54u);
  EXPECT_EQ(c.score_columns, std::vector<std::string>{"mmlu"});
  const CatalogEntry* mistral = c.Find("mistral-7b");
  ASSERT_NE(mistral, nullptr);
  EXPECT_EQ(mistral->release->ToString(), "2023-09-27");
  EXPECT_EQ(mistral->Score("mmlu"), 60.1);
  const CatalogEntry* mixtral = c.Find("Mixtral 8x7B");
  ASSERT_NE(mixtral, nullptr);
  EXPECT_EQ(mixtral->Params(ParamKind::kActive), 12.9);
  EXPECT_EQ(mixtral->Params(ParamKind::kTotal), 46.7);
  // Empty stays empty: Phi-2 has no self-reported 5-shot MMLU.
  EXPECT_FALSE(c.Find("Phi-2")->Score("mmlu").has_value());
  EXPECT_TRUE(c.Find("GPT-4o mini")->params_estimate);
}

TEST(Catalog, BuiltinHasASourceForEveryNumber) {
  const CsvTable t = CsvTable::Parse(BuiltinCatalogCsv(), "built-in");
  int numbers = 0;
  for (size_t col = 0; col < t.header().size(); ++col) {
    const std::string h = Lower(t.header()[col]);
    const bool numeric = h == "release" || h == "mmlu" || h.rfind("params_", 0) == 0;
    if (!numeric || h == "params_estimate" || h.find("_source") != std::string::npos) continue;
    const size_t src = t.Require(SourceColumnFor(h));
    for (const auto& r : t.records()) {
      if (Trim(r.fields[col]).empty()) continue;
      ++numbers;
      EXPECT_FALSE(Trim(r.fields[src]).empty()) << "line " << r.line << " column " << h;
    }
  }
  EXPECT_GT(numbers, 150);
}

TEST(Catalog, MinimalFileIsEnough) {
  const Catalog c =
      ParseCatalog("model,release,params_active_B,mmlu\nA,2024-01,2,50\nB,,1,\n", "mine.csv");
  ASSERT_EQ(c.entries.size(), 2u);
  EXPECT_EQ(c.entries[0].Params(ParamKind::kActive), 2.0);
  EXPECT_FALSE(c.entries[0].Params(ParamKind::kTotal).has_value());
  EXPECT_FALSE(c.entries[1].release.has_value());
  EXPECT_EQ(c.entries[1].line, 3);
}

TEST(Catalog, PlantedErrorsAreCaughtWithTheirLine) {
  const std::string ok = "A,F,2024-01,s,2,s,2,s,50,s\n";
  EXPECT_EQ(ErrorOf(std::string(kHeader) + ok), "(no error)");
  EXPECT_EQ(ErrorOf(std::string(kHeader) + ok + "B,F,2024-13,s,2,s,2,s,50,s\n"),
            "c.csv:3: release: '2024-13' is not a date (YYYY-MM or YYYY-MM-DD)");
  EXPECT_EQ(ErrorOf(std::string(kHeader) + ok + "a ,F,2024-01,s,2,s,2,s,50,s\n"),
            "c.csv:3: duplicate model 'a' (first on line 2)");
  EXPECT_EQ(ErrorOf(std::string(kHeader) + ok + "B,F,2024-01,s,2,s,3,s,50,s\n"),
            "c.csv:3: params_active_B 3 exceeds params_total_B 2");
  EXPECT_EQ(ErrorOf(std::string(kHeader) + ok + "B,F,2024-01,s,2,s,2,s,101,s\n"),
            "c.csv:3: score mmlu = 101 is outside 0..100 (scores are percentages)");
  EXPECT_EQ(ErrorOf(std::string(kHeader) + ok + "B,F,2024-01,s,2,,2,s,50,s\n"),
            "c.csv:3: params_total_B has a value but params_total_source is empty");
  EXPECT_EQ(ErrorOf(std::string(kHeader) + "B,F,2024-01,s,-2,s,,,50,s\n"),
            "c.csv:2: params_total_B = -2 is outside 1e-6..1e5 (billions of parameters)");
  EXPECT_EQ(ErrorOf(std::string(kHeader) + "B,F,2024-01,s,2,s,2,s,fifty,s\n"),
            "c.csv:2: column mmlu: 'fifty' is not a number");
  EXPECT_EQ(ErrorOf("model,mmlu\nA,50\n"),
            "c.csv:1: no parameter column (need params_active_B, params_total_B or "
            "params_nonembedding_B)");
  EXPECT_EQ(ErrorOf("name,params_active_B\nA,1\n"), "c.csv:1: no column 'model' in the header");
}

TEST(Catalog, ChanceIsKnownForFourWayBenchmarks) {
  EXPECT_EQ(ChanceScore("MMLU"), 25.0);
  EXPECT_EQ(ChanceScore("hellaswag"), 25.0);
  EXPECT_FALSE(ChanceScore("gsm8k").has_value());
  EXPECT_EQ(SourceColumnFor("params_total_B"), "params_total_source");
  EXPECT_EQ(SourceColumnFor("mmlu"), "mmlu_source");
}

}  // namespace
}  // namespace densing::density
