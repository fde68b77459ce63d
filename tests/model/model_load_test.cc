// Loading rules that the fixtures do not show: required keys, shapes, and the Mistral-style
// sliding window on llama files. Variants of the shared models are written with gguf::Writer.
#include <gtest/gtest.h>

#include <functional>

#include "base/error.h"
#include "gguf/gguf_writer.h"
#include "model/model.h"
#include "runtime/session.h"
#include "testing/shared_dir.h"

namespace densing {
namespace {

// Copies `src` to a temporary file, letting `edit` change its metadata first.
std::string Variant(const std::string& src, const std::string& name,
                    const std::function<void(std::vector<gguf::KeyValue>&)>& edit) {
  auto f = gguf::File::Open(testing::SharedDir() + "/models/" + src);
  std::vector<gguf::KeyValue> kv = f->metadata();
  edit(kv);
  const std::string path = testing::TempPath(name);
  gguf::Writer w(path, f->alignment());
  for (auto& e : kv) w.AddKeyValue(e.key, e.value);
  for (const auto& t : f->tensors()) w.AddTensor(t.name, t.type, std::span(t.ne.data(), t.n_dims));
  for (const auto& t : f->tensors()) {
    const TensorView v = f->View(t);
    w.WriteTensorData({v.data, static_cast<size_t>(v.n_bytes)});
  }
  w.Finish();
  return path;
}

void Drop(std::vector<gguf::KeyValue>& kv, const std::string& key) {
  std::erase_if(kv, [&](const gguf::KeyValue& e) { return e.key == key; });
}

std::string LoadError(const std::string& path) {
  try {
    Model::Load(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(ModelLoad, MissingKeysAreNamed) {
  DENSING_REQUIRE_SHARED();
  for (const char* key : {"llama.embedding_length", "llama.block_count", "llama.attention.head_count",
                          "llama.attention.layer_norm_rms_epsilon", "general.architecture"}) {
    const std::string p = Variant("tiny-llama-gqa.gguf", "missing.gguf", [&](auto& kv) { Drop(kv, key); });
    EXPECT_NE(LoadError(p).find(std::string("'") + key + "'"), std::string::npos) << key << ": " << LoadError(p);
  }
  for (const char* key : {"minicpm.embedding_scale", "minicpm.residual_scale", "minicpm.logit_scale"}) {
    const std::string p = Variant("tiny-minicpm.gguf", "missing.gguf", [&](auto& kv) { Drop(kv, key); });
    EXPECT_NE(LoadError(p).find(key), std::string::npos) << LoadError(p);
  }
}

TEST(ModelLoad, WrongShapesAndUnknownArchitecturesAreErrors) {
  DENSING_REQUIRE_SHARED();
  std::string p = Variant("tiny-llama-gqa.gguf", "heads.gguf", [](auto& kv) {
    for (auto& e : kv) {
      if (e.key == "llama.attention.head_count_kv") e.value.data = uint64_t{1};
    }
  });
  EXPECT_NE(LoadError(p).find("has shape"), std::string::npos) << LoadError(p);
  p = Variant("tiny-llama-gqa.gguf", "arch.gguf", [](auto& kv) {
    for (auto& e : kv) {
      if (e.key == "general.architecture") e.value.data = std::string("bert");
    }
  });
  EXPECT_NE(LoadError(p).find("'bert' is not supported"), std::string::npos) << LoadError(p);
}

std::vector<float> LastLogits(const Model& m, const std::vector<int32_t>& tokens) {
  ThreadPool pool(1);
  Session s(m, pool, static_cast<int64_t>(tokens.size()));
  std::span<const float> l = s.Eval(tokens);
  return {l.begin(), l.end()};
}

// A window of W tokens over L layers lets information travel at most L·(W-1) positions: a token
// further back than that cannot change the last logits, while without the window it does.
TEST(ModelLoad, MistralStyleSlidingWindowMasksDistantTokens) {
  DENSING_REQUIRE_SHARED();
  constexpr uint64_t kWindow = 4;
  const std::string p = Variant("tiny-llama-gqa.gguf", "window.gguf", [](auto& kv) {
    kv.push_back({"llama.attention.sliding_window", {gguf::ValueType::kU32, kWindow}});
  });
  auto windowed = Model::Load(p);
  auto full = Model::Load(testing::SharedDir() + "/models/tiny-llama-gqa.gguf");
  ASSERT_EQ(windowed->config().sliding_window, 4);
  const int64_t reach = windowed->config().n_layer * (kWindow - 1);

  std::vector<int32_t> a = {1, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150, 160};
  std::vector<int32_t> b = a;
  b[a.size() - 1 - reach - 1] = 300;  // just out of reach
  EXPECT_EQ(LastLogits(*windowed, a), LastLogits(*windowed, b));
  EXPECT_NE(LastLogits(*full, a), LastLogits(*full, b));
  std::vector<int32_t> c = a;
  c[a.size() - 1 - reach] = 300;  // just within reach
  EXPECT_NE(LastLogits(*windowed, a), LastLogits(*windowed, c));
  // Within the first window the mask changes nothing.
  const std::vector<int32_t> short_prompt(a.begin(), a.begin() + kWindow);
  EXPECT_EQ(LastLogits(*windowed, short_prompt), LastLogits(*full, short_prompt));
}

}  // namespace
}  // namespace densing
