// The attention block: x += residual_scale · post_norm(W_o · attention(rope(W_q h), rope(W_k h),
// W_v h)) with h = norm(x), over the keys and values cached for all earlier positions.
#include <algorithm>
#include <cstring>

#include "kernels/matmul.h"
#include "kernels/ops.h"
#include "kernels/ops_simd.h"
#include "model/forward.h"

namespace densing {
namespace {

void AddBias(const Vec& b, int64_t n_rows, float* y) {
  if (!b) return;
  for (int64_t t = 0; t < n_rows; ++t) AddScaled(b.data, 1.0f, b.n, y + t * b.n);
}

// q, k, v for every token of the step: [n, q_dim], [n, kv_dim], [n, kv_dim].
void Project(const Step& s, const LayerWeights& L) {
  Activations& a = s.act;
  const int64_t q_dim = s.c.n_head * s.c.head_dim;
  const int64_t kv_dim = s.c.n_head_kv * s.c.head_dim;
  if (L.attn_qkv.data != nullptr) {
    const int64_t width = q_dim + 2 * kv_dim;
    s.MatMul(L.attn_qkv, a.h.data(), s.n, a.qkv.data());  // [n, width]
    for (int64_t t = 0; t < s.n; ++t) {
      const float* row = a.qkv.data() + t * width;
      std::memcpy(a.q.data() + t * q_dim, row, sizeof(float) * q_dim);
      std::memcpy(a.k.data() + t * kv_dim, row + q_dim, sizeof(float) * kv_dim);
      std::memcpy(a.v.data() + t * kv_dim, row + q_dim + kv_dim, sizeof(float) * kv_dim);
    }
    return;
  }
  // One activation conversion and one ParallelFor for the three projections.
  const MatMulOut qkv[] = {{&L.attn_q, a.q.data()}, {&L.attn_k, a.k.data()}, {&L.attn_v, a.v.data()}};
  s.MatMulShared(qkv, a.h.data(), s.n);  // [n, q_dim], [n, kv_dim] ×2
  AddBias(L.attn_q_bias, s.n, a.q.data());
  AddBias(L.attn_k_bias, s.n, a.k.data());
  AddBias(L.attn_v_bias, s.n, a.v.data());
}

// Each of n_heads rows of head_dim values, RMS-normed in place with `w` (Qwen3, Gemma 3).
void NormHeads(const Vec& w, int64_t n_heads, const ModelConfig& c, float* x) {
  if (!w) return;
  for (int64_t h = 0; h < n_heads; ++h) {
    RmsNorm(x + h * c.head_dim, w.data, c.head_dim, c.norm_eps, x + h * c.head_dim);
  }
}

// The query heads of token t that share KV head g: out = Σ_j softmax_j(cap(scale · q·k_j)) v_j
// over the visible keys, each key and value row read once for the whole group.
void AttendKvGroup(const Step& s, int64_t layer, int64_t t, int64_t g) {
  const ModelConfig& c = s.c;
  const int64_t hd = c.head_dim;
  const int64_t group = c.n_head / c.n_head_kv;  // query heads per KV head
  const BatchToken& b = s.batch[static_cast<size_t>(t)];
  const int64_t kv_dim = b.kv->kv_dim;
  const int64_t p = b.pos;
  const int64_t first = c.slides(layer) ? std::max<int64_t>(0, p - c.sliding_window + 1) : 0;
  GroupAttention a;
  a.head.q = s.act.q.data() + t * c.n_head * hd + g * group * hd;
  a.head.k = b.kv->KeyRow(layer, first) + RowBytes(b.kv->types.k, g * hd);
  a.head.v = b.kv->ValueRow(layer, first) + RowBytes(b.kv->types.v, g * hd);
  a.head.k_type = b.kv->types.k;
  a.head.v_type = b.kv->types.v;
  a.head.stride = kv_dim;
  a.head.n_keys = p - first + 1;
  a.head.head_dim = hd;
  a.head.scale = c.attn_scale;
  a.head.softcap = c.attn_softcap;
  a.n_heads = group;
  a.q_stride = hd;
  a.out = s.act.att.data() + t * c.n_head * hd + g * group * hd;
  a.out_stride = hd;
  AttendGroup(a);
}

// Below this many multiply-adds the attention of a step runs on the calling thread: waking the
// pool would cost more than it saves (one decoded token over a short context).
constexpr int64_t kParallelAttentionWork = int64_t{1} << 18;

}  // namespace

void AttentionBlock(const Step& s, int64_t layer) {
  const ModelConfig& c = s.c;
  const LayerWeights& L = s.model.weights().layers[static_cast<size_t>(layer)];
  Activations& a = s.act;
  const int64_t d = c.n_embd;
  const int64_t kv_dim = c.n_head_kv * c.head_dim;

  for (int64_t t = 0; t < s.n; ++t) {
    RmsNorm(a.x.data() + t * d, L.attn_norm.data, d, c.norm_eps, a.h.data() + t * d);  // [n, d]
  }
  Project(s, L);

  NormHeads(L.attn_q_norm, s.n * c.n_head, c, a.q.data());     // [n, n_head, hd]
  NormHeads(L.attn_k_norm, s.n * c.n_head_kv, c, a.k.data());  // [n, n_kv, hd]

  // Every token's key and value go into its sequence's cache before any token attends.
  for (int64_t t = 0; t < s.n; ++t) {
    const BatchToken& b = s.batch[static_cast<size_t>(t)];
    if (c.rotates(layer)) {
      const RopeParams rope = LayerRope(s.model, layer, b.kv->n_ctx);
      Rope(a.q.data() + t * c.n_head * c.head_dim, c.n_head, b.pos, rope);
      Rope(a.k.data() + t * kv_dim, c.n_head_kv, b.pos, rope);
    }
    b.kv->Store(layer, b.pos, a.k.data() + t * kv_dim, a.v.data() + t * kv_dim);
  }

  int64_t work = 0;
  for (const BatchToken& b : s.batch) work += (b.pos + 1) * c.n_head * c.head_dim;
  const int64_t n_tasks = s.n * c.n_head_kv;  // (token, KV head)
  if (work < kParallelAttentionWork) {
    for (int64_t task = 0; task < n_tasks; ++task) AttendKvGroup(s, layer, task / c.n_head_kv, task % c.n_head_kv);
  } else {
    s.pool.ParallelFor(n_tasks, [&](int64_t task, int) {
      AttendKvGroup(s, layer, task / c.n_head_kv, task % c.n_head_kv);
    });
  }

  s.MatMul(L.attn_output, a.att.data(), s.n, a.proj.data());  // [n, d]
  for (int64_t t = 0; t < s.n; ++t) {
    float* o = a.proj.data() + t * d;
    if (L.post_attn_norm) RmsNorm(o, L.post_attn_norm.data, d, c.norm_eps, o);
    AddScaled(o, c.residual_scale, d, a.x.data() + t * d);
  }
}

// Sliding layers of Gemma 3 rotate with their own base and without the global scaling.
RopeParams LayerRope(const Model& model, int64_t layer, int64_t n_ctx) {
  const ModelConfig& c = model.config();
  const Weights& w = model.weights();
  // As the reference: Llama 3's divisors, else LongRoPE's long ones for a context longer than
  // the original, else its short ones.
  const float* freq_factors = w.rope_freqs.data;
  if (!freq_factors) {
    const bool long_context = n_ctx > c.n_ctx_orig && w.rope_factors_long.data;
    freq_factors = long_context ? w.rope_factors_long.data : w.rope_factors_short.data;
  }
  RopeParams p{c.head_dim, c.n_rot, c.rope_base, c.rope_layout, freq_factors, c.rope_freq_scale,
               c.rope_attn_factor};
  if (c.rope_base_swa > 0 && c.slides(layer)) {
    p.base = c.rope_base_swa;
    p.freq_scale = 1.0f;
  }
  return p;
}

}  // namespace densing
