// Reading the keys shared by every Llama-family architecture.
#include "model/config.h"

#include <cmath>

#include "base/error.h"
#include "gguf/gguf_file.h"

namespace densing {
namespace {

int64_t Positive(const gguf::File& f, const std::string& key, int64_t value, int64_t max) {
  if (value <= 0 || value > max) {
    Fail("{}: metadata key '{}' is {} (expected 1 to {})", f.path(), key, value, max);
  }
  return value;
}

// head_count_kv is one number, or one per layer where a 0 marks a layer without attention (LFM2's
// convolutions). The attention layers must then agree on one count.
void ReadKvHeads(const gguf::File& f, const std::string& key, ModelConfig& c) {
  const gguf::Value* v = f.Find(key);
  if (v == nullptr || v->type != gguf::ValueType::kArray) {
    c.n_head_kv = Positive(f, key, f.GetIntOr(key, c.n_head), c.n_head);
    return;
  }
  const std::vector<int64_t> per_layer = f.GetIntArray(key);
  if (static_cast<int64_t>(per_layer.size()) != c.n_layer) {
    Fail("{}: metadata key '{}' has {} entries for {} layers", f.path(), key, per_layer.size(),
         c.n_layer);
  }
  c.n_head_kv = 0;
  c.layer_conv.assign(per_layer.size(), false);
  for (size_t i = 0; i < per_layer.size(); ++i) {
    const int64_t n = per_layer[i];
    if (n == 0) {
      c.layer_conv[i] = true;
      continue;
    }
    Positive(f, key, n, c.n_head);
    if (c.n_head_kv != 0 && n != c.n_head_kv) {
      Fail("{}: metadata key '{}' gives attention layers {} and {} KV heads; densing needs one count",
           f.path(), key, c.n_head_kv, n);
    }
    c.n_head_kv = n;
  }
  if (c.n_head_kv == 0) c.n_head_kv = c.n_head;  // no attention layer at all
}

// Linear rope scaling ("rope.scaling.type" linear): positions are multiplied by 1 / factor.
float RopeFreqScale(const gguf::File& f, const std::string& a) {
  const std::string type = f.GetStringOr(a + "rope.scaling.type", "none");
  const double factor = f.GetFloatOr(a + "rope.scaling.factor", 1.0);
  if (type == "none" || factor == 1.0) return 1.0f;
  if (type != "linear") {
    Fail("{}: {}rope.scaling.type '{}' with factor {} is not supported (none, linear)", f.path(),
         a, type, factor);
  }
  if (!(factor > 0) || !std::isfinite(factor)) {
    Fail("{}: {}rope.scaling.factor {} must be a positive number", f.path(), a, factor);
  }
  return static_cast<float>(1.0 / factor);
}

}  // namespace

void ReadLlamaFamilyConfig(const gguf::File& f, ModelConfig& c) {
  const std::string a = c.arch + ".";
  constexpr int64_t kMaxDim = int64_t{1} << 20;
  c.name = f.GetStringOr("general.name", "");
  c.n_embd = Positive(f, a + "embedding_length", f.GetInt(a + "embedding_length"), kMaxDim);
  c.n_layer = Positive(f, a + "block_count", f.GetInt(a + "block_count"), 4096);
  c.n_head = Positive(f, a + "attention.head_count", f.GetInt(a + "attention.head_count"), 4096);
  ReadKvHeads(f, a + "attention.head_count_kv", c);
  if (c.n_head % c.n_head_kv != 0) {
    Fail("{}: {} heads cannot be shared by {} KV heads", f.path(), c.n_head, c.n_head_kv);
  }
  c.head_dim = Positive(f, a + "attention.key_length",
                        f.GetIntOr(a + "attention.key_length", c.n_embd / c.n_head), kMaxDim);
  if (f.GetIntOr(a + "attention.value_length", c.head_dim) != c.head_dim) {
    Fail("{}: {}attention.value_length differs from key_length {}; densing needs them equal",
         f.path(), a, c.head_dim);
  }
  c.n_ff = f.GetIntOr(a + "feed_forward_length", 0);
  if (c.n_ff < 0 || c.n_ff > kMaxDim * 16) Fail("{}: bad {}feed_forward_length {}", f.path(), a, c.n_ff);
  c.n_ctx_train = f.GetIntOr(a + "context_length", 2048);
  c.norm_eps = static_cast<float>(f.GetFloat(a + "attention.layer_norm_rms_epsilon"));
  c.rope_base = static_cast<float>(f.GetFloatOr(a + "rope.freq_base", 10000.0));
  c.n_rot = f.GetIntOr(a + "rope.dimension_count", c.head_dim);
  if (c.n_rot <= 0 || c.n_rot > c.head_dim || c.n_rot % 2 != 0) {
    Fail("{}: {}rope.dimension_count {} must be even and at most the head size {}", f.path(), a,
         c.n_rot, c.head_dim);
  }
  if (!(c.rope_base > 0) || !std::isfinite(c.rope_base)) {
    Fail("{}: {}rope.freq_base must be a positive number", f.path(), a);
  }
  c.rope_freq_scale = RopeFreqScale(f, a);
  c.n_ctx_orig = f.GetIntOr(a + "rope.scaling.original_context_length", c.n_ctx_train);
  c.rope_attn_factor = static_cast<float>(f.GetFloatOr(a + "rope.scaling.attn_factor", 1.0));
  if (!(c.rope_attn_factor > 0) || !std::isfinite(c.rope_attn_factor)) {
    Fail("{}: {}rope.scaling.attn_factor must be a positive number", f.path(), a);
  }
  c.attn_scale = 1.0f / std::sqrt(static_cast<float>(c.head_dim));
  c.sliding_window = f.GetIntOr(a + "attention.sliding_window", 0);
  if (c.sliding_window < 0) Fail("{}: {}attention.sliding_window is negative", f.path(), a);
  c.n_expert = f.GetIntOr(a + "expert_count", 0);
  c.n_expert_used = f.GetIntOr(a + "expert_used_count", 0);
  if (c.n_expert < 0 || c.n_expert > 1024 || c.n_expert_used < 0 || c.n_expert_used > c.n_expert ||
      (c.n_expert > 0 && c.n_expert_used == 0)) {
    Fail("{}: expert counts {} used of {} are not valid", f.path(), c.n_expert_used, c.n_expert);
  }
  c.n_ff_expert = f.GetIntOr(a + "expert_feed_forward_length", c.n_ff);
  c.n_ff_shared = f.GetIntOr(a + "expert_shared_feed_forward_length", 0);
  if (c.n_ff_expert < 0 || c.n_ff_expert > kMaxDim * 16 || c.n_ff_shared < 0 ||
      c.n_ff_shared > kMaxDim * 16 || (c.n_expert == 0 && c.n_ff == 0)) {
    Fail("{}: feed-forward sizes {}, {}, {} are not valid", f.path(), c.n_ff, c.n_ff_expert,
         c.n_ff_shared);
  }
}

}  // namespace densing
