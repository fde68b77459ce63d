// Parameter accounting from tensor infos, by hand and on the shared GGUF models.
#include "model/params.h"

#include <gtest/gtest.h>

#include "base/error.h"
#include "density/gguf_params.h"
#include "testing/shared_dir.h"

namespace densing::density {
namespace {

gguf::TensorInfo T(std::string name, std::array<int64_t, 4> ne, uint64_t bytes) {
  gguf::TensorInfo t;
  t.name = std::move(name);
  t.ne = ne;
  t.n_bytes = bytes;
  return t;
}

TEST(ParamCount, DenseWithUntiedHead) {
  const std::vector<gguf::TensorInfo> ts = {
      T("token_embd.weight", {8, 100, 1, 1}, 1600), T("blk.0.attn_q.weight", {8, 8, 1, 1}, 128),
      T("blk.0.ffn_up.weight", {8, 16, 1, 1}, 256), T("output_norm.weight", {8, 1, 1, 1}, 32),
      T("output.weight", {8, 100, 1, 1}, 1600)};
  const ParamCount c = CountParams(ts, 0, 0, "hand");
  EXPECT_EQ(c.total, 800 + 64 + 128 + 8 + 800);
  EXPECT_EQ(c.embedding, 1600);
  EXPECT_EQ(c.non_embedding, 200);
  EXPECT_EQ(c.active, c.total);
  EXPECT_FALSE(c.tied_output);
  EXPECT_EQ(c.bytes, 3616u);
  EXPECT_DOUBLE_EQ(c.bits_per_weight(), 8.0 * 3616 / 1800);
}

TEST(ParamCount, MixtureOfExpertsActivePerToken) {
  // 4 experts, 2 used: half of the routed experts are idle; shared expert and router stay active.
  const std::vector<gguf::TensorInfo> ts = {T("token_embd.weight", {8, 10, 1, 1}, 0),
                                            T("blk.0.ffn_gate_inp.weight", {8, 4, 1, 1}, 0),
                                            T("blk.0.ffn_up_exps.weight", {8, 16, 4, 1}, 0),
                                            T("blk.0.ffn_down_exps.weight", {16, 8, 4, 1}, 0),
                                            T("blk.0.ffn_up_shexp.weight", {8, 16, 1, 1}, 0)};
  const ParamCount c = CountParams(ts, 4, 2, "moe");
  EXPECT_EQ(c.total, 80 + 32 + 512 + 512 + 128);
  EXPECT_EQ(c.expert, 1024);
  EXPECT_EQ(c.active, c.total - 512);
  EXPECT_TRUE(c.tied_output);
  EXPECT_THROW(CountParams(ts, 0, 0, "moe"), Error);  // experts without a count
  EXPECT_THROW(CountParams(ts, 8, 2, "moe"), Error);  // dimension 2 disagrees
  EXPECT_THROW(CountParams(ts, 4, 5, "moe"), Error);  // more used than exist
}

TEST(ParamCount, SharedLlamaGqaModelByHand) {
  DENSING_REQUIRE_SHARED();
  // d = 256, 2 layers, 4 heads / 2 KV heads of 64, FFN 512, vocabulary 512, untied output.
  const int64_t d = 256, kv = 128, ff = 512, vocab = 512;
  const int64_t layer = d + d * d + 2 * d * kv + d * d + d + 3 * d * ff;
  const ParamCount c =
      CountParamsOfFile(::densing::testing::SharedDir() + "/models/tiny-llama-gqa.gguf");
  EXPECT_EQ(c.total, 2 * vocab * d + 2 * layer + d);
  EXPECT_EQ(c.embedding, 2 * vocab * d);
  EXPECT_EQ(c.active, c.total);
  EXPECT_EQ(c.bytes, 4u * static_cast<uint64_t>(c.total));  // all F32
  const ParamCount q4 =
      CountParamsOfFile(::densing::testing::SharedDir() + "/models/tiny-llama-gqa-Q4_0.gguf");
  EXPECT_EQ(q4.total, c.total);
  EXPECT_LT(q4.bits_per_weight(), 6.0);
}

TEST(ParamCount, SharedMoeModelCountsTwoOfFourExperts) {
  DENSING_REQUIRE_SHARED();
  const ParamCount c = CountParamsOfFile(::densing::testing::SharedDir() + "/models/tiny-moe.gguf");
  EXPECT_EQ(c.n_expert, 4);
  EXPECT_EQ(c.n_expert_used, 2);
  EXPECT_GT(c.expert, 0);
  EXPECT_EQ(c.active, c.total - c.expert / 2);
}

}  // namespace
}  // namespace densing::density
