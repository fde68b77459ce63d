// A batch mixing sequences gives each sequence the logits it gets alone; an F16 KV cache stays
// within F16 rounding of the F32 one.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "base/error.h"
#include "model/forward.h"
#include "runtime/session.h"
#include "testing/shared_dir.h"

namespace densing {
namespace {

TEST(ForwardBatch, MixedSequencesMatchSeparateRuns) {
  DENSING_REQUIRE_SHARED();
  for (const char* name : {"tiny-llama-gqa.gguf", "tiny-moe-Q4_K_M.gguf", "tiny-gemma2.gguf",
                           "tiny-lfm2.gguf", "tiny-gemma3.gguf", "tiny-qwen3moe.gguf"}) {
    auto model = Model::Load(testing::SharedDir() + "/models/" + name);
    ThreadPool pool(2);
    const std::vector<int32_t> a = {1, 300, 301, 302, 303, 304}, b = {1, 50, 60};
    std::vector<float> alone_a, alone_b;
    {
      Session s(*model, pool, 16);
      auto l = s.Eval(a);
      alone_a.assign(l.begin(), l.end());
    }
    {
      Session s(*model, pool, 16);
      auto l = s.Eval(b);
      alone_b.assign(l.begin(), l.end());
    }
    // Both prompts, interleaved, in one batch, over two caches.
    KvCache ka(model->config(), 16), kb(model->config(), 16);
    Activations act(*model, 16, 16);
    std::vector<BatchToken> batch;
    for (size_t i = 0; i < a.size(); ++i) {
      batch.push_back({a[i], static_cast<int64_t>(i), &ka, i + 1 == a.size()});
      if (i < b.size()) batch.push_back({b[i], static_cast<int64_t>(i), &kb, i + 1 == b.size()});
    }
    const int64_t n_vocab = model->weights().output.ne[1];
    std::vector<float> logits(2 * n_vocab);
    ForwardBatch(*model, batch, act, pool, logits.data());
    // b's last token comes before a's in the batch.
    for (int64_t i = 0; i < n_vocab; ++i) {
      EXPECT_NEAR(logits[i], alone_b[i], 1e-4) << name;
      EXPECT_NEAR(logits[n_vocab + i], alone_a[i], 1e-4) << name;
    }
  }
}

}  // namespace
}  // namespace densing

namespace densing {
namespace {

TEST(Session, AnF16CacheStaysWithinHalfPrecisionOfF32) {
  DENSING_REQUIRE_SHARED();
  for (const char* name : {"tiny-llama-gqa.gguf", "tiny-qwen2.gguf", "tiny-gemma2.gguf",
                           "tiny-lfm2.gguf"}) {
    auto model = Model::Load(testing::SharedDir() + "/models/" + name);
    ThreadPool pool(2);
    std::vector<int32_t> prompt = {1};
    for (int i = 0; i < 90; ++i) prompt.push_back(3 + (i * 37) % 400);
    Session exact(*model, pool, 128), half(*model, pool, 128, 32, {DType::kF16, DType::kF16});
    const auto a = exact.EvalAll(prompt);
    const auto b = half.EvalAll(prompt);
    ASSERT_EQ(a.size(), b.size());
    double sq = 0, worst = 0, differ = 0;
    for (size_t i = 0; i < a.size(); ++i) {
      sq += static_cast<double>(a[i]) * a[i];
      worst = std::max(worst, std::fabs(static_cast<double>(a[i]) - b[i]));
      differ += a[i] != b[i];
    }
    const double rms = std::sqrt(sq / static_cast<double>(a.size()));
    EXPECT_LT(worst, 2e-2 * rms) << name;  // F16 keeps 11 bits: about 5e-4 relative per value
    EXPECT_GT(differ, 0) << name << ": the F16 cache changed nothing";
  }
}

TEST(Session, CopyFromContinuesLikeTheOriginal) {
  DENSING_REQUIRE_SHARED();
  auto model = Model::Load(testing::SharedDir() + "/models/tiny-llama-gqa.gguf");
  ThreadPool pool(1);
  Session a(*model, pool, 16), b(*model, pool, 16);
  const std::vector<int32_t> prefix = {1, 300, 301, 302}, next = {303, 304};
  a.Eval(prefix);
  b.CopyFrom(a, 3);  // fork after three tokens
  EXPECT_EQ(b.n_past(), 3);
  const std::vector<int32_t> rest = {302, 303, 304};
  auto lb = b.Eval(rest);
  std::vector<float> from_copy(lb.begin(), lb.end());
  auto la = a.Eval(next);
  for (size_t i = 0; i < from_copy.size(); ++i) EXPECT_NEAR(from_copy[i], la[i], 1e-5);
  EXPECT_THROW(b.CopyFrom(a, 99), Error);
}

}  // namespace
}  // namespace densing

namespace densing {
namespace {

// The logits of `tail` after `head`, evaluated from scratch in one session.
std::vector<float> Fresh(const Model& model, ThreadPool& pool, const std::vector<int32_t>& head,
                         const std::vector<int32_t>& tail) {
  Session s(model, pool, 256, 16);
  s.Eval(head);
  auto l = s.Eval(tail);
  return {l.begin(), l.end()};
}

std::vector<int32_t> Prompt(int n, int salt) {
  std::vector<int32_t> p = {1};
  for (int i = 1; i < n; ++i) p.push_back(3 + (i * 37 + salt) % 500);
  return p;
}

// LFM2's convolution state: a session truncated (or forked) near its end continues from the kept
// inputs, one truncated further back than the kept window evaluates its prefix again; both give
// the logits of a fresh evaluation.
TEST(Session, ConvolutionStateFollowsTruncationAndForks) {
  DENSING_REQUIRE_SHARED();
  auto model = Model::Load(testing::SharedDir() + "/models/tiny-lfm2.gguf");
  ThreadPool pool(2);
  const std::vector<int32_t> long_prompt = Prompt(150, 0);
  const std::vector<int32_t> tail = {300, 301, 302};
  for (const int64_t keep : {149, 140, 100, 20, 2, 1}) {
    const std::vector<int32_t> head(long_prompt.begin(), long_prompt.begin() + keep);
    const std::vector<float> want = Fresh(*model, pool, head, tail);

    Session s(*model, pool, 256, 16);
    s.Eval(long_prompt);
    EXPECT_EQ(s.kv().Restorable(keep), 150 - keep <= KvCache::kConvWindow - 2) << keep;
    s.Truncate(keep);
    auto got = s.Eval(tail);
    for (size_t i = 0; i < want.size(); ++i) ASSERT_NEAR(got[i], want[i], 1e-4) << "truncate " << keep;

    Session a(*model, pool, 256, 16), b(*model, pool, 256, 16);
    a.Eval(long_prompt);
    b.CopyFrom(a, keep);
    got = b.Eval(tail);
    for (size_t i = 0; i < want.size(); ++i) ASSERT_NEAR(got[i], want[i], 1e-4) << "fork " << keep;
  }
}

TEST(KvCache, ConvolutionInputsAreRestorableOnlyWithinTheWindow) {
  DENSING_REQUIRE_SHARED();
  auto model = Model::Load(testing::SharedDir() + "/models/tiny-lfm2.gguf");
  KvCache kv(model->config(), 512);
  EXPECT_TRUE(kv.Restorable(0));
  EXPECT_FALSE(kv.Restorable(1));  // nothing stored yet
  for (int64_t p = 0; p < 100; ++p) kv.WriteConvRow(0, p);
  EXPECT_TRUE(kv.Restorable(100));
  EXPECT_FALSE(kv.Restorable(101));
  // Three taps need the two inputs before n: 100 - 64 = 36 is the oldest kept.
  EXPECT_TRUE(kv.Restorable(38));
  EXPECT_FALSE(kv.Restorable(37));
  kv.Rewind(50);
  EXPECT_FALSE(kv.Restorable(51));
  EXPECT_TRUE(kv.Restorable(50));
  EXPECT_TRUE(kv.Restorable(0));

  auto dense = Model::Load(testing::SharedDir() + "/models/tiny-llama-gqa.gguf");
  KvCache attention_only(dense->config(), 16);
  EXPECT_TRUE(attention_only.Restorable(7));
}

}  // namespace
}  // namespace densing

namespace densing {
namespace {

// A context shift moves the kept tokens' cache rows down and turns their keys back by the dropped
// count. Layer 0's rows depend on nothing but the token and its position, so there they must equal
// a fresh evaluation of the kept tokens (for each rotary layout, Gemma 3's local and global bases,
// LFM2's convolution inputs, an F16 cache). Deeper layers keep what the dropped tokens left in them,
// as in the reference's shift: their values move unchanged, and so do the keys of a layer without
// rotary (SmolLM3's fourth).
TEST(Session, ContextShiftMovesTheCacheAndRotatesItsKeys) {
  DENSING_REQUIRE_SHARED();
  struct Case {
    const char* model;
    KvTypes kv;
  };
  for (const Case& k : {Case{"tiny-llama-gqa.gguf", {}}, Case{"tiny-qwen2.gguf", {}}, Case{"tiny-gemma3.gguf", {}},
                        Case{"tiny-smollm3.gguf", {}}, Case{"tiny-lfm2.gguf", {}},
                        Case{"tiny-llama-gqa.gguf", {DType::kF16, DType::kF16}}}) {
    SCOPED_TRACE(k.model);
    auto model = Model::Load(testing::SharedDir() + "/models/" + k.model);
    const ModelConfig& c = model->config();
    ThreadPool pool(2);
    const std::vector<int32_t> prompt = Prompt(100, 3);
    Session before(*model, pool, 100, 16, k.kv), shifted(*model, pool, 100, 16, k.kv);
    before.Eval(prompt);
    shifted.Eval(prompt);
    EXPECT_EQ(shifted.ShiftContext(4), 48);  // keeps 4, drops 48 of the other 96
    std::vector<int32_t> kept(prompt.begin(), prompt.begin() + 4);
    kept.insert(kept.end(), prompt.begin() + 52, prompt.end());
    ASSERT_EQ(shifted.tokens(), kept);
    Session fresh(*model, pool, 100, 16, k.kv);
    fresh.Eval(kept);

    const KvCache& a = shifted.kv();
    const auto row = [](const uint8_t* p, DType t, int64_t n) {
      std::vector<float> f(static_cast<size_t>(n));
      Traits(t).to_float(p, f.data(), n);
      return f;
    };
    const auto close = [](const std::vector<float>& x, const std::vector<float>& y, double tol) {
      double worst = 0, sq = 0;
      for (size_t i = 0; i < x.size(); ++i) {
        worst = std::max(worst, std::fabs(static_cast<double>(x[i]) - y[i]));
        sq += static_cast<double>(y[i]) * y[i];
      }
      return worst <= tol * std::sqrt(sq / static_cast<double>(y.size())) + 1e-30;
    };
    const double tol = k.kv.k == DType::kF16 ? 5e-3 : 1e-4;  // angles of ~100 positions, twice rounded
    for (int64_t p = 0; p < 52; ++p) {
      if (c.conv(0)) {  // only the inputs still kept: what the next positions read
        if (p < a.conv_begin) continue;
        const std::vector<float> x(a.ConvRow(0, p), a.ConvRow(0, p) + a.conv_dim);
        const std::vector<float> y(fresh.kv().ConvRow(0, p), fresh.kv().ConvRow(0, p) + a.conv_dim);
        ASSERT_TRUE(close(x, y, 1e-6)) << "convolution input at " << p;
        continue;
      }
      ASSERT_TRUE(close(row(a.KeyRow(0, p), a.types.k, a.kv_dim), row(fresh.kv().KeyRow(0, p), a.types.k, a.kv_dim), tol))
          << "layer 0 key at " << p;
      ASSERT_TRUE(close(row(a.ValueRow(0, p), a.types.v, a.kv_dim), row(fresh.kv().ValueRow(0, p), a.types.v, a.kv_dim), 1e-6))
          << "layer 0 value at " << p;
    }
    for (int64_t layer = 1; layer < c.n_layer; ++layer) {
      if (c.conv(layer)) continue;
      const int64_t bytes = RowBytes(a.types.v, a.kv_dim);
      for (int64_t p = 52; p < 100; ++p) {
        ASSERT_EQ(std::memcmp(a.ValueRow(layer, p - 48), before.kv().ValueRow(layer, p), static_cast<size_t>(bytes)), 0)
            << "layer " << layer << " value " << p;
        if (!c.rotates(layer)) {
          ASSERT_EQ(std::memcmp(a.KeyRow(layer, p - 48), before.kv().KeyRow(layer, p), static_cast<size_t>(bytes)), 0)
              << "layer " << layer << " key " << p;
        }
      }
    }
    // The shifted session goes on: two more tokens, with finite logits.
    const std::vector<int32_t> next = {300, 301};
    for (float v : shifted.EvalAll(next)) ASSERT_TRUE(std::isfinite(v));
  }
}

}  // namespace
}  // namespace densing
