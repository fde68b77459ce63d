// Sizing the KV cache and the activation buffers.
#include "model/state.h"

#include <algorithm>

#include "base/error.h"
#include "kernels/matmul.h"
#include "model/forward.h"

namespace densing {

DType ParseKvType(const std::string& name) {
  if (name == "f32") return DType::kF32;
  if (name == "f16") return DType::kF16;
  Fail("cache type '{}': densing stores keys and values as f32 or f16", name);
}

KvCache::KvCache(const ModelConfig& c, int64_t n_ctx_, KvTypes types_)
    : n_ctx(n_ctx_), kv_dim(c.n_head_kv * c.head_dim), types(types_) {
  for (DType t : {types.k, types.v}) DENSING_CHECK(t == DType::kF32 || t == DType::kF16);
  const auto layers = static_cast<size_t>(c.n_layer);
  k.resize(layers);
  v.resize(layers);
  conv.resize(layers);
  if (c.has_conv()) {
    conv_dim = c.n_embd;
    conv_taps = c.conv_taps;
    DENSING_CHECK(conv_taps <= kConvWindow);
    zeros.assign(static_cast<size_t>(conv_dim), 0.0f);
  }
  for (size_t l = 0; l < layers; ++l) {
    if (c.conv(static_cast<int64_t>(l))) {
      conv[l].resize(static_cast<size_t>(kConvWindow * conv_dim));
      continue;
    }
    k[l].resize(static_cast<size_t>(n_ctx * RowBytes(types.k, kv_dim)));
    v[l].resize(static_cast<size_t>(n_ctx * RowBytes(types.v, kv_dim)));
  }
}

void KvCache::CopyPrefix(const KvCache& from, int64_t n) {
  DENSING_CHECK(from.kv_dim == kv_dim && k.size() == from.k.size() && n >= 0 && n <= n_ctx &&
                n <= from.n_ctx && from.types.k == types.k && from.types.v == types.v &&
                from.conv_dim == conv_dim && from.Restorable(n));
  const auto k_bytes = static_cast<std::ptrdiff_t>(n * RowBytes(types.k, kv_dim));
  const auto v_bytes = static_cast<std::ptrdiff_t>(n * RowBytes(types.v, kv_dim));
  for (size_t l = 0; l < k.size(); ++l) {
    if (!k[l].empty()) {
      std::copy(from.k[l].begin(), from.k[l].begin() + k_bytes, k[l].begin());
      std::copy(from.v[l].begin(), from.v[l].begin() + v_bytes, v[l].begin());
    }
    conv[l] = from.conv[l];
  }
  conv_end = n;
  conv_begin = from.conv_begin;
}

bool KvCache::Restorable(int64_t n) const {
  if (conv_dim == 0 || n == 0) return true;
  const int64_t oldest = std::max(conv_begin, conv_end - kConvWindow);  // still kept
  return n <= conv_end && std::max<int64_t>(0, n - (conv_taps - 1)) >= oldest;
}

void KvCache::Rewind(int64_t n) {
  DENSING_CHECK(Restorable(n));
  conv_end = n;
  if (n == 0) conv_begin = 0;
}

float* KvCache::WriteConvRow(int64_t layer, int64_t pos) {
  conv_end = pos + 1;
  return conv[static_cast<size_t>(layer)].data() + (pos % kConvWindow) * conv_dim;
}

const float* KvCache::ConvRow(int64_t layer, int64_t pos) const {
  if (pos < 0) return zeros.data();
  return conv[static_cast<size_t>(layer)].data() + (pos % kConvWindow) * conv_dim;
}

void KvCache::Store(int64_t layer, int64_t pos, const float* key, const float* value) {
  const auto l = static_cast<size_t>(layer);
  Traits(types.k).from_float(key, k[l].data() + pos * RowBytes(types.k, kv_dim), kv_dim);
  Traits(types.v).from_float(value, v[l].data() + pos * RowBytes(types.v, kv_dim), kv_dim);
}

const uint8_t* KvCache::KeyRow(int64_t layer, int64_t pos) const {
  return k[static_cast<size_t>(layer)].data() + pos * RowBytes(types.k, kv_dim);
}

const uint8_t* KvCache::ValueRow(int64_t layer, int64_t pos) const {
  return v[static_cast<size_t>(layer)].data() + pos * RowBytes(types.v, kv_dim);
}

Activations::Activations(const Model& model, int64_t n_batch_, int64_t n_ctx_)
    : n_batch(n_batch_), n_ctx(n_ctx_) {
  batch.reserve(static_cast<size_t>(n_batch));
  const ModelConfig& c = model.config();
  const auto B = static_cast<size_t>(n_batch);
  const auto d = static_cast<size_t>(c.n_embd);
  const auto q_dim = static_cast<size_t>(c.n_head * c.head_dim);
  const auto kv_dim = static_cast<size_t>(c.n_head_kv * c.head_dim);
  const auto ff = static_cast<size_t>(std::max({c.n_ff, c.n_ff_expert, c.n_ff_shared}));
  x.resize(B * d);
  h.resize(B * d);
  qkv.resize(B * (q_dim + 2 * kv_dim));
  q.resize(B * q_dim);
  k.resize(B * kv_dim);
  v.resize(B * kv_dim);
  att.resize(B * q_dim);
  proj.resize(B * d);
  gate.resize(B * 2 * ff);  // fused gate+up projections land here whole
  up.resize(B * ff);
  ffn.resize(B * d);
  router.resize(B * static_cast<size_t>(std::max<int64_t>(c.n_expert, 1)));
  expert_weight.resize(B * static_cast<size_t>(std::max<int64_t>(c.n_expert_used, 1)));
  expert_id.resize(expert_weight.size());
  rows.resize(B);
  gathered.resize(B * d);
  if (c.has_conv()) bcx.resize(B * 3 * d);

  int64_t need = 0;
  auto fit = [&](const TensorView& t) {
    if (t.data != nullptr) need = std::max(need, MatMulScratchBytes(t.type, t.ne[0], n_batch));
  };
  const Weights& w = model.weights();
  fit(w.output);
  for (const LayerWeights& L : w.layers) {
    for (const TensorView* t : {&L.attn_q, &L.attn_k, &L.attn_v, &L.attn_qkv, &L.attn_output,
                                &L.ffn_gate, &L.ffn_up, &L.ffn_down, &L.ffn_gate_inp,
                                &L.ffn_gate_exps, &L.ffn_up_exps, &L.ffn_down_exps,
                                &L.ffn_gate_inp_shexp, &L.ffn_gate_shexp, &L.ffn_up_shexp,
                                &L.ffn_down_shexp, &L.conv_in, &L.conv_out}) {
      fit(*t);
    }
  }
  scratch.resize(static_cast<size_t>(need));
}

}  // namespace densing
