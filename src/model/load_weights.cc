// Tensor names to Weights. Shapes are checked against the config here so that the forward pass
// can index without checks: a model file is untrusted input.
#include <initializer_list>

#include "base/error.h"
#include "model/model.h"

namespace densing {
namespace {

class Loader {
 public:
  Loader(const gguf::File& f, Weights& w) : f_(f), w_(w) {}

  TensorView Optional(const std::string& name, std::initializer_list<int64_t> shape) {
    const gguf::TensorInfo* info = f_.FindTensor(name);
    if (info == nullptr) return {};
    CheckShape(*info, shape);
    return f_.View(*info);
  }

  TensorView Require(const std::string& name, std::initializer_list<int64_t> shape) {
    TensorView t = Optional(name, shape);
    if (t.data == nullptr) Fail("{}: tensor '{}' is missing", f_.path(), name);
    return t;
  }

  Vec OptionalVec(const std::string& name, int64_t n) { return OptionalF32(name, n, 1); }

  // A small [cols, rows] tensor as F32 rows (converted when stored otherwise).
  Vec OptionalF32(const std::string& name, int64_t cols, int64_t rows) {
    TensorView t = rows == 1 ? Optional(name, {cols}) : Optional(name, {cols, rows});
    if (t.data == nullptr) return {};
    const int64_t n = cols * rows;
    if (t.type == DType::kF32) return {reinterpret_cast<const float*>(t.data), n};
    std::vector<float>& copy = w_.converted.emplace_back(static_cast<size_t>(n));
    for (int64_t r = 0; r < rows; ++r) DequantizeRow(t, r, copy.data() + r * cols);
    return {copy.data(), n};
  }

  Vec RequireVec(const std::string& name, int64_t n) { return RequireF32(name, n, 1); }

  Vec RequireF32(const std::string& name, int64_t cols, int64_t rows) {
    Vec v = OptionalF32(name, cols, rows);
    if (!v) Fail("{}: tensor '{}' is missing", f_.path(), name);
    return v;
  }

 private:
  void CheckShape(const gguf::TensorInfo& t, std::initializer_list<int64_t> shape) {
    size_t d = 0;
    bool ok = true;
    for (int64_t want : shape) ok = ok && t.ne[d++] == want;
    for (; d < 4; ++d) ok = ok && t.ne[d] == 1;
    if (!ok) {
      std::string want, have;
      for (int64_t v : shape) want += (want.empty() ? "" : ", ") + std::to_string(v);
      for (int i = 0; i < t.n_dims; ++i) have += (i ? ", " : "") + std::to_string(t.ne[i]);
      Fail("{}: tensor '{}' has shape [{}], expected [{}]", f_.path(), t.name, have, want);
    }
  }

  const gguf::File& f_;
  Weights& w_;
};

}  // namespace

void LoadWeights(const gguf::File& f, const ModelConfig& c, Weights& w) {
  Loader l(f, w);
  const gguf::TensorInfo* embd = f.FindTensor("token_embd.weight");
  if (embd == nullptr) Fail("{}: tensor 'token_embd.weight' is missing", f.path());
  const int64_t n_vocab = embd->ne[1];
  const int64_t d = c.n_embd;
  const int64_t q_dim = c.n_head * c.head_dim;
  const int64_t kv_dim = c.n_head_kv * c.head_dim;

  w.token_embd = l.Require("token_embd.weight", {d, n_vocab});
  // LFM2's final norm is stored under another name.
  w.output_norm = f.FindTensor("token_embd_norm.weight") && !f.FindTensor("output_norm.weight")
                      ? l.RequireVec("token_embd_norm.weight", d)
                      : l.RequireVec("output_norm.weight", d);
  w.output = l.Optional("output.weight", {d, n_vocab});
  if (w.output.data == nullptr) w.output = w.token_embd;  // tied
  w.rope_freqs = l.OptionalVec("rope_freqs.weight", c.n_rot / 2);
  w.rope_factors_long = l.OptionalVec("rope_factors_long.weight", c.n_rot / 2);
  w.rope_factors_short = l.OptionalVec("rope_factors_short.weight", c.n_rot / 2);

  w.layers.resize(static_cast<size_t>(c.n_layer));
  for (int64_t i = 0; i < c.n_layer; ++i) {
    LayerWeights& L = w.layers[static_cast<size_t>(i)];
    const std::string p = "blk." + std::to_string(i) + ".";
    L.attn_norm = l.RequireVec(p + "attn_norm.weight", d);
    if (c.conv(i)) {
      L.conv_in = l.Require(p + "shortconv.in_proj.weight", {d, 3 * d});
      L.conv_taps = l.RequireF32(p + "shortconv.conv.weight", c.conv_taps, d);
      L.conv_out = l.Require(p + "shortconv.out_proj.weight", {d, d});
    } else {
      L.attn_qkv = l.Optional(p + "attn_qkv.weight", {d, q_dim + 2 * kv_dim});
      L.attn_output = l.Require(p + "attn_output.weight", {q_dim, d});
      L.attn_q_norm = l.OptionalVec(p + "attn_q_norm.weight", c.head_dim);
      L.attn_k_norm = l.OptionalVec(p + "attn_k_norm.weight", c.head_dim);
    }
    if (L.attn_qkv.data == nullptr && !c.conv(i)) {
      L.attn_q = l.Require(p + "attn_q.weight", {d, q_dim});
      L.attn_k = l.Require(p + "attn_k.weight", {d, kv_dim});
      L.attn_v = l.Require(p + "attn_v.weight", {d, kv_dim});
      L.attn_q_bias = l.OptionalVec(p + "attn_q.bias", q_dim);
      L.attn_k_bias = l.OptionalVec(p + "attn_k.bias", kv_dim);
      L.attn_v_bias = l.OptionalVec(p + "attn_v.bias", kv_dim);
    }
    L.post_attn_norm = l.OptionalVec(p + "post_attention_norm.weight", d);
    L.ffn_norm = l.RequireVec(p + "ffn_norm.weight", d);
    L.post_ffn_norm = l.OptionalVec(p + "post_ffw_norm.weight", d);

    if (c.n_expert > 0) {
      const int64_t e = c.n_expert;
      const int64_t ff = c.n_ff_expert;
      L.ffn_gate_inp = l.Require(p + "ffn_gate_inp.weight", {d, e});
      L.ffn_gate_exps = l.Require(p + "ffn_gate_exps.weight", {d, ff, e});
      L.ffn_up_exps = l.Require(p + "ffn_up_exps.weight", {d, ff, e});
      L.ffn_down_exps = l.Require(p + "ffn_down_exps.weight", {ff, d, e});
      if (c.n_ff_shared > 0) {
        const int64_t sf = c.n_ff_shared;
        L.ffn_gate_inp_shexp = l.Optional(p + "ffn_gate_inp_shexp.weight", {d});
        L.ffn_gate_shexp = l.Require(p + "ffn_gate_shexp.weight", {d, sf});
        L.ffn_up_shexp = l.Require(p + "ffn_up_shexp.weight", {d, sf});
        L.ffn_down_shexp = l.Require(p + "ffn_down_shexp.weight", {sf, d});
      }
      continue;
    }
    L.ffn_gate = l.Optional(p + "ffn_gate.weight", {d, c.n_ff});
    // Without a gate, ffn_up holds gate and up stacked (Phi-3).
    L.ffn_up = l.Require(p + "ffn_up.weight", {d, L.ffn_gate.data ? c.n_ff : 2 * c.n_ff});
    L.ffn_down = l.Require(p + "ffn_down.weight", {c.n_ff, d});
  }
}

}  // namespace densing
