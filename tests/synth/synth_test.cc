// Synthesized models: every architecture loads and runs in densing with the shapes asked for,
// the vocabulary tokenizes, and the same seed gives the same file.
#include "synth/synth.h"

#include <gtest/gtest.h>

#include "base/error.h"
#include "model/model.h"
#include "model/params.h"
#include "runtime/session.h"
#include "testing/shared_dir.h"
#include "tokenizer/tokenizer.h"

namespace densing {
namespace {

// A real shape shrunk to test size: same architecture and layout, fewer and smaller layers.
SynthShape Small(const std::string& arch) {
  SynthShape s = DefaultShape(arch);
  s.n_embd = 256;
  s.n_layer = s.arch == "lfm2" ? 3 : 2;  // LFM2's first attention layer is its third
  s.n_expert = std::min<int64_t>(s.n_expert, 8);
  s.n_head = 4;
  s.n_head_kv = s.arch == "phi3" ? 4 : 2;
  s.head_dim = s.arch == "gemma2" ? 128 : 0;
  s.n_ff = 512;
  s.n_vocab = 1000;
  return s;
}

TEST(Synth, EveryArchitectureLoadsAndRuns) {
  ThreadPool pool(2);
  for (const char* arch : {"llama", "qwen2", "minicpm", "phi3", "gemma2", "moe", "qwen3", "qwen3moe",
                           "gemma3", "smollm3", "lfm2"}) {
    for (const char* type : {"F16", "Q4_K_M", "Q8_0"}) {
      const SynthShape s = Small(arch);
      const std::string path = testing::TempPath("synth.gguf");
      Synthesize(s, ParseQuantTarget(type), {}, 7, path, pool);
      auto model = Model::Load(path);
      const ModelConfig& c = model->config();
      EXPECT_EQ(c.arch, s.arch);
      EXPECT_EQ(c.n_embd, s.n_embd);
      EXPECT_EQ(c.n_layer, s.n_layer);
      EXPECT_EQ(c.head_dim, s.hd());
      EXPECT_EQ(c.n_expert, s.n_expert);
      for (int64_t i = 0; i < c.n_layer; ++i) {
        EXPECT_EQ(c.conv(i), s.conv(i)) << arch << " layer " << i;
        const LayerWeights& L = model->weights().layers[static_cast<size_t>(i)];
        EXPECT_EQ(static_cast<bool>(L.attn_q_norm), s.qk_norm() && !s.conv(i)) << arch;
        EXPECT_EQ(static_cast<bool>(L.post_ffn_norm), s.sandwich_norms()) << arch;
      }
      auto tok = Tokenizer::FromGguf(model->file());
      EXPECT_EQ(tok->n_vocab(), s.n_vocab);
      const std::vector<int32_t> prompt = tok->Encode("a b c hello", true, false);
      ASSERT_GT(prompt.size(), 2u) << arch;
      Session session(*model, pool, 32);
      const std::span<const float> logits = session.Eval(prompt);
      ASSERT_EQ(logits.size(), static_cast<size_t>(s.n_vocab));
      for (float v : logits) ASSERT_TRUE(std::isfinite(v)) << arch << " " << type;
    }
  }
}

TEST(Synth, NamedShapesHaveTheRealSizes) {
  const SynthShape q = FindShape("qwen2.5-0.5b");
  EXPECT_EQ(q.n_embd, 896);
  EXPECT_EQ(q.n_layer, 24);
  EXPECT_EQ(q.n_head, 14);
  EXPECT_EQ(q.n_head_kv, 2);
  EXPECT_EQ(q.n_ff, 4864);
  EXPECT_EQ(q.n_vocab, 151936);
  EXPECT_TRUE(q.tied);
  const SynthShape l = FindShape("llama3.2-1b");  // Llama 3's long-context rope
  EXPECT_EQ(l.rope_base, 500000.0f);
  EXPECT_TRUE(l.llama3_rope);
  // The 2025 families, each size from its published configuration.
  struct Want {
    const char* name;
    const char* arch;
    int64_t d, layers, heads, kv, head_dim, ff, vocab, experts, used;
    bool tied;
  };
  for (const Want& w : {Want{"llama3.2-1b", "llama", 2048, 16, 32, 8, 64, 8192, 128256, 0, 0, true},
                        Want{"qwen3-0.6b", "qwen3", 1024, 28, 16, 8, 128, 3072, 151936, 0, 0, true},
                        Want{"qwen3-30b-a3b", "qwen3moe", 2048, 48, 32, 4, 128, 768, 151936, 128, 8, false},
                        Want{"gemma3-270m", "gemma3", 640, 18, 4, 1, 256, 2048, 262144, 0, 0, true},
                        Want{"gemma3-1b", "gemma3", 1152, 26, 4, 1, 256, 6912, 262144, 0, 0, true},
                        Want{"smollm3-3b", "smollm3", 2048, 36, 16, 4, 128, 11008, 128256, 0, 0, true},
                        Want{"lfm2-1.2b", "lfm2", 2048, 16, 32, 8, 64, 8192, 65536, 0, 0, true}}) {
    const SynthShape s = FindShape(w.name);
    EXPECT_EQ(s.arch, w.arch) << w.name;
    EXPECT_EQ(s.n_embd, w.d) << w.name;
    EXPECT_EQ(s.n_layer, w.layers) << w.name;
    EXPECT_EQ(s.n_head, w.heads) << w.name;
    EXPECT_EQ(s.n_head_kv, w.kv) << w.name;
    EXPECT_EQ(s.hd(), w.head_dim) << w.name;
    EXPECT_EQ(s.n_ff, w.ff) << w.name;
    EXPECT_EQ(s.n_vocab, w.vocab) << w.name;
    EXPECT_EQ(s.n_expert, w.experts) << w.name;
    EXPECT_EQ(s.n_expert_used, w.used) << w.name;
    EXPECT_EQ(s.tied, w.tied) << w.name;
  }
  const SynthShape lfm2 = FindShape("lfm2-1.2b");  // attention in 6 of 16 layers
  EXPECT_EQ(lfm2.attention_layers, (std::vector<int64_t>{2, 5, 8, 10, 12, 14}));
  EXPECT_THROW(FindShape("gpt-5"), Error);
  SynthShape bad = Small("llama");
  bad.n_head_kv = 3;
  EXPECT_THROW(ValidateShape(bad), Error);
}

TEST(Synth, SameSeedSameFileAnyThreads) {
  const SynthShape s = Small("qwen2");
  const std::string a = testing::TempPath("a.gguf"), b = testing::TempPath("b.gguf");
  ThreadPool one(1), two(2);
  Synthesize(s, ParseQuantTarget("Q4_0"), {}, 3, a, one);
  Synthesize(s, ParseQuantTarget("Q4_0"), {}, 3, b, two);
  EXPECT_EQ(testing::ReadFile(a), testing::ReadFile(b));
  Synthesize(s, ParseQuantTarget("Q4_0"), {}, 4, b, two);
  EXPECT_NE(testing::ReadFile(a), testing::ReadFile(b));
}

TEST(Synth, ParameterCountMatchesTheShape) {
  ThreadPool pool(2);
  SynthShape s = Small("llama");
  s.tied = false;
  const std::string path = testing::TempPath("count.gguf");
  Synthesize(s, ParseQuantTarget("F16"), {}, 1, path, pool);
  auto f = gguf::File::Open(path);
  const int64_t d = s.n_embd, kv = s.n_head_kv * s.hd();
  const int64_t per_layer = 2 * d + d * d * 2 + 2 * d * kv + 3 * d * s.n_ff;
  const int64_t rope = s.llama3_rope ? s.hd() / 2 : 0;
  EXPECT_EQ(CountParams(*f).total, 2 * d * s.n_vocab + d + rope + s.n_layer * per_layer);
}

}  // namespace
}  // namespace densing
