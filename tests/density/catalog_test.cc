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

TEST(Catalog, WeightsAreOpenOrClosed) {
  EXPECT_NE(ErrorOf("model,weights,params_active_B\na,leaked,1\n").find("c.csv:2: weights 'leaked'"),
            std::string::npos);
  EXPECT_EQ(ParseCatalog("model,weights,params_active_B\na,Closed,1\n", "c.csv").entries[0].weights,
            "closed");
}

const char kHeader[] =
    "model,family,release,release_source,params_total_B,params_total_source,params_active_B,"
    "params_active_source,mmlu,mmlu_source\n";

TEST(Catalog, BuiltinLoadsWithTheResearchModels) {
  const Catalog& c = BuiltinCatalog();
  EXPECT_EQ(c.entries.size(), 122u);
  EXPECT_EQ(c.score_columns, (std::vector<std::string>{"mmlu", "hellaswag", "arc_c", "bbh", "math",
                                                       "gsm8k", "mbpp", "humaneval"}));
  const CatalogEntry* mistral = c.Find("mistral-7b");
  ASSERT_NE(mistral, nullptr);
  EXPECT_EQ(mistral->release->ToString(), "2023-09-27");
  EXPECT_EQ(mistral->Score("mmlu"), 60.1);
  const CatalogEntry* mixtral = c.Find("Mixtral 8x7B");
  ASSERT_NE(mixtral, nullptr);
  EXPECT_EQ(mixtral->Params(ParamKind::kActive), 12.9);
  EXPECT_EQ(mixtral->Params(ParamKind::kTotal), 46.7);
  // Empty stays empty: SmolLM-1.7B has no 5-shot MMLU.
  EXPECT_FALSE(c.Find("SmolLM-1.7B")->Score("mmlu").has_value());
  EXPECT_TRUE(c.Find("GPT-4o mini")->params_estimate);
  // Issue 19's corrections: the LLaMA paper's 5-shot MMLU, Llama-2's day, Phi-3-mini's kind,
  // closed weights marked.
  EXPECT_EQ(c.Find("Llama-1 33B")->Score("mmlu"), 57.8);
  EXPECT_EQ(c.Find("Llama-1 7B")->release->ToString(), "2023-02-24");
  EXPECT_EQ(c.Find("Llama-2 7B")->release->ToString(), "2023-07-18");
  EXPECT_EQ(c.Find("Gemma-2 9B")->release->ToString(), "2024-06-27");
  EXPECT_EQ(c.Find("Phi-3-mini")->kind, "chat");
  EXPECT_EQ(c.Find("GPT-3 175B")->weights, "closed");
  // Issue 17's record past 2024-09: Qwen3-0.6B-Base with counts from its config; SmolLM2's card
  // gives no 5-shot MMLU (empty stays empty) and only a nominal size (an estimate).
  EXPECT_EQ(c.Find("Qwen3-0.6B")->Score("mmlu"), 52.81);
  EXPECT_EQ(c.Find("Qwen3-0.6B")->Params(ParamKind::kNonEmbedding), 0.4405);
  EXPECT_FALSE(c.Find("SmolLM2-1.7B")->Score("mmlu").has_value());
  EXPECT_EQ(c.Find("SmolLM2-1.7B")->Score("hellaswag"), 68.7);
  EXPECT_TRUE(c.Find("SmolLM2-1.7B")->params_estimate);
  EXPECT_EQ(c.Find("Qwen1.5-7B")->weights, "open");
  // A mixture of experts counts active parameters as densing counts a GGUF: total minus the idle
  // routed experts (Qwen3-30B-A3B: 8 of 128, embeddings included).
  EXPECT_EQ(c.Find("Qwen3-30B-A3B")->Params(ParamKind::kActive), 3.3530);
  EXPECT_EQ(c.Find("Qwen3-30B-A3B")->Params(ParamKind::kTotal), 30.5321);
  EXPECT_EQ(c.Find("Qwen3-32B")->Score("mmlu"), 83.61);
  EXPECT_EQ(c.Find("LFM2-1.2B")->kind, "chat");
  // Issue 17 through 2026: Gemma 3n's card gives only effective sizes (active, an estimate) and no
  // pre-trained MMLU, so total and MMLU stay empty; gpt-oss is a chat model with rounded counts.
  const CatalogEntry* gemma3n = c.Find("Gemma-3n E4B");
  ASSERT_NE(gemma3n, nullptr);
  EXPECT_FALSE(gemma3n->Params(ParamKind::kTotal).has_value());
  EXPECT_FALSE(gemma3n->Score("mmlu").has_value());
  EXPECT_EQ(gemma3n->Score("hellaswag"), 78.6);
  EXPECT_TRUE(gemma3n->params_estimate);
  EXPECT_EQ(c.Find("gpt-oss-120b")->kind, "chat");
  EXPECT_TRUE(c.Find("gpt-oss-120b")->params_estimate);
  EXPECT_EQ(c.Find("Granite-4.1-8B-Base")->release->ToString(), "2026-04-29");
  EXPECT_EQ(c.Find("Granite-4.1-8B-Base")->Score("mmlu"), 73.6);
  EXPECT_FALSE(c.Find("Granite-4.1-8B-Base")->params_estimate);
}

// Dense GQA decoders with tied embeddings (Granite 3.3 and 4.1), from the config values the
// catalog names: q and o d×(heads·head_dim), k and v d×(8·head_dim), a SiLU-gated FFN, two RMS
// norms per layer and a final one, no biases; total adds one vocab×d embedding matrix.
TEST(Catalog, BuiltinGraniteCountsFollowFromTheirConfigs) {
  struct GqaConfig {
    const char* model;
    double hidden, layers, heads, head_dim, kv_heads, ffn, vocab;
  };
  const GqaConfig configs[] = {
      {"Granite-3.3-8B-Base", 4096, 40, 32, 128, 8, 12800, 49159},
      {"Granite-4.1-3B-Base", 2560, 40, 40, 64, 8, 8192, 100352},
      {"Granite-4.1-8B-Base", 4096, 40, 32, 128, 8, 12800, 100352},
      {"Granite-4.1-30B-Base", 4096, 64, 32, 128, 8, 32768, 100352},
  };
  const Catalog& c = BuiltinCatalog();
  for (const auto& cfg : configs) {
    const CatalogEntry* e = c.Find(cfg.model);
    ASSERT_NE(e, nullptr) << cfg.model;
    const double q = cfg.heads * cfg.head_dim, kv = cfg.kv_heads * cfg.head_dim;
    const double per_layer =
        2 * cfg.hidden * q + 2 * cfg.hidden * kv + 3 * cfg.hidden * cfg.ffn + 2 * cfg.hidden;
    const double non_emb = cfg.layers * per_layer + cfg.hidden;
    const double total = non_emb + cfg.vocab * cfg.hidden;
    ASSERT_TRUE(e->params_nonembedding_b) << cfg.model;
    EXPECT_NEAR(*e->params_nonembedding_b, non_emb / 1e9, 6e-5) << cfg.model;
    EXPECT_NEAR(*e->Params(ParamKind::kTotal), total / 1e9, 6e-5) << cfg.model;
    EXPECT_EQ(e->Params(ParamKind::kActive), e->Params(ParamKind::kTotal)) << cfg.model;
  }
}

// Olmo 3 7B from the config values the catalog names: multi-head attention (32 KV heads, so q, k,
// v and o are d×d), q/k RMS norms over the full width besides the two per-layer norms, a SiLU-gated
// FFN and untied embeddings. gpt-oss-20b is, like gpt-oss-120b, a chat model with rounded counts.
TEST(Catalog, BuiltinOlmo3CountFollowsFromItsConfig) {
  const double d = 4096, layers = 32, ffn = 11008, vocab = 100278;
  const double non_emb = layers * (4 * d * d + 3 * d * ffn + 2 * d + 2 * d) + d;
  const Catalog& c = BuiltinCatalog();
  const CatalogEntry* olmo = c.Find("Olmo 3 7B");
  ASSERT_NE(olmo, nullptr);
  ASSERT_TRUE(olmo->params_nonembedding_b);
  EXPECT_NEAR(*olmo->params_nonembedding_b, non_emb / 1e9, 6e-5);
  EXPECT_NEAR(*olmo->Params(ParamKind::kTotal), (non_emb + 2 * vocab * d) / 1e9, 6e-5);
  EXPECT_FALSE(olmo->params_estimate);
  EXPECT_EQ(olmo->kind, "base");
  const CatalogEntry* oss = c.Find("gpt-oss-20b");
  ASSERT_NE(oss, nullptr);
  EXPECT_EQ(oss->kind, "chat");
  EXPECT_TRUE(oss->params_estimate);
}

// Parameters of a Llama-style decoder from its config: q/k/v/o (with q/k/v biases when asked),
// a SiLU-gated FFN, two RMS norms per layer and a final one; embeddings untied.
struct DecoderConfig {
  const char* model;
  double hidden, layers, ffn, vocab;
  bool qkv_bias;
};
double NonEmbedding(const DecoderConfig& c) {
  const double per_layer = 4 * c.hidden * c.hidden + (c.qkv_bias ? 3 * c.hidden : 0) +
                           3 * c.hidden * c.ffn + 2 * c.hidden;
  return c.layers * per_layer + c.hidden;
}

TEST(Catalog, BuiltinParameterCountsFollowFromTheConfigs) {
  // The Qwen1.5 reference family and Llama-1, with the config values the catalog names.
  const DecoderConfig configs[] = {
      {"Qwen1.5-0.5B", 1024, 24, 2816, 151936, true}, {"Qwen1.5-1.8B", 2048, 24, 5504, 151936, true},
      {"Qwen1.5-4B", 2560, 40, 6912, 151936, true},   {"Qwen1.5-7B", 4096, 32, 11008, 151936, true},
      {"Llama-1 7B", 4096, 32, 11008, 32000, false},  {"Llama-1 13B", 5120, 40, 13824, 32000, false},
      {"Llama-1 33B", 6656, 60, 17920, 32000, false}, {"Llama-1 65B", 8192, 80, 22016, 32000, false},
  };
  const Catalog& c = BuiltinCatalog();
  for (const auto& cfg : configs) {
    const CatalogEntry* e = c.Find(cfg.model);
    ASSERT_NE(e, nullptr) << cfg.model;
    const double non_emb = NonEmbedding(cfg), total = non_emb + 2 * cfg.vocab * cfg.hidden;
    // The catalog rounds to 1e-4 B (Qwen1.5) or 1e-3 B (Llama-1, non-embedding).
    ASSERT_TRUE(e->params_nonembedding_b) << cfg.model;
    EXPECT_NEAR(*e->params_nonembedding_b, non_emb / 1e9, 6e-4) << cfg.model;
    if (e->family == "Qwen1.5") {
      EXPECT_NEAR(*e->params_total_b, total / 1e9, 6e-5) << cfg.model;
    }
  }
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
  EXPECT_EQ(ChanceScore("arc_c"), 25.0);
  EXPECT_EQ(ChanceScore("gsm8k"), 0.0);  // exact-match generation
  EXPECT_EQ(ChanceScore("avg"), 0.0);
  EXPECT_FALSE(ChanceScore("winogrande").has_value());
  EXPECT_EQ(SourceColumnFor("params_total_B"), "params_total_source");
  EXPECT_EQ(SourceColumnFor("mmlu"), "mmlu_source");
}

}  // namespace
}  // namespace densing::density
