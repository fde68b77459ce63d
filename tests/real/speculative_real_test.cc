// Speculative decoding on the real models of the models cache: greedy output identical to plain
// decoding with prompt lookup and with the model as its own draft, the verifying batch sized by
// ExactBatchTokens. Skipped, saying why, when the cache lacks a model.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "generate/generate.h"
#include "model/model.h"
#include "models/cache.h"
#include "testing/shared_dir.h"

namespace densing {
namespace {

std::vector<int32_t> Greedy(Session& session, const Tokenizer& tok, const std::vector<int32_t>& prompt,
                            const GenerateParams& params, GenerateStats* stats) {
  session.Truncate(0);
  std::vector<int32_t> out;
  *stats = Generate(session, tok, prompt, params, [&](int32_t id, std::string_view) {
    if (id >= 0) out.push_back(id);
    return true;
  });
  return out;
}

class RealSpeculative : public ::testing::TestWithParam<const char*> {};

TEST_P(RealSpeculative, GreedyOutputIsPlainDecoding) {
  if (testing::UnderEmulation()) {
    GTEST_SKIP() << "96 tokens three ways on a real model pass CTest's 10 minutes under qemu; native runs it";
  }
  const std::string path = models::ModelsDir() + "/" + GetParam();
  if (!std::filesystem::exists(path)) {
    GTEST_SKIP() << GetParam() << " is not in the models cache " << models::ModelsDir()
                 << "; scripts/setup fetches it";
  }
  auto model = Model::Load(path);
  auto tok = Tokenizer::FromGguf(model->file());
  ThreadPool pool(0);
  Session session(*model, pool, 1024);
  // The copy task of bench/speculative.sh: long agreeing runs, and near-ties where a batch that
  // rounds unlike decoding picks another token.
  std::ifstream in(std::filesystem::path(DENSING_REAL_FIXTURES) / "../../../bench/data/copy_passage.txt");
  ASSERT_TRUE(in) << "bench/data/copy_passage.txt is missing";
  std::stringstream text;
  text << in.rdbuf();
  const std::vector<int32_t> prompt = tok->Encode(text.str(), true, true);
  GenerateParams plain;
  plain.n_predict = 96;
  plain.sampler.temperature = 0;
  GenerateStats s;
  const std::vector<int32_t> expected = Greedy(session, *tok, prompt, plain, &s);
  ASSERT_GT(expected.size(), 40u);
  const int32_t exact = ExactBatchTokens(*model, pool, 9);

  GenerateParams lookup = plain;
  lookup.speculative.lookup = 8;
  lookup.speculative.verify_tokens = exact;
  EXPECT_EQ(Greedy(session, *tok, prompt, lookup, &s), expected);
  EXPECT_GT(s.n_accepted, 0);

  Session draft(*model, pool, 1024);
  GenerateParams self = plain;
  self.speculative.draft = &draft;
  self.speculative.draft_max = 8;
  self.speculative.draft_p_min = 0;
  self.speculative.verify_tokens = exact;
  EXPECT_EQ(Greedy(session, *tok, prompt, self, &s), expected);
  EXPECT_GE(s.n_accepted * 10, s.n_drafted * 9);
}

INSTANTIATE_TEST_SUITE_P(Models, RealSpeculative,
                         ::testing::Values("SmolLM2-135M-Instruct.Q4_1.gguf", "gemma-3-270m-q4_k_m.gguf"));

}  // namespace
}  // namespace densing
