// Perplexity against the reference engine's values (../shared/fixtures/perplexity.json).
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "eval/input_file.h"
#include "eval/perplexity.h"
#include "testing/shared_dir.h"
#include "tokenizer/tokenizer.h"

namespace densing::eval {
namespace {

// |got − want| within half a unit of want's last significant digit of `digits`.
void ExpectSameDigits(double got, double want, int digits, const std::string& what) {
  const double unit = std::pow(10.0, std::floor(std::log10(std::fabs(want))) - digits + 1);
  EXPECT_LE(std::fabs(got - want), 0.5 * unit) << what << ": " << got << " vs " << want << " to " << digits
                                               << " significant digits";
}

// PPL and its standard error agree to 4 significant digits on every row. The reference's figures
// carry the rounding of its default F16 KV cache with flash attention (not the F32 cache of the
// logits fixtures), so they are compared with densing's F16 cache, which follows that rounding:
// it gives the first row to every printed digit (6.8457 ± 0.74219), where exact F32 attention
// gives 6.8453 ± 0.74214.
TEST(Perplexity, MatchesTheReferenceEngine) {
  DENSING_REQUIRE_SHARED();
  const auto fixture = nlohmann::json::parse(testing::ReadFile(testing::SharedDir() + "/fixtures/perplexity.json"));
  auto model = Model::Load(testing::SharedDir() + "/models/" + fixture["model"].get<std::string>());
  auto tokenizer = Tokenizer::FromGguf(model->file());
  ThreadPool pool(2);
  ASSERT_EQ(fixture["results"].size(), 4u);
  for (const auto& row : fixture["results"]) {
    // Under qemu only the short text's rows: the long text's (over 20 chunks) are the same steps
    // on ten times the tokens, nearly 3 minutes there (native and ASan runs check every row).
    if (testing::UnderEmulation() && row["chunks"].get<int64_t>() > 20) continue;
    const std::string text = ReadWholeFile(testing::SharedDir() + "/" + row["text"].get<std::string>());
    const int64_t n_ctx = row["n_ctx"].get<int64_t>();
    const std::string what = row["text"].get<std::string>() + " -c " + std::to_string(n_ctx);
    const ChunkPlan plan = PlanText(*tokenizer, text, n_ctx);
    const PerplexityResult r = Perplexity(*model, pool, plan, 512, {DType::kF16, DType::kF16});
    EXPECT_EQ(r.n_chunks, row["chunks"].get<int64_t>()) << what;
    ExpectSameDigits(r.ppl, row["ppl"].get<double>(), 4, what + " ppl");
    ExpectSameDigits(r.ppl_stderr, row["stderr"].get<double>(), 4, what + " stderr");
    EXPECT_EQ(r.n_scored, r.n_chunks * (n_ctx - 1 - n_ctx / 2)) << what;
    EXPECT_EQ(static_cast<int64_t>(r.running_ppl.size()), r.n_chunks);
  }
}

// Also on LFM2: chunks that share a step each carry their own convolution state.
TEST(Perplexity, TheResultDoesNotDependOnTheBatchOrThreads) {
  DENSING_REQUIRE_SHARED();
  for (const char* name : {"stories260K.gguf", "tiny-lfm2.gguf"}) {
    SCOPED_TRACE(name);
    auto model = Model::Load(testing::SharedDir() + "/models/" + name);
    auto tokenizer = Tokenizer::FromGguf(model->file());
    const std::string text = ReadWholeFile(testing::SharedDir() + "/data/tinystories/tinystories_sample.txt");
    const ChunkPlan plan = PlanText(*tokenizer, text, 64);
    ThreadPool one(1), two(2);
    const PerplexityResult a = Perplexity(*model, one, plan, 64);   // one chunk per step
    const PerplexityResult b = Perplexity(*model, two, plan, 512);  // eight chunks per step
    const PerplexityResult c = Perplexity(*model, two, plan, 48);   // chunks split across steps
    EXPECT_NEAR(a.ppl, b.ppl, 1e-4 * a.ppl);
    EXPECT_NEAR(a.ppl, c.ppl, 1e-4 * a.ppl);
    EXPECT_NEAR(a.ppl_stderr, c.ppl_stderr, 1e-4 * a.ppl_stderr);
  }
}

TEST(Perplexity, TooShortATextIsAnError) {
  EXPECT_THROW(PlanChunks({1, 2, 3}, 8, 1), Error);
  EXPECT_THROW(PlanChunks({1, 2, 3, 4}, 2, 1), Error);
  const ChunkPlan p = PlanChunks(std::vector<int32_t>(20, 5), 8, 1, 1);
  EXPECT_EQ(p.n_chunks, 1);
  EXPECT_EQ(p.Input(0, 0), 1);
  EXPECT_EQ(p.Input(0, 1), 5);
  EXPECT_EQ(p.n_rows(), 3);
}

}  // namespace
}  // namespace densing::eval
