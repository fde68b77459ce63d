// The feed-forward block: x += residual_scale · post_norm(FFN(norm(x))), where FFN is a gated
// MLP, W_down (act(W_gate h) ⊙ W_up h), or a mixture of such experts.
#include "kernels/matmul.h"
#include "kernels/ops.h"
#include "kernels/ops_simd.h"
#include "model/forward.h"

namespace densing {
void GatedMlp(const Step& s, const float* in, int64_t n_rows, const TensorView& gate,
              const TensorView& up, const TensorView& down, float* out) {
  Activations& a = s.act;
  const int64_t ff = down.ne[0];
  if (gate.data == nullptr) {
    s.MatMul(up, in, n_rows, a.gate.data());  // [n, 2·ff]: gate | up
    for (int64_t t = 0; t < n_rows; ++t) {
      const float* g = a.gate.data() + t * 2 * ff;
      float* y = a.up.data() + t * ff;
      if (s.c.activation == Activation::kSilu) {
        SwiGluSimd(g, g + ff, ff, y);
      } else {
        GeGlu(g, g + ff, ff, y);
      }
    }
  } else {
    // One activation conversion and one ParallelFor for both projections.
    const MatMulOut gate_up[] = {{&gate, a.gate.data()}, {&up, a.up.data()}};
    s.MatMulShared(gate_up, in, n_rows);  // [n, ff] ×2
    for (int64_t t = 0; t < n_rows; ++t) {
      float* y = a.up.data() + t * ff;
      if (s.c.activation == Activation::kSilu) {
        SwiGluSimd(a.gate.data() + t * ff, y, ff, y);
      } else {
        GeGlu(a.gate.data() + t * ff, y, ff, y);
      }
    }
  }
  s.MatMul(down, a.up.data(), n_rows, out);  // [n, d]
}

void FeedForwardBlock(const Step& s, int64_t layer) {
  const ModelConfig& c = s.c;
  const LayerWeights& L = s.model.weights().layers[static_cast<size_t>(layer)];
  Activations& a = s.act;
  const int64_t d = c.n_embd;
  for (int64_t t = 0; t < s.n; ++t) {
    RmsNorm(a.x.data() + t * d, L.ffn_norm.data, d, c.norm_eps, a.h.data() + t * d);  // [n, d]
  }
  if (L.is_moe()) {
    MixtureOfExpertsFfn(s, L);
  } else {
    GatedMlp(s, a.h.data(), s.n, L.ffn_gate, L.ffn_up, L.ffn_down, a.proj.data());
  }
  for (int64_t t = 0; t < s.n; ++t) {
    float* o = a.proj.data() + t * d;
    if (L.post_ffn_norm) RmsNorm(o, L.post_ffn_norm.data, d, c.norm_eps, o);
    AddScaled(o, c.residual_scale, d, a.x.data() + t * d);
  }
}

}  // namespace densing
